"""Every write to units, equipment, use registration and work notifications (docs/architecture.md §Services own writes).

Sections: units and accounts · sign-up · catalogue and equipment · use registration · work
notifications. Each function runs in one transaction, re-reads its rows through the access scope
and writes its audit event there.
"""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

import pghistory
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from guardian.shortcuts import assign_perm

from jurisdictions import access
from jurisdictions.audit import record
from jurisdictions.duties import ENTERPRISE_DUTIES, Duty, Role, Tier, Write
from jurisdictions.models import ANCESTOR_TIERS, AuditEvent, Jurisdiction, User
from jurisdictions.services import role_group
from portal.kit import crypto
from portal.kit.forms import errors_on
from portal.kit.identifiers import normalize_uscc, validate_mobile, validate_uscc
from portal.kit.masking import mask_phone
from portal.kit.numbering import next_serial
from portal.kit.pdf import document_number
from portal.kit.wording import listing, noted
from units.choices import (
    ApplicationKind,
    ApplicationStatus,
    DocumentKind,
    EquipmentStatus,
    NotificationKind,
    NotificationStatus,
    UnitKind,
    UnitStatus,
)
from units.models import (
    CONTACT_PHONE_PURPOSE,
    Application,
    ApplicationDocument,
    Equipment,
    EquipmentType,
    Unit,
    UnitUserObjectPermission,
    WorkNotification,
)
from units.signals import unit_moved

UNIT_FIELDS = ("name", "kinds", "address", "legal_representative")
# Facts regulators own, with why an enterprise may not set them (none at present: the risk grade is computed
# every night by ``inspections.supervision.grading`` and nobody sets it by hand, docs/domain.md §Risk grade).
REGULATOR_UNIT_FIELDS: dict[str, str] = {}


def fixed_unit_fields(user: User) -> dict[str, str]:
    """The unit fields ``user`` sees but may not change, each with the reason shown beside it."""
    return REGULATOR_UNIT_FIELDS if access.is_enterprise(user) else {}


def _check_kinds(kinds) -> list[str]:
    kinds = sorted(set(kinds or []))
    if not kinds or any(k not in UnitKind.values for k in kinds):
        raise ValidationError({"kinds": _("请至少选择一个单位类别（生产、使用、充装）。")})
    return kinds


def _check_uscc(uscc: str, *, exclude_pk=None) -> str:
    uscc = normalize_uscc(uscc)
    with errors_on("uscc"):
        validate_uscc(uscc)
    clash = Unit.objects.filter(uscc=uscc).exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"uscc": _("统一社会信用代码 %(code)s 已登记，不能重复创建单位。") % {"code": uscc}})
    return uscc


def create_unit(*, by: User, uscc: str, name: str, kinds, jurisdiction: Jurisdiction, address: str = "",
                legal_representative: str = "", status: str = UnitStatus.ACTIVE) -> Unit:
    """A regulator enters a unit inside its own subtree; its risk grade comes from the next nightly regrade."""
    with transaction.atomic():
        node = access.get_or_404(Jurisdiction.objects.all(), by, Duty.MANAGE_UNITS, pk=jurisdiction.pk)
        unit = Unit(uscc=_check_uscc(uscc), name=name.strip(), kinds=_check_kinds(kinds), address=address,
                    legal_representative=legal_representative, status=status)
        unit.place(node)
        unit.save()
        record(AuditEvent.Kind.DATA_CHANGED, user=by, obj=unit, detail={"action": "create_unit"})
        return unit


def update_unit(*, by: User, unit: Unit, jurisdiction: Jurisdiction | None = None, **changes) -> Unit:
    """Edit a unit. Regulators may move it only within their subtree; enterprises may not move it."""
    with transaction.atomic():
        unit = access.get_or_404(Unit.objects.select_for_update(), by, Write.UNIT, pk=unit.pk)
        before = {f: getattr(unit, f) for f in UNIT_FIELDS}
        for field in UNIT_FIELDS:
            if field in changes:
                setattr(unit, field, changes[field])
        for field, reason in fixed_unit_fields(by).items():
            if getattr(unit, field) != before[field]:
                raise ValidationError({field: reason})
        unit.kinds = _check_kinds(unit.kinds)
        if jurisdiction is not None and jurisdiction.pk != unit.jurisdiction_id:
            if access.is_enterprise(by):
                raise ValidationError({"jurisdiction": _("企业用户不能变更所属辖区，请联系属地市场监管所。")})
            node = access.get_or_404(Jurisdiction.objects.all(), by, Duty.MANAGE_UNITS, pk=jurisdiction.pk)
            unit.place(node)
            _follow_unit(unit)
        unit.save()
        after = {f: getattr(unit, f) for f in UNIT_FIELDS}
        changed = {f: [before[f], after[f]] for f in UNIT_FIELDS if before[f] != after[f]}
        record(AuditEvent.Kind.DATA_CHANGED, user=by, obj=unit, detail={"action": "update_unit", "changed": changed})
        return unit


def _follow_unit(unit: Unit) -> None:
    """Rows placed with a unit move with it, so regulators' scope (one indexed column) stays true.

    Other apps' rows (people, appointments, …) follow through ``unit_moved``; units cannot import them.
    """
    columns = {"jurisdiction_id": unit.jurisdiction_id,
               **{f"{tier}_id": getattr(unit, f"{tier}_id") for tier in ANCESTOR_TIERS}}
    for model in (Equipment, Application):
        model.objects.filter(unit=unit).update(**columns)
    unit_moved.send(sender=Unit, unit=unit, columns=columns)


