"""Every write of a unit's risk control list (docs/domain.md §Risk control list): each save is a new version.

Who may: the unit's enterprise accounts (KEEP_RECORDS on the unit); regulators read it. A save locks the
unit's list, checks every row, writes the version with all its rows, points the list at it and records
the audit event in one transaction; a bad row writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.routines.choices import RESPONSIBLE_POSTS, Frequency, RiskCategory
from inspections.routines.models import RiskItem, RiskList, RiskListVersion
from inspections.routines.risk_templates import CYLINDERS, template_code, templates
from jurisdictions import access
from jurisdictions.audit import record
from jurisdictions.duties import Duty
from jurisdictions.models import AuditEvent, User
from portal.kit.wording import listing
from units.choices import EquipmentStatus, UnitKind, UnitStatus
from units.models import EquipmentType, Unit

TEXT_FIELDS = {"risk_item": 200, "check_content": 1000, "control_measure": 1000}
# Equipment that has left service for good takes no rows from a template.
GONE = (EquipmentStatus.SCRAPPED, EquipmentStatus.DEREGISTERED)


def follow_unit(sender, *, unit: Unit, columns: dict, **kwargs) -> None:
    """A unit moved to another jurisdiction: its list moves with it (``units.signals.unit_moved``)."""
    RiskList.objects.filter(unit=unit).update(**columns)


def current_version(unit: Unit) -> RiskListVersion | None:
    risk_list = RiskList.objects.filter(unit=unit).select_related("current").first()
    return risk_list.current if risk_list else None


def version_in_force(unit: Unit, day: date) -> RiskListVersion | None:
    """The version the unit's checks of ``day`` follow: the last one saved by the end of that day (local
    time). A version saved during a day is in force for that whole day; none before the first save."""
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone())
    return RiskListVersion.objects.filter(risk_list__unit=unit, saved_at__lt=end).order_by("-number").first()


def _row_error(errors: dict, field: str, message: str, row: int) -> None:
    errors.setdefault(field, []).append(ValidationError(message, code="row", params={"row": row}))


def clean_rows(unit: Unit, rows: Iterable[dict]) -> list[dict]:
    """Each row's fields stripped and checked; errors name the field and carry the row's index (``params``)."""
    cleaned, errors = [], {}
    for i, row in enumerate(rows):
        row = dict(row)
        for field, limit in TEXT_FIELDS.items():
            row[field] = (row.get(field) or "").strip()
            if len(row[field]) > limit:
                _row_error(errors, field, _("不能超过 %(n)d 个字。") % {"n": limit}, i)
        if not row["risk_item"]:
            _row_error(errors, "risk_item", _("请填写风险点。"), i)
        if not row["check_content"]:
            _row_error(errors, "check_content", _("请填写检查内容和标准。"), i)
        if not row["control_measure"]:
            _row_error(errors, "control_measure", _("请填写管控措施。"), i)
        if row.get("category") not in RiskCategory.values:
            _row_error(errors, "category", _("请选择类别。"), i)
        if row.get("responsible_post") not in RESPONSIBLE_POSTS:
            _row_error(errors, "responsible_post", _("责任岗位只能是安全员、安全总监或主要负责人。"), i)
        if row.get("frequency") not in Frequency.values:
            _row_error(errors, "frequency", _("频次只能是每日、每周或每月。"), i)
        equipment, kind = row.get("equipment"), row.get("equipment_type")
        if equipment is not None and kind is not None:
            _row_error(errors, "covers", _("适用范围只能选一台设备或一类设备。"), i)
        if equipment is not None and equipment.unit_id != unit.pk:
            _row_error(errors, "covers", _("只能选择本单位的设备。"), i)
        if kind is not None and not kind.code.endswith("00"):
            _row_error(errors, "covers", _("适用范围应为设备类别或设备种类。"), i)
        cleaned.append(row)
    if errors:
        raise ValidationError(errors)
    if not cleaned:
        raise ValidationError(_("清单至少要有一条风险管控项。"), code="empty")
    return cleaned


def _locked_list(by: User, unit: Unit) -> RiskList:
    unit = access.get_or_404(Unit.objects.select_for_update(of=("self",)), by, Duty.KEEP_RECORDS, pk=unit.pk)
    if unit.status in (UnitStatus.PENDING, UnitStatus.REJECTED):
        raise ValidationError(_("单位尚未经属地市场监管所确认，暂不能制定风险管控清单。"))
    risk_list = RiskList.objects.select_for_update().filter(unit=unit).first()
    if risk_list is None:
        risk_list = RiskList(unit=unit)
        risk_list.place_with(unit)
        risk_list.save()
    risk_list.unit = unit
    return risk_list


def _write_version(by: User, risk_list: RiskList, rows: list[dict], note: str, action: str) -> RiskListVersion:
    number = (risk_list.current.number if risk_list.current_id else 0) + 1
    version = RiskListVersion.objects.create(risk_list=risk_list, number=number, saved_by=by,
                                             note=(note or "").strip()[:200])
    RiskItem.objects.bulk_create(RiskItem(
        version=version, position=n, category=r["category"], risk_item=r["risk_item"],
        check_content=r["check_content"], control_measure=r["control_measure"],
        responsible_post=r["responsible_post"], frequency=r["frequency"], equipment=r.get("equipment"),
        equipment_type=r.get("equipment_type")) for n, r in enumerate(rows, 1))
    risk_list.current = version
    risk_list.save(update_fields=["current"])
    record(AuditEvent.Kind.DATA_CHANGED, user=by, obj=risk_list,
           detail={"action": action, "unit": risk_list.unit.uscc, "version": number, "rows": len(rows)})
    return version


def save_list(*, by: User, unit: Unit, rows: Iterable[dict], note: str = "") -> RiskListVersion:
    """Save the unit's whole list as its next version. ``rows`` are dicts of the ``RiskItem`` fields
    (``equipment`` / ``equipment_type`` as objects or None)."""
    with transaction.atomic():
        risk_list = _locked_list(by, unit)
        return _write_version(by, risk_list, clean_rows(risk_list.unit, rows), note, "save_risk_list")


def rows_of(version: RiskListVersion | None) -> list[dict]:
    if version is None:
        return []
    return [{"category": i.category, "risk_item": i.risk_item, "check_content": i.check_content,
             "control_measure": i.control_measure, "responsible_post": i.responsible_post,
             "frequency": i.frequency, "equipment": i.equipment, "equipment_type": i.equipment_type}
            for i in version.items.select_related("equipment", "equipment_type").order_by("position")]


def template_codes_for(unit: Unit) -> list[str]:
    """The templates a unit's list starts from: one per category of its equipment still in service or
    registered, and the cylinders' for a filling unit."""
    codes = {template_code(code) for code in unit.equipment.exclude(status__in=GONE)
             .values_list("equipment_type__code", flat=True)}
    if UnitKind.FILLING in (unit.kinds or ()):
        codes.add(CYLINDERS)
    codes.discard(None)
    return sorted(codes)


