"""Demo supervision data (``make run``, after the other demo seeds): 监察员证 for the demo regulators — the county
leaders and inspectors, the 酒泉路 station, the cities — one of them expired, so the inspector list and the pool show
both; a demo elevator serving a mall and one demo unit listed as a 重点单位, so the grade panel has reasons to
show; then every unit regraded. Entered through the supervision services from the command line.
Idempotent: a certificate number already entered, a unit already listed, is left as it is."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from inspections.supervision import grading, services
from inspections.supervision.models import InspectorCertificate, KeyUnit
from jurisdictions import access
from jurisdictions.models import User
from units.models import Equipment
from units.services import unit_of

PROVINCE = "甘肃省市场监督管理局"
SAMR = "国家市场监督管理总局"
# username, number, class, issuing body, issued (days ago), valid for (days)
CERTIFICATES = (
    ("chengguan", "TSJ-A-620102-0001", "A", SAMR, 900, 1825),
    ("chengguan_jcy", "TSJ-B-620102-0002", "B", PROVINCE, 400, 1825),
    ("qilihe", "TSJ-B-620103-0001", "B", PROVINCE, 700, 1825),
    ("jiuquanlu", "TSJ-B-620102-0101", "B", PROVINCE, 200, 1825),
    ("lanzhou", "TSJ-A-620100-0001", "A", SAMR, 1200, 1825),
    # Expired last month: listed, but out of the pool until renewed.
    ("tianshui", "TSJ-B-620500-0001", "B", PROVINCE, 1855, 1825),
)
KEY_UNIT = ("qiye1", "chengguan", "辖区商贸城配套电梯，人员密集，列入重点单位名录。")
CROWDED = ("qiye1", "mall")


class Command(BaseCommand):
    help = "为演示监管账号录入监察员证（含一张已过期），设置一个重点单位并重新评定风险等级（可重复执行）。"

    @transaction.atomic
    def handle(self, *args, **options):
        today, made = timezone.localdate(), 0
        accounts = {u.username: u for u in User.objects.filter(username__in=[c[0] for c in CERTIFICATES])}
        for username, number, certificate_class, issued_by, ago, days in CERTIFICATES:
            holder = accounts.get(username)
            if holder is None or InspectorCertificate.objects.filter(number=number).exists():
                continue
            issued = today - timedelta(days=ago)
            services.add_certificate(by=access.COMMAND_LINE, holder=holder, number=number,
                                     certificate_class=certificate_class, issued_by=issued_by, issued_on=issued,
                                     expires_on=issued + timedelta(days=days))
            made += 1
        owner = User.objects.filter(username=CROWDED[0]).first()
        unit = unit_of(owner) if owner else None
        if unit is not None:
            elevator = Equipment.objects.filter(unit=unit, category__code="3000").order_by("id").first()
            if elevator is not None and not elevator.place_kind:
                Equipment.objects.filter(pk=elevator.pk).update(place_kind=CROWDED[1])
            leader = User.objects.filter(username=KEY_UNIT[1]).first()
            if leader is not None and not KeyUnit.objects.filter(unit=unit).exists():
                services.set_key_unit(by=leader, unit=unit, designated=True, reason=KEY_UNIT[2])
        run = grading.regrade()
        self.stdout.write(self.style.SUCCESS(f"演示监察员证：新录入 {made} 张；已评定 {run.graded} 个单位的风险等级。"))