def create_enterprise_user(*, by: User | access.System, unit: Unit, username: str, password: str,
                           display_name: str, email: str = "") -> User:
    """An account bound to one unit: the guardian grants on the unit are the binding (docs/access.md §Grants)."""
    with transaction.atomic():
        unit = access.get_or_404(Unit.objects.all(), by, Write.UNIT_ACCOUNTS, pk=unit.pk)
        username = (username or "").strip()
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError({"username": _("用户名“%(name)s”已被使用。") % {"name": username}})
        user = User(username=username, display_name=display_name.strip(), email=email, role=Role.ENTERPRISE,
                    jurisdiction=unit.jurisdiction, created_by=access.account(by))
        with errors_on("password"):
            validate_password(password, user)
        user.set_password(password)
        user.save()
        user.groups.add(role_group(unit.jurisdiction.tier, Role.ENTERPRISE))
        for duty in ENTERPRISE_DUTIES:
            assign_perm(f"units.{duty}", user, unit)
        record(AuditEvent.Kind.ACCOUNT_CREATED, user=by, obj=user, detail={"unit": unit.uscc})
        return user


def unit_of(user: User) -> Unit | None:
    """The unit an enterprise account acts for."""
    unit_ids = access.grants(user).units_for(Duty.VIEW)
    return Unit.objects.filter(pk__in=unit_ids).first() if unit_ids else None


# --- Sign-up (000 §四: the station knows the units of its area and confirms them) ----------------------

SIGNUP_FIELDS = ("uscc", "name", "kinds", "address", "legal_representative", "contact_person")


def _duplicate_uscc(uscc: str) -> ValidationError:
    if Unit.objects.filter(uscc=uscc, status=UnitStatus.REJECTED).exists():
        return ValidationError({"uscc": _(
            "统一社会信用代码 %(code)s 的注册未通过确认。请用注册时设置的账号登录，更正后重新提交。"
        ) % {"code": uscc}})
    return ValidationError({"uscc": _(
        "统一社会信用代码 %(code)s 已在平台登记，不能重复注册。如需开通账号，请联系属地市场监管所。"
    ) % {"code": uscc}})


def _station(jurisdiction) -> Jurisdiction:
    node = Jurisdiction.objects.filter(pk=getattr(jurisdiction, "pk", None), tier=Tier.STATION).first()
    if node is None:
        raise ValidationError({"jurisdiction": _("请选择单位所在地的市场监管所（乡镇、街道）。")})
    return node


def _seal_contact_phone(unit: Unit, phone: str) -> None:
    """Sealed, indexed and masked exactly as a person's phone is (``portal.kit.crypto``, ``masking``)."""
    with errors_on("contact_phone"):
        mobile = validate_mobile(phone or "")
    unit.contact_phone_cipher = crypto.encrypt(mobile, CONTACT_PHONE_PURPOSE)
    unit.contact_phone_digest = crypto.digest(mobile, CONTACT_PHONE_PURPOSE)
    unit.contact_phone_masked = mask_phone(mobile)


def _check_licence(licence) -> None:
    """营业执照: a scan or photo, through the same content check as every other upload."""
    if not licence:
        raise ValidationError({"licence": _("请上传营业执照（PDF、JPG 或 PNG）。")})
    with errors_on("licence"):
        validate_upload(licence)


def signup_unit(*, uscc: str, name: str, kinds, jurisdiction: Jurisdiction, username: str, display_name: str,
                password: str, contact_phone: str, licence, address: str = "", legal_representative: str = "",
                contact_person: str = "") -> tuple[Unit, User]:
    """An enterprise registers itself, unauthenticated: a PENDING unit at the station it names and its
    first account, both or neither. The station verifies whom it confirms by the 营业执照 and the
    contact phone (000 §四). The unique constraint on ``uscc`` is what stops a second unit when two
    sign-ups race; the pre-check only gives the common case its message early. Nobody is logged in
    yet, so the data-change history names the applicant's new account as the author."""
    with transaction.atomic(), pghistory.context(username=username.strip()):
        node = _station(jurisdiction)
        uscc = normalize_uscc(uscc)
        with errors_on("uscc"):
            validate_uscc(uscc)
        if Unit.objects.filter(uscc=uscc).exists():
            raise _duplicate_uscc(uscc)
        unit = Unit(uscc=uscc, name=name.strip(), kinds=_check_kinds(kinds), address=address.strip(),
                    legal_representative=legal_representative.strip(), contact_person=contact_person.strip(),
                    status=UnitStatus.PENDING)
        _seal_contact_phone(unit, contact_phone)
        _check_licence(licence)
        unit.licence = licence
        unit.place(node)
        try:
            with transaction.atomic():
                unit.save()
        except IntegrityError as exc:
            if Unit.objects.filter(uscc=uscc).exists():
                raise _duplicate_uscc(uscc) from exc
            raise
        try:
            with transaction.atomic():
                user = create_enterprise_user(by=access.SIGNUP, unit=unit, username=username, password=password,
                                              display_name=display_name)
        except IntegrityError as exc:
            raise ValidationError({"username": _("用户名“%(name)s”已被使用。") % {"name": username.strip()}}) from exc
        record(AuditEvent.Kind.DATA_CHANGED, username=user.username, obj=unit,
               detail={"action": "signup_unit", "jurisdiction": node.code, "contact_phone": unit.contact_phone_masked})
        return unit, user