def generate_from_templates(*, by: User, unit: Unit) -> RiskListVersion:
    """从模板生成: the current rows, plus the template rows of every category of the unit's equipment that
    the list does not cover yet, saved as the next version."""
    with transaction.atomic():
        risk_list = _locked_list(by, unit)
        unit = risk_list.unit
        current = rows_of(risk_list.current)
        covered = {r["equipment_type"].code for r in current if r["equipment_type"] is not None}
        codes = [c for c in template_codes_for(unit) if c not in covered]
        if not codes:
            if not template_codes_for(unit):
                raise ValidationError(_("本单位还没有登记设备，无法从模板生成；可以直接编辑清单。"))
            raise ValidationError(_("清单已包含本单位全部设备类别的模板内容。"))
        kinds = {t.code: t for t in EquipmentType.objects.filter(code__in=codes)}
        added = [{"category": row["category"], "risk_item": row["risk_item"], "check_content": row["check_content"],
                  "control_measure": row["control_measure"], "responsible_post": row["post"],
                  "frequency": row["frequency"], "equipment": None, "equipment_type": kinds.get(code)}
                 for code in codes for row in templates()[code]["rows"]]
        names = listing(templates()[c]["name"] for c in codes)
        return _write_version(by, risk_list, clean_rows(unit, current + added),
                              _("从模板生成：%(names)s") % {"names": names}, "generate_risk_list")
