"""Demo inspection records and 安全监察指令书 (``make run``, after ``seed_demo_supervision`` has entered the
inspectors' certificates): at qiye1's unit, 城关区's leader (chengguan) and inspector (chengguan_jcy) completed an
inspection today that found the weekly 排查 missing — a finding, the representative's signature, a directive
awaiting rectification — and one three weeks ago whose directive was not answered by its deadline, so the beat's
run turned it overdue and referred it. Entered through the services; the older one's dates are then set back with
the triggers off for that one statement (``backdate``), as an older record would carry them. Idempotent: a unit that
already has inspection records is left as it is."""

from __future__ import annotations

import base64
import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from inspections.supervision import directive_services, inspection_services
from inspections.supervision.inspection_choices import Disposition, InspectionKind, ItemResult
from inspections.supervision.models import Directive, DirectiveStepRecord, Inspection, InspectionItem
from jurisdictions.models import User
from units.services import unit_of

UNIT_OWNER, LEADER, INSPECTOR = "qiye1", "chengguan", "chengguan_jcy"
BASIS = "《特种设备使用单位落实使用安全主体责任监督管理规定》第一百四十三条"


def signature() -> str:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (360, 120), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(20, 80), (80, 30), (140, 90), (220, 40), (330, 70)], fill=(20, 20, 20, 255),
                               width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def photo() -> SimpleUploadedFile:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 200, 190)).save(out, format="JPEG")
    return SimpleUploadedFile("现场照片.jpg", out.getvalue(), content_type="image/jpeg")


def judged(item: InspectionItem) -> dict:
    """符合, unless the unit's own records already show the item missing (nobody in post, no risk list): the
    inspectors would find the same on site."""
    if item.prefill.startswith("系统中无"):
        return {"result": ItemResult.NON_COMPLIANT, "note": f"现场核实：{item.prefill}"}
    return {"result": ItemResult.COMPLIANT}


class Command(BaseCommand):
    help = "在 qiye1 的单位录入演示监督检查记录、待整改的安全监察指令书和一件逾期移送处罚（可重复执行）。"

    def handle(self, *args, **options):
        users = {u.username: u for u in User.objects.filter(username__in=(UNIT_OWNER, LEADER, INSPECTOR))}
        unit = unit_of(users[UNIT_OWNER]) if UNIT_OWNER in users else None
        if unit is None or LEADER not in users or INSPECTOR not in users:
            self.stdout.write("演示监督检查：缺少演示账号，已跳过。")
            return
        if Inspection.objects.filter(unit=unit).exists():
            self.stdout.write("演示监督检查：已存在，未重复录入。")
            return
        leader, team = users[LEADER], [users[LEADER], users[INSPECTOR]]
        with transaction.atomic():
            self.inspect(unit, leader, team, days_ago=21, note="近一个月未形成每周安全排查治理报告",
                         measures="建立周排查制度，由安全总监每周组织一次排查并形成报告，整改后书面报告。",
                         overdue=True)
            self.inspect(unit, leader, team, days_ago=0, note="上周未形成每周安全排查治理报告",
                         measures="补做上周排查，完善周排查台账，整改后书面报告。", overdue=False)
        referred = directive_services.mark_overdue()
        self.stdout.write(self.style.SUCCESS(f"演示监督检查：录入 2 次检查和 2 份指令书，逾期移送 {referred} 件。"))

    def inspect(self, unit, leader, team, *, days_ago: int, note: str, measures: str, overdue: bool) -> Directive:
        inspection = inspection_services.open_inspection(by=leader, unit=unit, kind=InspectionKind.ROUTINE,
                                                         inspectors=team)
        results = {i.position: judged(i) for i in inspection.items.all()}
        weekly = inspection.items.get(key="weekly").position
        results[weekly] = {"result": ItemResult.NON_COMPLIANT, "note": note}
        inspection_services.record_items(by=leader, inspection=inspection, results=results,
                                         photos={weekly: photo()}, unit_opinion="情况属实，按期整改。")
        inspection_services.raise_item_finding(by=leader, inspection=inspection, position=weekly,
                                               description=f"未落实周排查：{note}",
                                               due_on=timezone.localdate() + timedelta(days=15))
        inspection_services.sign(by=leader, inspection=inspection, signer_name="企业安全总监", signature=signature())
        inspection = inspection_services.complete(by=leader, inspection=inspection, disposition=Disposition.DIRECTIVE)
        draft = directive_services.draft(inspection)
        directive = directive_services.issue(by=leader, inspection=inspection, problems=draft["problems"],
                                             legal_basis=BASIS, measures=measures,
                                             deadline=timezone.localdate() + timedelta(days=15))
        if overdue:
            backdate(inspection, directive, timedelta(days=days_ago))
        return directive


def backdate(inspection: Inspection, directive: Directive, by: timedelta) -> None:
    """Move the demo's older record and its directive ``by`` into the past: the completed record is locked, so its
    lock trigger is off for this transaction only (demo data, from the command line)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        Inspection.objects.filter(pk=inspection.pk).update(
            started_at=F("started_at") - by, ended_at=F("ended_at") - by, signed_at=F("signed_at") - by)
        InspectionItem.objects.filter(inspection=inspection, photo_at__isnull=False).update(photo_at=F("photo_at") - by)
        Directive.objects.filter(pk=directive.pk).update(issued_at=F("issued_at") - by,
                                                         deadline=timezone.localdate() - timedelta(days=6))
        DirectiveStepRecord.objects.filter(directive=directive).update(at=F("at") - by)
        cursor.execute("SET LOCAL session_replication_role = origin")