def resubmit_unit(*, by: User, unit: Unit, jurisdiction: Jurisdiction, contact_phone: str = "", licence=None,
                  **fields) -> Unit:
    """The rejected applicant corrects its sign-up and submits it again: the unit is pending once more
    and back in the station's work list. The rejection stays on record — its audit event, the unit's
    history, and ``review_note``, which the reviewer reads beside the corrected details until the next
    review replaces it. A blank phone or licence keeps the one already given."""
    with transaction.atomic():
        unit = access.get_or_404(Unit.objects.select_for_update(), by, Duty.EDIT_UNIT, pk=unit.pk)
        if unit.status != UnitStatus.REJECTED:
            raise ValidationError(_("该单位当前状态为“%(status)s”，只有被驳回的注册可以更正后重新提交。") % {
                "status": unit.get_status_display()})
        before = {f: getattr(unit, f) for f in (*SIGNUP_FIELDS, "jurisdiction_id", "contact_phone_masked")}
        unit.uscc = _check_uscc(fields.get("uscc", unit.uscc), exclude_pk=unit.pk)
        unit.name = (fields.get("name") or "").strip() or unit.name
        unit.kinds = _check_kinds(fields.get("kinds", unit.kinds))
        for field in ("address", "legal_representative", "contact_person"):
            if field in fields:
                setattr(unit, field, (fields[field] or "").strip())
        if contact_phone:
            _seal_contact_phone(unit, contact_phone)
        if licence:
            _check_licence(licence)
            unit.licence = licence
        node = _station(jurisdiction)
        if node.pk != unit.jurisdiction_id:
            unit.place(node)
            _follow_unit(unit)
            User.objects.filter(pk__in=_unit_accounts(unit)).update(jurisdiction=node)
        rejected = {"reviewed_by": unit.reviewed_by_id, "reviewed_at": unit.reviewed_at.isoformat()
                    if unit.reviewed_at else None, "reason": unit.review_note}
        unit.status = UnitStatus.PENDING
        unit.save()
        after = {f: getattr(unit, f) for f in before}
        record(AuditEvent.Kind.DATA_CHANGED, user=by, obj=unit, detail={
            "action": "resubmit_unit", "rejected": rejected,
            "changed": {f: [str(before[f]), str(after[f])] for f in before if before[f] != after[f]}})
        return unit


def _unit_accounts(unit: Unit):
    """The enterprise accounts bound to ``unit``: the guardian grants on it are the binding (docs/access.md §Grants)."""
    return UnitUserObjectPermission.objects.filter(content_object=unit).values("user_id")


def _pending_unit(by: User, pk: int) -> Unit:
    """Lock the unit; only a regulator managing units over it finds it, and only while it is pending."""
    unit = access.get_or_404(Unit.objects.select_for_update(), by, Duty.MANAGE_UNITS, pk=pk)
    if unit.status != UnitStatus.PENDING:
        raise ValidationError(_("该单位当前状态为“%(status)s”，无需再次审核。") % {"status": unit.get_status_display()})
    return unit


def _review(by: User, unit: Unit, status: str, note: str, action: str) -> Unit:
    unit.status = status
    unit.reviewed_by, unit.reviewed_at, unit.review_note = by, timezone.now(), note
    unit.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note", "updated_at"])
    record(AuditEvent.Kind.APPROVAL, user=by, obj=unit, detail={"action": action, "note": note})
    return unit


def confirm_unit(*, by: User, unit: Unit, note: str = "") -> Unit:
    """The station (or a tier above it) confirms a signed-up unit is real and in its area (000 §四)."""
    with transaction.atomic():
        return _review(by, _pending_unit(by, unit.pk), UnitStatus.ACTIVE, (note or "").strip(), "confirm_unit")


