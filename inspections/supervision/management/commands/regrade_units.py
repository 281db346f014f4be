"""Regrade every unit now (``inspections.supervision.grading``), as the beat does every night at 02:30: after
seeding data or changing the ``SUPERVISION_*`` weights."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from inspections.supervision import grading


class Command(BaseCommand):
    help = "立即重新评定全部单位的风险等级（分级分类）；beat 每晚 02:30 自动评定。"

    def handle(self, *args, **options):
        run = grading.regrade()
        message = _("已评定 %(graded)d 个单位，%(changed)d 个等级有变化，用时 %(seconds).1f 秒。") % {
            "graded": run.graded, "changed": run.changed, "seconds": run.seconds}
        self.stdout.write(self.style.SUCCESS(message))
