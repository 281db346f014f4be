"""Documents of the responsibility system: the unit's 人员配备情况表 (PDF) and the identity details
workbook for SAMR's 特种设备安全监管平台 (seed 002 附件 9–11; layout docs/domain.md §National export, kept here as the
one declared resource so it can be matched to the platform's template later).

Both read the masked columns; only the full workbook opens the sealed ones. Who may ask for which,
the audit and the sealed file on disk are ``personnel.exports``'s business (docs/security.md).
"""

from __future__ import annotations

import io

from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from jurisdictions import access
from jurisdictions.duties import Duty
from personnel import rules
from personnel.choices import Post
from personnel.models import ID_PURPOSE, PHONE_PURPOSE, Appointment, Certificate, UnitStaffing
from portal.kit import crypto
from portal.kit.masking import mask_text
from portal.kit.pdf import document_date, render_pdf
from portal.kit.tables import escape_formula
from units.models import Unit

NATIONAL_COLUMNS = ("单位名称", "统一社会信用代码", "单位类别", "行政区划代码", "人员类别", "姓名", "居民身份证号码",
                    "手机号码", "任职日期", "负责设备或岗位", "相关证书编号", "填报日期")
UNIT_KIND_WORDS = {"production": "生产", "usage": "使用", "filling": "充装"}


def filler_of(user, current: list[Appointment]) -> tuple[str, str]:
    """填表人 and their 联系电话 (masked) for the sheet's foot: the unit's own account downloading it.

    An account carries no phone of its own; the one on the books is the person of the unit's staff
    bearing the account's name, when exactly one does. Otherwise, and for a regulator printing the
    sheet, the lines stay blank for the unit to fill in by hand.
    """
    if not access.is_enterprise(user):
        return "", ""
    name = user.display_name.strip()
    phones = {a.person.phone_masked for a in current if name and a.person.name == name and a.person.phone_masked}
    return str(user), phones.pop() if len(phones) == 1 else ""


def staff_context(unit: Unit, filler=None) -> dict:
    current = list(unit.appointments.filter(ended_on__isnull=True).select_related("person")
                   .order_by("post", "started_on"))
    staffing = getattr(unit, "staffing", None) or UnitStaffing(unit=unit)
    today = timezone.localdate()
    filler_name, filler_phone = filler_of(filler, current)
    return {
        "title": _("特种设备安全管理人员配备情况表"),
        "issuer": unit.name,
        "unit": unit,
        "rows": [{"post": Post(a.post).label, "name": a.person.name, "id_masked": a.person.id_masked,
                  "phone_masked": a.person.phone_masked, "started_on": document_date(a.started_on),
                  "covers": a.covers} for a in current],
        "missing": [str(p.label) for p in rules.missing_posts(unit.kinds, staffing.holders())],
        "issued_on": document_date(today),
        "filler_name": filler_name,
        "filler_phone": filler_phone,
    }


def staff_pdf(unit: Unit, filler=None) -> bytes:
    return render_pdf("pdf/staff.html", staff_context(unit, filler))


NATIONAL_FIELDS = ("person_id", "unit__name", "unit__uscc", "unit__kinds", "unit__county__code", "unit__city__code",
                   "post", "person__name", "person__id_masked", "person__phone_masked", "started_on", "covers",
                   "filed_on")
CHUNK = 2000


def _appointments(user, *, full: bool):
    """In-office principals, directors and officers of the user's subtree, as plain tuples: at a
    province's half a million rows, model instances would cost more than the workbook itself."""
    fields = NATIONAL_FIELDS + (("person__id_cipher", "person__phone_cipher") if full else ())
    return (access.scope(Appointment.objects.filter(ended_on__isnull=True), user, Duty.VIEW)
            .annotate(filed_on=TruncDate("created_at")).order_by("unit_id", "post", "id")
            .values_list(*fields))


def _certificate_numbers(person_ids, *, full: bool) -> dict[int, str]:
    """Certificate numbers per person; masked in the masked workbook, as they may be ID numbers."""
    numbers: dict[int, list[str]] = {}
    for person_id, number in (Certificate.objects.filter(person_id__in=person_ids).order_by("id")
                              .values_list("person_id", "number")):
        numbers.setdefault(person_id, []).append(number if full else mask_text(number))
    return {person_id: "、".join(values) for person_id, values in numbers.items()}


def _chunks(rows):
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def national_rows(user, *, full: bool):
    posts = {value: str(label) for value, label in Post.choices}
    for chunk in _chunks(_appointments(user, full=full).iterator(chunk_size=CHUNK)):
        certificates = _certificate_numbers({row[0] for row in chunk}, full=full)
        for (person_id, unit_name, uscc, kinds, county_code, city_code, post, name, id_masked, phone_masked,
             started_on, covers, filed_on, *sealed) in chunk:
            if full:
                id_number = crypto.decrypt(sealed[0], ID_PURPOSE)
                phone = crypto.decrypt(sealed[1], PHONE_PURPOSE) if sealed[1] else ""
            else:
                id_number, phone = id_masked, phone_masked
            yield [unit_name, uscc, "、".join(UNIT_KIND_WORDS.get(k, k) for k in kinds),
                   (county_code or city_code or "")[:6], posts[post], name, id_number, phone, started_on.isoformat(),
                   covers, certificates.get(person_id, ""), filed_on.isoformat()]


def national_workbook(user, *, full: bool, progress=None) -> tuple[bytes, int]:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("人员信息")
    sheet.append(list(NATIONAL_COLUMNS))
    count = 0
    for row in national_rows(user, full=full):
        sheet.append([escape_formula(v) for v in row])
        count += 1
        if progress and count % CHUNK == 0:
            progress(count)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), count