def reject_unit(*, by: User, unit: Unit, reason: str) -> Unit:
    """Rejection needs a reason: the enterprise reads it on its dashboard."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写驳回理由。")})
    with transaction.atomic():
        return _review(by, _pending_unit(by, unit.pk), UnitStatus.REJECTED, reason, "reject_unit")


# --- Catalogue and equipment (docs/domain.md §Equipment catalogue) --------------------------------

CATALOGUE = Path(__file__).resolve().parent / "fixtures" / "equipment-catalogue.csv"


def load_equipment_catalogue(path: Path = CATALOGUE) -> int:
    """Load the 特种设备目录; idempotent (codes are updated in place, never deleted)."""
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with transaction.atomic():
        by_code = {t.code: t for t in EquipmentType.objects.all()}
        for row in rows:
            parent = by_code.get(row["parent_code"]) if row["parent_code"] else None
            node, _created = EquipmentType.objects.update_or_create(
                code=row["code"],
                defaults={"name": row["name"], "parent": parent, "registration_char": row["registration_char"]},
            )
            by_code[node.code] = node
    return len(rows)


def category_of(equipment_type: EquipmentType) -> EquipmentType:
    return EquipmentType.objects.get(code=equipment_type.category_code)


def validate_equipment_code(code: str, equipment_type: EquipmentType) -> str:
    """设备代码: 4-char variety + 5-digit maker + 4-digit year + 5-char serial (docs/domain.md §Identifiers); the
    legacy 20-digit 注册代码 is accepted too. The variety must match the chosen equipment type."""
    code = (code or "").strip().upper().replace(" ", "")
    if not code:
        return code
    if len(code) == 18:
        if not (code[4:13].isdigit() and code[13:].isalnum()):
            raise ValidationError({"code": _(
                "设备代码格式不正确：应为 4 位品种代码 + 5 位制造单位代码 + 4 位年份 + 5 位流水号。"
            )})
        if code[:4] != equipment_type.code and code[:2] != equipment_type.code[:2]:
            raise ValidationError({"code": _("设备代码的品种代码 %(v)s 与所选设备品种 %(t)s 不一致。") % {
                "v": code[:4], "t": equipment_type.code}})
    elif not (len(code) == 20 and code.isdigit()):
        raise ValidationError({"code": _("设备代码应为 18 位（或旧注册代码 20 位数字）。")})
    return code


EQUIPMENT_FIELDS = ("factory_number", "manufacturer", "model_number", "location", "place_kind", "commissioned_on",
                    "last_inspection_on", "next_inspection_on")


def add_equipment(*, by: User | access.System, unit: Unit, equipment_type: EquipmentType, code: str = "",
                  **fields) -> Equipment:
    """The unit enters a piece of equipment; it stays 未登记 until a use registration is approved."""
    with transaction.atomic():
        unit = access.get_or_404(Unit.objects.all(), by, Write.RECORDS, pk=unit.pk)
        if unit.status in (UnitStatus.PENDING, UnitStatus.REJECTED):
            raise ValidationError(_("单位尚未经属地市场监管所确认，暂不能录入设备。"))
        code = validate_equipment_code(code, equipment_type)
        if code and Equipment.objects.filter(code=code).exists():
            raise ValidationError({"code": _("设备代码 %(code)s 已登记在册，不能重复录入。") % {"code": code}})
        equipment = Equipment(unit=unit, equipment_type=equipment_type, category=category_of(equipment_type),
                              code=code, **{k: v for k, v in fields.items() if k in EQUIPMENT_FIELDS})
        equipment.place_with(unit)
        equipment.save()
        record(AuditEvent.Kind.DATA_CHANGED, user=by, obj=equipment, detail={"action": "add_equipment"})
        return equipment


# Variety and code identify the equipment on its certificate: fixed for everyone once registered.
IDENTITY_FIELDS = ("equipment_type", "code")
# What the registration states besides identity — the 使用登记证 names the factory number and the place of
# use, and the commissioning date sets the inspection schedule (docs/domain.md §Use registration, §Periodic inspection):
# once registered these change only through a change application (变更) the registering authority decides, so only a
# user holding REGISTER_EQUIPMENT over the equipment (the city, or the county while delegated) records them.
REGISTERED_FACTS = ("factory_number", "location", "commissioned_on")
# What the periodic inspection record sets (docs/domain.md §Periodic inspection): an enterprise moving its own due date
# would take the equipment off the overdue list. Until inspections are recorded in the portal, regulators enter them.
INSPECTION_FACTS = ("last_inspection_on", "next_inspection_on")
# Whether the equipment serves a public gathering place raises the unit's risk grade (docs/domain.md §Risk grade):
# once registered, the unit may not take it off by itself; the regulators who supervise it correct it.
GRADED_FACTS = ("place_kind",)


def fixed_equipment_fields(user: User, equipment: Equipment) -> dict[str, str]:
    """The record fields ``user`` sees but may not change on ``equipment``, each with the reason; none
    while the equipment is unregistered (the unit is still entering it)."""
    if equipment.status == EquipmentStatus.UNREGISTERED:
        return {}
    fixed = dict.fromkeys(IDENTITY_FIELDS,
                          _("设备已办理使用登记，设备品种和设备代码不能修改；如有错误请办理变更登记。"))
    if not access.can(user, Duty.REGISTER_EQUIPMENT, equipment):
        fixed.update(dict.fromkeys(REGISTERED_FACTS, _("设备已办理使用登记，登记事项须通过变更登记由登记机关办理。")))
    if access.is_enterprise(user):
        fixed.update(dict.fromkeys(INSPECTION_FACTS, _("定期检验日期以检验记录为准，由监管部门录入。")))
        fixed.update(dict.fromkeys(GRADED_FACTS, _("设备已办理使用登记，使用场所类别由监管部门核定。")))
    return fixed


def update_equipment(*, by: User, equipment: Equipment, version: int, equipment_type: EquipmentType | None = None,
                     code: str | None = None, **fields) -> Equipment:
    """Edit the record of a piece of equipment under optimistic locking: ``version`` is what the editor
    saw, and a save on top of someone else's change is refused rather than silently overwriting it.

    Status and registration number are not edited here; they move only through use registration
    (docs/domain.md §Use registration). Once registered, what ``fixed_equipment_fields`` names for the editor is refused
    when it would change. A save that changes nothing writes nothing.
    """
    with transaction.atomic():
        equipment = access.get_or_404(Equipment.objects.select_for_update(), by, Write.RECORDS, pk=equipment.pk)
        if equipment.version != version:
            raise ValidationError(_("该设备信息已被他人修改，您看到的不是最新内容。请重新打开编辑页面，核对后再保存。"))
        before = {f: getattr(equipment, f) for f in ("equipment_type_id", "code", *EQUIPMENT_FIELDS)}
        fixed = fixed_equipment_fields(by, equipment)
        new_type = equipment_type or equipment.equipment_type
        new_code = equipment.code if code is None else code.strip().upper().replace(" ", "")
        if new_code != equipment.code or new_type.pk != equipment.equipment_type_id:
            new_code = validate_equipment_code(new_code, new_type)
        if "code" in fixed and (new_type.pk != equipment.equipment_type_id or new_code != equipment.code):
            raise ValidationError(fixed["code"])
        if new_code and Equipment.objects.filter(code=new_code).exclude(pk=equipment.pk).exists():
            raise ValidationError({"code": _("设备代码 %(code)s 已登记在册，不能重复录入。") % {"code": new_code}})
        if new_type.pk != equipment.equipment_type_id:
            equipment.equipment_type, equipment.category = new_type, category_of(new_type)
        equipment.code = new_code
        for field, value in fields.items():
            if field not in EQUIPMENT_FIELDS:
                continue
            if field in fixed and value != getattr(equipment, field):
                raise ValidationError({field: fixed[field]})
            setattr(equipment, field, value)
        after = {f: getattr(equipment, f) for f in before}
        changed = {f: [str(before[f]), str(after[f])] for f in before if before[f] != after[f]}
        if not changed:
            return equipment
        equipment.version += 1
        equipment.save()
        record(AuditEvent.Kind.DATA_CHANGED, user=by, obj=equipment,
               detail={"action": "update_equipment", "changed": changed})
        return equipment


# --- Use registration (000 §二(二), §三(二); docs/domain.md §Use registration) -------------------------

# Which equipment states each kind of application starts from, and where approval takes it.
TRANSITIONS = {
    ApplicationKind.REGISTER: ({EquipmentStatus.UNREGISTERED}, EquipmentStatus.IN_USE),
    ApplicationKind.CHANGE: ({EquipmentStatus.IN_USE, EquipmentStatus.SUSPENDED}, None),
    ApplicationKind.SUSPEND: ({EquipmentStatus.IN_USE}, EquipmentStatus.SUSPENDED),
    ApplicationKind.RESUME: ({EquipmentStatus.SUSPENDED}, EquipmentStatus.IN_USE),
    ApplicationKind.DEREGISTER: ({EquipmentStatus.IN_USE, EquipmentStatus.SUSPENDED, EquipmentStatus.SCRAPPED},
                                 EquipmentStatus.DEREGISTERED),
}
REQUIRED_DOCUMENTS = {
    ApplicationKind.REGISTER: (DocumentKind.FORM, DocumentKind.PRODUCT_CERTIFICATE),
}
OPEN_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.ACCEPTED)
# The registered facts a 变更登记 may alter (docs/domain.md §Use registration: a change keeps the equipment's identity
# and covers relocation 移装, alteration 改造, change of user, renaming, use past design life; TSG 08-2017 §3.3).
# Of the facts ``fixed_equipment_fields`` locks for the enterprise only the place of use moves with one of
# those (移装 within the registering authority's area). Variety and code are identity; factory number and
# commissioning date are facts of the product's past that no change makes untrue (a wrong entry is a
# correction the registrar records); the inspection dates come from inspection records
# (docs/domain.md §Periodic inspection).
CHANGE_FIELDS = ("location",)
CHANGE_REQUIRED = {"location": gettext_lazy("请填写变更后的安装使用地点。")}
ALLOWED_UPLOADS = {".pdf": b"%PDF", ".jpg": b"\xff\xd8\xff", ".jpeg": b"\xff\xd8\xff", ".png": b"\x89PNG"}


def validate_upload(upload) -> None:
    """PDF, JPEG or PNG only, size-capped, checked by content not just by name (docs/security.md §Uploads)."""
    suffix = Path(upload.name).suffix.lower()
    if suffix not in ALLOWED_UPLOADS:
        raise ValidationError(_("只接受 PDF、JPG、PNG 格式的材料：%(name)s") % {"name": upload.name})
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(_("文件 %(name)s 超过 %(mb)d MB 上限。") % {
            "name": upload.name, "mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024)})
    head = upload.read(8)
    upload.seek(0)
    if not head.startswith(ALLOWED_UPLOADS[suffix]):
        raise ValidationError(_("文件 %(name)s 的内容与扩展名不符。") % {"name": upload.name})


def eligible_equipment(unit: Unit, kind: str):
    """The unit's equipment an application of ``kind`` may name: in a state the kind starts from and
    not already in an open application (docs/domain.md §Use registration)."""
    allowed_from, _to = TRANSITIONS[ApplicationKind(kind)]
    busy = Application.equipment.through.objects.filter(application__status__in=OPEN_STATUSES).values("equipment_id")
    return (Equipment.objects.filter(unit=unit, status__in=allowed_from).exclude(pk__in=busy)
            .select_related("equipment_type").order_by("equipment_type__code", "code", "pk"))


def _change_field(name: str):
    """The model's form field for ``name`` — the check the equipment edit form's field makes (type, max
    length) — but required: a change application must state the new value."""
    field = Equipment._meta.get_field(name).formfield(required=True)
    field.error_messages["required"] = CHANGE_REQUIRED.get(name, field.error_messages["required"])
    return field


def _as_json(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def check_changes(equipment: Equipment, changes: dict) -> dict:
    """``changes`` ({field: new value}) as stored on a 变更登记: each key in ``CHANGE_FIELDS``, each value
    valid for the field and different from what the equipment is registered with. Errors name the field."""
    if not changes:
        raise ValidationError({CHANGE_FIELDS[0]: _("请填写变更后的登记事项。")})
    errors, checked = {}, {}
    for name, raw in changes.items():
        if name not in CHANGE_FIELDS:
            errors[name] = _("该项不属于变更登记事项，不能通过变更申请修改。")
            continue
        try:
            value = _change_field(name).clean(raw.strip() if isinstance(raw, str) else raw)
        except ValidationError as exc:
            errors[name] = exc.error_list
            continue
        old = getattr(equipment, name)
        if value == old:
            errors[name] = _("与现登记内容相同，请填写变更后的内容。")
            continue
        checked[name] = {"old": _as_json(old) if old is not None else "", "new": _as_json(value)}
    if errors:
        raise ValidationError(errors)
    return checked


def change_rows(application: Application) -> list[dict]:
    """A change application's facts as label, old and new value, for its page and its decision."""
    return [{"field": name, "label": Equipment._meta.get_field(name).verbose_name,
             "old": application.changes[name]["old"], "new": application.changes[name]["new"]}
            for name in CHANGE_FIELDS if name in application.changes]


