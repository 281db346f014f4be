"""Writes to units and their enterprise accounts (DESIGN §3.2). The units issue adds sign-up,
equipment and use registration on top of these."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm

from jurisdictions import access
from jurisdictions.audit import record
from jurisdictions.duties import ENTERPRISE_DUTIES, Duty, Role
from jurisdictions.models import AuditEvent, Jurisdiction, User
from jurisdictions.services import role_group
from portal.kit.identifiers import normalize_uscc, validate_uscc
from units.choices import UnitKind, UnitStatus
from units.models import Unit

UNIT_FIELDS = ("name", "kinds", "address", "legal_representative", "risk_grade")


def _check_kinds(kinds) -> list[str]:
    kinds = sorted(set(kinds or []))
    if not kinds or any(k not in UnitKind.values for k in kinds):
        raise ValidationError({"kinds": _("请至少选择一个单位类别（生产、使用、充装）。")})
    return kinds


def _check_uscc(uscc: str, *, exclude_pk=None) -> str:
    uscc = normalize_uscc(uscc)
    validate_uscc(uscc)
    clash = Unit.objects.filter(uscc=uscc).exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"uscc": _("统一社会信用代码 %(code)s 已登记，不能重复创建单位。") % {"code": uscc}})
    return uscc


def create_unit(*, by: User, uscc: str, name: str, kinds, jurisdiction: Jurisdiction, address: str = "",
                legal_representative: str = "", risk_grade: str = "", status: str = UnitStatus.ACTIVE) -> Unit:
    """A regulator enters a unit inside its own subtree."""
    with transaction.atomic():
        node = access.get_or_404(Jurisdiction.objects.all(), by, Duty.MANAGE_UNITS, pk=jurisdiction.pk)
        unit = Unit(uscc=_check_uscc(uscc), name=name.strip(), kinds=_check_kinds(kinds), address=address,
                    legal_representative=legal_representative, risk_grade=risk_grade, status=status)
        unit.place(node)
        unit.save()
        record(AuditEvent.Kind.DATA_CHANGED, user=by, obj=unit, detail={"action": "create_unit"})
        return unit


def update_unit(*, by: User, unit: Unit, jurisdiction: Jurisdiction | None = None, **changes) -> Unit:
    """Edit a unit. Regulators may move it only within their subtree; enterprises may not move it."""
    with transaction.atomic():
        unit = access.get_or_404(Unit.objects.select_for_update(), by, Duty.EDIT_UNIT if by.is_enterprise
                                 else Duty.MANAGE_UNITS, pk=unit.pk)
        before = {f: getattr(unit, f) for f in UNIT_FIELDS}
        for field in UNIT_FIELDS:
            if field in changes:
                setattr(unit, field, changes[field])
        unit.kinds = _check_kinds(unit.kinds)
        if jurisdiction is not None and jurisdiction.pk != unit.jurisdiction_id:
            if by.is_enterprise:
                raise ValidationError({"jurisdiction": _("企业用户不能变更所属辖区，请联系属地市场监管所。")})
            node = access.get_or_404(Jurisdiction.objects.all(), by, Duty.MANAGE_UNITS, pk=jurisdiction.pk)
            unit.place(node)
        unit.save()
        after = {f: getattr(unit, f) for f in UNIT_FIELDS}
        changed = {f: [before[f], after[f]] for f in UNIT_FIELDS if before[f] != after[f]}
        record(AuditEvent.Kind.DATA_CHANGED, user=by, obj=unit, detail={"action": "update_unit", "changed": changed})
        return unit


def create_enterprise_user(*, by: User | None, unit: Unit, username: str, password: str, display_name: str,
                           email: str = "") -> User:
    """An account bound to one unit: the guardian grants on the unit are the binding (DESIGN §3.1)."""
    with transaction.atomic():
        if by is not None:
            unit = access.get_or_404(Unit.objects.all(), by, Duty.MANAGE_UNIT_ACCOUNTS if by.is_enterprise
                                     else Duty.MANAGE_UNITS, pk=unit.pk)
        username = (username or "").strip()
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError({"username": _("用户名“%(name)s”已被使用。") % {"name": username}})
        user = User(username=username, display_name=display_name.strip(), email=email, role=Role.ENTERPRISE,
                    jurisdiction=unit.jurisdiction, created_by=by)
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
