"""Rebuild the staffed-rate roll-up now (``personnel.rollup``), as the beat does every ``STAFFING_ROLLUP_MINUTES``:
after seeding or importing units in bulk, or on a deployment whose beat has not run yet."""

from django.core.management.base import BaseCommand
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from personnel import rollup
from personnel.models import StaffingRollup


class Command(BaseCommand):
    help = "立即重算人员配备率汇总（/staffing/ 页面读取的各辖区数字）；beat 每 STAFFING_ROLLUP_MINUTES 分钟自动重算。"

    def handle(self, *args, **options):
        nodes = rollup.refresh()
        as_of = StaffingRollup.objects.values_list("as_of", flat=True).first()
        when = formats.date_format(timezone.localtime(as_of), "DATETIME_FORMAT")
        self.stdout.write(self.style.SUCCESS(
            _("已重算 %(nodes)d 个辖区的人员配备率，数据截至 %(when)s。") % {"nodes": nodes, "when": when}))