def open_application(equipment: Equipment) -> Application | None:
    """The application in progress for ``equipment``, if any: at most one, ``submit_application`` sees to it."""
    return equipment.applications.filter(status__in=OPEN_STATUSES).order_by("-pk").first()


def application_kinds_for(equipment: Equipment, *, busy: bool) -> list[ApplicationKind]:
    """The kinds of application the unit may file for ``equipment`` now (the rule ``submit_application``
    enforces): those starting from its state, none while another one for it is open (``busy``)."""
    if busy:
        return []
    return [kind for kind, (allowed_from, _to) in TRANSITIONS.items() if equipment.status in allowed_from]


def registration_authority(unit: Unit) -> Jurisdiction:
    """The city-tier node of the unit: it registers, or delegates to the county (000 §二(二))."""
    return Jurisdiction.objects.get(pk=unit.city_id)


def submit_application(*, by: User, unit: Unit, kind: str, equipment, reason: str = "",
                       documents: list[tuple[str, object]] = (), changes: dict | None = None) -> Application:
    """The enterprise applies for one or several pieces of its equipment, with the documents.

    A 变更登记 names one piece of equipment and the new values of its registered facts (``changes``, see
    ``check_changes``): the use registration certificate is per piece (按台套, docs/domain.md §Use registration), and so
    is the change of what it states. Approval applies them (``approve_application``)."""
    kind = ApplicationKind(kind)
    with transaction.atomic():
        unit = access.get_or_404(Unit.objects.all(), by, Duty.KEEP_RECORDS, pk=unit.pk)
        ids = sorted({e.pk for e in equipment})
        if not ids:
            raise ValidationError({"equipment": _("请至少选择一台设备。")})
        rows = list(
            Equipment.objects.select_for_update().filter(pk__in=ids, unit=unit).select_related("equipment_type")
        )
        if len(rows) != len(ids):
            raise ValidationError({"equipment": _("所选设备不属于本单位。")})
        allowed_from, _to = TRANSITIONS[kind]
        wrong = [e for e in rows if e.status not in allowed_from]
        if wrong:
            raise ValidationError({"equipment": _("以下设备当前状态不能申请%(kind)s：%(list)s") % {
                "kind": kind.label, "list": listing(noted(e, e.get_status_display()) for e in wrong)}})
        busy = Application.objects.filter(equipment__in=rows, status__in=OPEN_STATUSES).distinct().order_by("pk")
        if busy:
            raise ValidationError({"equipment": _("所选设备已有办理中的申请（%(numbers)s），请等待办结。") % {
                "numbers": listing(a.number for a in busy)}})
        if kind == ApplicationKind.CHANGE:
            if len(rows) != 1:
                raise ValidationError({"equipment": _("变更登记每次申请一台设备，请只选择一台。")})
            changes = check_changes(rows[0], changes or {})
        elif changes:
            raise ValidationError(_("只有变更登记申请可以填写变更事项。"))
        present = {k for k, _f in documents}
        missing = [str(DocumentKind(k).label) for k in REQUIRED_DOCUMENTS.get(kind, ()) if k not in present]
        if missing:
            raise ValidationError({"documents": _("缺少申请材料：%(list)s") % {"list": listing(missing)}})
        for _k, upload in documents:
            validate_upload(upload)
        authority = registration_authority(unit)
        application = Application(unit=unit, kind=kind, authority=authority, reason=reason.strip(), submitted_by=by,
                                  changes=changes or {},
                                  acceptance_number=acceptance_number(authority, timezone.localdate().year),
                                  due_on=timezone.localdate() + timedelta(days=settings.REGISTRATION_DUE_DAYS))
        application.place_with(unit)
        application.save()
        application.equipment.set(rows)
        for doc_kind, upload in documents:
            ApplicationDocument.objects.create(application=application, kind=doc_kind, file=upload,
                                               original_name=Path(upload.name).name[:200], size=upload.size,
                                               uploaded_by=by)
        record(AuditEvent.Kind.DATA_CHANGED, user=by, obj=application,
               detail={"action": "submit_application", "kind": kind, "equipment": ids,
                       "acceptance_number": application.acceptance_number, **({"changes": changes} if changes else {})})
        return application


