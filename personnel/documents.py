"""Documents of the responsibility system: the unit's 人员配备情况表 (PDF) and the identity details
workbook for SAMR's 特种设备安全监管平台 (seed 002 附件 9–11; layout DOMAIN.md §10, kept here as the
one declared resource so it can be matched to the platform's template later).

Both read the masked columns; the full workbook opens the sealed ones and is audited with its row
count and the reason given (SECURITY.md §Personal information).
"""

from __future__ import annotations

import io

from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook

from jurisdictions import access
from jurisdictions.audit import record
from jurisdictions.duties import Duty
from jurisdictions.models import AuditEvent
from personnel import rules
from personnel.choices import Post
from personnel.models import ID_PURPOSE, PHONE_PURPOSE, Appointment, Certificate, UnitStaffing
from portal.kit import crypto
from portal.kit.pdf import chinese_date, render_pdf
from portal.kit.views import escape_formula
from units.models import Unit

NATIONAL_COLUMNS = ("单位名称", "统一社会信用代码", "单位类别", "行政区划代码", "人员类别", "姓名", "居民身份证号码",
                    "手机号码", "任职日期", "负责设备或岗位", "相关证书编号", "填报日期")
UNIT_KIND_WORDS = {"production": "生产", "usage": "使用", "filling": "充装"}


def staff_context(unit: Unit) -> dict:
    current = list(unit.appointments.filter(ended_on__isnull=True).select_related("person")
                   .order_by("post", "started_on"))
    staffing = getattr(unit, "staffing", None) or UnitStaffing(unit=unit)
    today = timezone.localdate()
    return {
        "title": "特种设备安全管理人员配备情况表",
        "issuer": unit.name,
        "unit": unit,
        "rows": [{"post": Post(a.post).label, "name": a.person.name, "id_masked": a.person.id_masked,
                  "phone_masked": a.person.phone_masked, "started_on": chinese_date(a.started_on),
                  "covers": a.covers} for a in current],
        "missing": [str(p.label) for p in rules.missing_posts(unit.kinds, staffing.holders())],
        "issued_on": chinese_date(today),
    }


def staff_pdf(unit: Unit) -> bytes:
    return render_pdf("pdf/staff.html", staff_context(unit))


def _appointments(user):
    """In-office principals, directors and officers of the user's subtree, with what a row needs."""
    return (access.scope(Appointment.objects.filter(ended_on__isnull=True), user, Duty.VIEW)
            .select_related("person", "unit", "unit__county", "unit__city")
            .prefetch_related(Prefetch("person__certificates", queryset=Certificate.objects.only(
                "person_id", "number")))
            .order_by("unit_id", "post", "id"))


def national_rows(user, *, full: bool):
    for a in _appointments(user).iterator(chunk_size=2000):
        unit, person = a.unit, a.person
        area = unit.county or unit.city
        yield [
            unit.name, unit.uscc, "、".join(UNIT_KIND_WORDS.get(k, k) for k in unit.kinds),
            area.code[:6] if area else "", str(Post(a.post).label), person.name,
            crypto.decrypt(person.id_cipher, ID_PURPOSE) if full else person.id_masked,
            (crypto.decrypt(person.phone_cipher, PHONE_PURPOSE) if full and person.phone_cipher
             else person.phone_masked),
            a.started_on.isoformat(), a.covers, "、".join(c.number for c in person.certificates.all()),
            timezone.localtime(a.created_at).date().isoformat(),
        ]


def national_workbook(user, *, full: bool) -> tuple[bytes, int]:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("人员信息")
    sheet.append(list(NATIONAL_COLUMNS))
    count = 0
    for row in national_rows(user, full=full):
        sheet.append([escape_formula(v) for v in row])
        count += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), count


def national_response(user, *, full: bool, reason: str = "") -> HttpResponse:
    with transaction.atomic():
        content, count = national_workbook(user, full=full)
        record(AuditEvent.Kind.FULL_REVEAL if full else AuditEvent.Kind.EXPORT, user=user, detail={
            "view": "national_export", "format": "xlsx", "rows": count, "full": full, "reason": reason[:200]})
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = f"特种设备安全管理人员信息-{timezone.localdate():%Y%m%d}{'-完整' if full else ''}.xlsx"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    response["Cache-Control"] = "no-store"
    return response
