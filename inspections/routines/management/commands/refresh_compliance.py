"""Recount the compliance figures now (``inspections.routines.compliance``), as the beat does every night at 01:30:
after seeding records, or for earlier months (``--month 2026-09 --month 2026-10``)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from inspections.routines import compliance
from portal.kit.wording import listing


def month(value: str) -> date:
    try:
        return date.fromisoformat(f"{value}-01")
    except ValueError as exc:
        raise CommandError(_("月份应写作 YYYY-MM：%(value)s") % {"value": value}) from exc


class Command(BaseCommand):
    help = "立即重算日管控、周排查、月调度履职统计（/compliance/ 页面读取的数字）；beat 每晚 01:30 自动重算。"

    def add_arguments(self, parser):
        parser.add_argument("--month", action="append", type=month, dest="months",
                            help=_("只重算这些月份（YYYY-MM，可重复）；默认本月、上月和上次统计以来有新记录的月份。"))

    def handle(self, *args, months=None, **options):
        run = compliance.refresh(months)
        self.stdout.write(self.style.SUCCESS(_("已重算 %(months)s 共 %(units)d 个单位月，用时 %(seconds).1f 秒。") % {
            "months": listing(m.strftime("%Y-%m") for m in run.months) or "—", "units": run.units,
            "seconds": run.seconds}))