def _decidable(by: User, pk: int, expected: tuple[str, ...]) -> Application:
    """Lock the application; only the competent authority (the city, or the county while delegated)
    finds it, and only in the expected state."""
    application = access.get_or_404(Application.objects.select_for_update(), by, Duty.REGISTER_EQUIPMENT, pk=pk)
    if application.status not in expected:
        raise ValidationError(_("该申请当前状态为“%(status)s”，不能执行此操作。") % {
            "status": application.get_status_display()})
    return application


def accept_application(*, by: User, application: Application) -> Application:
    with transaction.atomic():
        application = _decidable(by, application.pk, (ApplicationStatus.SUBMITTED,))
        application.status = ApplicationStatus.ACCEPTED
        application.accepted_by, application.accepted_at = by, timezone.now()
        application.version += 1
        application.save()
        record(AuditEvent.Kind.APPROVAL, user=by, obj=application, detail={"action": "accept"})
        return application


def certificate_number(equipment: Equipment, city: Jurisdiction, year: int) -> str:
    """使用登记证编号: 类别字 + 品种代码第 2–3 位 + 甘 + 城市字母 + 流水号 + (年份两位) (docs/domain.md §Identifiers,
    [P]/[M]).

    The city letters are settings data (``USE_REGISTRATION_CITY_LETTERS``); the serial is gap-free
    per prefix and year.
    """
    letter = settings.USE_REGISTRATION_CITY_LETTERS.get(city.code, "Z")
    variety = equipment.equipment_type
    prefix = f"{variety.registration_char or '设'}{variety.code[1:3]}{settings.USE_REGISTRATION_PROVINCE}{letter}"
    serial = next_serial(prefix, year)
    return f"{prefix}{serial:05d}({year % 100:02d})"


