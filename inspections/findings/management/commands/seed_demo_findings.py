"""Demo findings for the demo enterprises' units (``seed_demo``): one open, one overdue, one rectified
with a photo awaiting verification and one closed — by the unit's safety director's account where
``seed_demo_personnel`` linked one (Order 74 Art. 143), else by the county inspecting the unit — each made
through the findings services, so the 隐患整改 list and a finding's timeline have something to show to the
enterprise and to its regulators.
Idempotent (``make run`` runs it every time): a unit that already has findings is skipped."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from inspections.findings import services
from inspections.findings.choices import HazardLevel
from inspections.findings.models import Finding
from jurisdictions.duties import Role
from jurisdictions.models import User
from personnel.choices import DIRECTOR_POSTS
from portal.kit.samples import make_png
from units.management.commands.seed_demo_units import ENTERPRISES as DEMO_ENTERPRISES
from units.services import unit_of

# (problem, days to the deadline, hazard level, how far it got)
FINDINGS = (
    ("电梯轿厢应急照明不亮，五方对讲无法接通值班室。", 7, HazardLevel.GENERAL, "open"),
    ("锅炉房安全阀校验报告过期，未按期送检。", 3, HazardLevel.MAJOR, "overdue"),
    ("起重机械限位开关松动，吊钩防脱装置缺失。", 10, HazardLevel.GENERAL, "rectified"),
    ("压力容器安全附件铅封破损，压力表未定期检定。", 15, HazardLevel.GENERAL, "closed"),
)
OVERDUE_BY = 5  # days: a deadline the service would refuse today, set after raising as time would have


def closer(unit) -> User:
    """Who verifies a demo hazard: the account of the unit's safety director in office, else its county's
    leader, who inspects the unit."""
    director = User.objects.filter(person__unit=unit, person__appointments__post__in=DIRECTOR_POSTS,
                                   person__appointments__ended_on__isnull=True).order_by("id").first()
    return director or User.objects.filter(jurisdiction_id=unit.county_id, role=Role.LEADER).order_by("id").first()


class Command(BaseCommand):
    help = "为演示企业登记几条隐患（待整改、已逾期、待验证、已销号；可重复执行）。"

    @transaction.atomic
    def handle(self, *args, **options):
        today, made = timezone.localdate(), 0
        for user in User.objects.filter(username__in=DEMO_ENTERPRISES).order_by("username"):
            unit = unit_of(user)
            if unit is None or Finding.objects.filter(unit=unit).exists():
                continue
            equipment = unit.equipment.order_by("id").first()
            for description, days, level, stage in FINDINGS:
                finding = services.raise_finding(by=user, unit=unit, description=description, hazard_level=level,
                                                 due_on=today + timedelta(days=days), equipment=equipment)
                if stage == "overdue":
                    Finding.objects.filter(pk=finding.pk).update(due_on=today - timedelta(days=OVERDUE_BY))
                if stage in ("rectified", "closed"):
                    photo = SimpleUploadedFile("整改后照片.png", make_png(320, 240), content_type="image/png")
                    services.rectify(by=user, finding=finding, note="已更换部件并复查合格。", evidence=[photo])
                if stage == "closed":
                    services.verify(by=closer(unit), finding=finding, note="复查合格，销号。")
                made += 1
        self.stdout.write(self.style.SUCCESS(f"演示隐患：新登记 {made} 条。"))