def _authority_number(authority: Jurisdiction, word: str, year: int) -> str:
    """The authority's next number of kind ``word`` (docs/domain.md §Identifiers [P]: per issuer and year, unique and
    gap-free)."""
    return document_number(authority.abbreviation(), word, year, next_serial(f"{authority.code}:{word}", year))


def acceptance_number(authority: Jurisdiction, year: int) -> str:
    """受理编号 ``（兰州）特设受〔2026〕第12号``, given when the application is filed so the applicant quotes
    it from the first day. A withdrawn application keeps its number, so withdrawal leaves no gap."""
    return _authority_number(authority, settings.REGISTRATION_ACCEPTANCE_WORD, year)


def decision_number(authority: Jurisdiction, year: int) -> str:
    return _authority_number(authority, settings.REGISTRATION_DOCUMENT_WORD, year)


def approve_application(*, by: User, application: Application, opinion: str = "") -> Application:
    """Approve: equipment changes state and, for a first registration, receives its certificate number;
    a 变更登记's new values replace the registered ones, in the same transaction, each change audited
    with old and new value. The equipment is locked and must still be in a state the kind starts from
    (nothing else moves it while the application is open, but the rule is checked where it is applied).
    The 审查意见 is optional here; a refusal must give one (``reject_application``)."""
    opinion = (opinion or "").strip()
    with transaction.atomic():
        application = _decidable(by, application.pk, (ApplicationStatus.ACCEPTED,))
        today = timezone.localdate()
        allowed_from, target = TRANSITIONS[ApplicationKind(application.kind)]
        rows = list(application.equipment.select_for_update().select_related("equipment_type").order_by("pk"))
        wrong = [e for e in rows if e.status not in allowed_from]
        if wrong:
            raise ValidationError(_("以下设备当前状态不能办理%(kind)s：%(list)s") % {
                "kind": application.get_kind_display(),
                "list": listing(noted(e, e.get_status_display()) for e in wrong)})
        for equipment in rows:
            if application.kind == ApplicationKind.CHANGE:
                _apply_changes(by, application, equipment)
            if application.kind == ApplicationKind.REGISTER:
                equipment.registration_number = certificate_number(equipment, application.authority, today.year)
                equipment.registered_on = today
            if target is not None:
                equipment.status = target
            equipment.version += 1
            equipment.save()
        application.status = ApplicationStatus.APPROVED
        application.decided_by, application.decided_at = by, timezone.now()
        application.decided_by_authority_id = by.jurisdiction_id
        application.decision_number = decision_number(application.authority, today.year)
        application.decision_note = opinion
        application.version += 1
        application.save()
        record(AuditEvent.Kind.APPROVAL, user=by, obj=application,
               detail={"action": "approve", "decision_number": application.decision_number, "opinion": opinion,
                       "certificates": [e.registration_number for e in rows if e.registration_number],
                       **({"changes": application.changes} if application.changes else {})})
        return application


def _apply_changes(by: User, application: Application, equipment: Equipment) -> None:
    """Set the approved new values on ``equipment`` (locked by the caller). ``old`` is rewritten to what
    the approval actually replaced, should the registrar have corrected the record meanwhile."""
    changed = {}
    for name, change in application.changes.items():
        if name not in CHANGE_FIELDS:
            raise ValidationError(_("申请中含有不属于变更登记的事项，不能办理。"))
        old, new = getattr(equipment, name), _change_field(name).clean(change["new"])
        setattr(equipment, name, new)
        change["old"] = _as_json(old) if old is not None else ""
        changed[name] = [change["old"], change["new"]]
    record(AuditEvent.Kind.DATA_CHANGED, user=by, obj=equipment,
           detail={"action": "change_registration", "application": application.number, "changed": changed})


def reject_application(*, by: User, application: Application, reason: str) -> Application:
    """Refuse: the 审查意见 is required, and is the reason the decision states."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写审查意见，写明不予办理的理由。")})
    with transaction.atomic():
        application = _decidable(by, application.pk, OPEN_STATUSES)
        application.status = ApplicationStatus.REJECTED
        application.decided_by, application.decided_at = by, timezone.now()
        application.decided_by_authority_id = by.jurisdiction_id
        application.decision_note = reason
        application.decision_number = decision_number(application.authority, timezone.localdate().year)
        application.version += 1
        application.save()
        record(AuditEvent.Kind.APPROVAL, user=by, obj=application, detail={"action": "reject", "reason": reason})
        return application


def withdraw_application(*, by: User, application: Application) -> Application:
    """The applicant takes its application back before the authority has accepted it; afterwards only
    the authority's decision ends it. The equipment is free for a new application at once."""
    with transaction.atomic():
        application = access.get_or_404(Application.objects.select_for_update(), by, Duty.KEEP_RECORDS,
                                         pk=application.pk)
        if application.status != ApplicationStatus.SUBMITTED:
            raise ValidationError(_("该申请当前状态为“%(status)s”，已受理或办结的申请不能撤回。") % {
                "status": application.get_status_display()})
        application.status = ApplicationStatus.WITHDRAWN
        application.withdrawn_at = timezone.now()
        application.version += 1
        application.save()
        record(AuditEvent.Kind.DATA_CHANGED, user=by, obj=application,
               detail={"action": "withdraw_application", "acceptance_number": application.acceptance_number})
        return application


# --- Work notifications (告知; 000 §二(二)) ------------------------------------------------------------

def submit_notification(*, by: User, notifier: Unit, kind: str, site_uscc: str, equipment_type: EquipmentType,
                        site_address: str, planned_start, description: str = "",
                        equipment: Equipment | None = None) -> WorkNotification:
    """A production unit tells the city before it installs, alters or repairs equipment at a usage unit
    (000 §二(二)). The notice is placed where the work is, so the site's city and county find it."""
    kind = NotificationKind(kind)
    with transaction.atomic():
        notifier = access.get_or_404(Unit.objects.all(), by, Duty.KEEP_RECORDS, pk=notifier.pk)
        if UnitKind.PRODUCTION not in notifier.kinds:
            raise ValidationError(_("只有生产单位可以提交安装、改造、修理告知。"))
        uscc = normalize_uscc(site_uscc or "")
        try:
            with errors_on("uscc"):
                validate_uscc(uscc)
        except ValidationError as exc:
            raise ValidationError({"site_uscc": exc.messages}) from exc
        site = Unit.objects.select_related("jurisdiction").filter(uscc=uscc, status=UnitStatus.ACTIVE).first()
        if site is None:
            raise ValidationError({"site_uscc": _("未找到统一社会信用代码为 %(code)s 的在册使用单位，请核对。") % {
                "code": uscc}})
        if planned_start < timezone.localdate():
            raise ValidationError({"planned_start": _("计划开工日期不能早于今天。")})
        site_address = (site_address or "").strip()
        if not site_address:
            raise ValidationError({"site_address": _("请填写施工地点。")})
        if equipment is not None and equipment.unit_id != site.pk:
            raise ValidationError({"equipment": _("所选设备不属于该使用单位。")})
        notification = WorkNotification(
            notifier=notifier, site_unit=site, kind=kind, equipment_type=equipment_type, equipment=equipment,
            site_address=site_address, planned_start=planned_start, description=(description or "").strip(),
            submitted_by=by,
        )
        notification.place_with(site)
        notification.save()
        record(AuditEvent.Kind.DATA_CHANGED, user=by, obj=notification,
               detail={"action": "submit_notification", "kind": kind, "site": site.uscc})
        return notification


def acknowledge_notification(*, by: User, notification: WorkNotification) -> WorkNotification:
    """The city confirms it has received the notice (000 §二(二)); counties only see it."""
    with transaction.atomic():
        notification = access.get_or_404(WorkNotification.objects.select_for_update(), by,
                                         Duty.ACCEPT_NOTIFICATIONS, pk=notification.pk)
        if notification.status != NotificationStatus.SUBMITTED:
            raise ValidationError(_("该告知已确认，无需重复确认。"))
        notification.status = NotificationStatus.ACKNOWLEDGED
        notification.acknowledged_by, notification.acknowledged_at = by, timezone.now()
        notification.save()
        record(AuditEvent.Kind.APPROVAL, user=by, obj=notification, detail={"action": "acknowledge_notification"})
        return notification
