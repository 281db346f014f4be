"""The one module that answers "may this user do this here?" (docs/access.md, docs/security.md §Authorisation).

A regulator holds duties as guardian object permissions on its jurisdiction node; a grant covers
the node's subtree. An enterprise user holds duties on its unit. A user's grants are read once per
request (one query) and kept on the user object; no per-row permission lookups.

Models say how they reach a jurisdiction with a class attribute ``access_path``:

- ``"columns"``: the row carries ``province_id/city_id/county_id/station_id`` (``Placed`` models);
  a grant on a node of tier T is the indexed equality ``T_id = node``.
- the name of a foreign key to ``Jurisdiction`` (e.g. ``"jurisdiction"``): tree-range match through it.
- ``"tree"`` (``Jurisdiction`` itself): tree-range match on the node.

and, optionally, how they reach a unit with ``unit_path`` (``"pk"`` on ``Unit``, ``"unit"`` on rows
owned by a unit), which is what enterprise grants match.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.http import Http404

from jurisdictions.duties import Duty, Write
from jurisdictions.models import AuditEvent, Jurisdiction, JurisdictionUserObjectPermission


@dataclass(frozen=True)
class NodeGrant:
    id: int
    tier: str
    tree_id: int
    lft: int
    rght: int

    def covers(self, node: Jurisdiction) -> bool:
        return node.tree_id == self.tree_id and self.lft <= node.lft and node.rght <= self.rght


@dataclass
class Grants:
    """Everything one user may do, by duty: the nodes (with subtrees) and the units."""

    nodes: dict[str, list[NodeGrant]] = field(default_factory=dict)
    units: dict[str, set[int]] = field(default_factory=dict)

    def nodes_for(self, duty: str) -> list[NodeGrant]:
        return self.nodes.get(str(duty), [])

    def units_for(self, duty: str) -> set[int]:
        return self.units.get(str(duty), set())

    def holds(self, duty: str) -> bool:
        return bool(self.nodes_for(duty) or self.units_for(duty))

    @property
    def top_nodes(self) -> list[NodeGrant]:
        """The highest granted nodes (for the dashboard and the tree browser)."""
        every = {g for grants in self.nodes.values() for g in grants}
        return sorted((g for g in every if not any(o != g and o.covers(g) for o in every)), key=lambda g: g.lft)


class System:
    """The portal acting on its own account, never a visitor: the server's command line (``manage.py
    create_regulator``, the demo seeders), the scheduled tasks (a delegation's term ending), a public form
    (an enterprise signing itself up, 000 §四). Services take it as ``by`` where they would take a user; it
    acts anywhere, holds no account (``account(by)`` is None) and the audit trail names it. No request can
    carry one: it is not a ``User`` and has no session.
    """

    is_authenticated = False
    is_active = False
    is_enterprise = False
    is_regulator = False
    pk = None

    def __init__(self, name: str):
        self.name = name

    def __repr__(self):
        return f"System({self.name!r})"


COMMAND_LINE = System("command_line")
SCHEDULE = System("schedule")
SIGNUP = System("signup")


def account(actor):
    """The user account behind ``actor``, for the ``created_by``/``revoked_by`` columns; None for the system."""
    return None if isinstance(actor, System) else actor


REGULATORS = "regulators"
ENTERPRISES = "enterprises"


def is_enterprise(user) -> bool:
    """An account of a unit (seed 002), as opposed to a regulator's or the system's."""
    return bool(user is not None and user.is_authenticated and user.is_enterprise)


def is_regulator(user) -> bool:
    """An account of a market-regulation department, bound to a jurisdiction node (000 §一–§四)."""
    return bool(user is not None and user.is_authenticated and user.is_regulator)


def in_audience(user, audience: str | None) -> bool:
    """Whether a page meant for ``audience`` (``REGULATORS``, ``ENTERPRISES`` or None) is for ``user``."""
    if audience is None:
        return True
    return {REGULATORS: is_regulator, ENTERPRISES: is_enterprise}[audience](user)


def resolve(user, duty: str | Write) -> str:
    """The duty ``user`` needs: a ``Write`` resolves by the kind of account (duties.Write)."""
    if isinstance(duty, Write):
        return duty.duty_for(enterprise=is_enterprise(user))
    return duty


def unit_grant_model():
    return apps.get_model(settings.ACCESS_UNIT_GRANT_MODEL)


def grants(user) -> Grants:
    """The user's duties, from its guardian rows only.

    ``is_superuser`` adds nothing here: the system administrator (三员分立, GB/T 22239-2019 level 3)
    configures the system in ``/admin/`` and reads no personal or business records, so without a role it
    has no scope at all; a superuser that is also given a regulator role holds exactly that role's
    grants (docs/accounts.md).
    """
    cached = getattr(user, "_access_grants", None)
    if cached is not None:
        return cached
    result = Grants()
    if user is None or not user.is_authenticated or not user.is_active:
        pass
    elif user.is_enterprise:
        rows = unit_grant_model().objects.filter(user=user).values_list("permission__codename", "content_object_id")
        for codename, unit_id in rows:
            result.units.setdefault(codename, set()).add(unit_id)
    else:
        rows = JurisdictionUserObjectPermission.objects.filter(user=user).values_list(
            "permission__codename",
            "content_object_id",
            "content_object__tier",
            "content_object__tree_id",
            "content_object__lft",
            "content_object__rght",
        )
        for codename, node_id, tier, tree_id, lft, rght in rows:
            result.nodes.setdefault(codename, []).append(NodeGrant(node_id, tier, tree_id, lft, rght))
    user._access_grants = result
    return result


def forget(user) -> None:
    """Drop the per-request cache after the user's grants changed."""
    if hasattr(user, "_access_grants"):
        del user._access_grants


def _tree_q(prefix: str, node: NodeGrant) -> Q:
    return Q(**{f"{prefix}tree_id": node.tree_id, f"{prefix}lft__gte": node.lft, f"{prefix}rght__lte": node.rght})


def scope_q(model: type[models.Model], user, duty: str) -> Q:
    """The filter selecting the rows of ``model`` the user may ``duty``; no grant selects no row."""
    if isinstance(user, System):
        return Q()
    duty = resolve(user, duty)
    g = grants(user)
    q = Q(pk__in=[])
    nodes = g.nodes_for(duty)
    if nodes:
        path = getattr(model, "access_path", None)
        if path is None:
            raise ImproperlyScoped(model)
        for node in nodes:
            if path == "columns":
                q |= Q(**{f"{node.tier}_id": node.id})
            else:
                q |= _tree_q("" if path == "tree" else f"{path}__", node)
    units = g.units_for(duty)
    unit_path = getattr(model, "unit_path", None)
    if units and unit_path:
        q |= Q(**{f"{unit_path}__in": sorted(units)})
    return q


class ImproperlyScoped(Exception):
    def __init__(self, model):
        super().__init__(f"{model.__name__} declares no access_path; it cannot be scoped")


def scope(queryset: models.QuerySet, user, duty: str = Duty.VIEW) -> models.QuerySet:
    """Narrow ``queryset`` to the rows ``user`` may ``duty``. Every list, export and choice uses this."""
    return queryset.filter(scope_q(queryset.model, user, duty))


def can(user, duty: str, obj: models.Model | None = None) -> bool:
    """Whether ``user`` may ``duty`` on ``obj`` (or anywhere, when ``obj`` is None)."""
    if isinstance(user, System):
        return True
    duty = resolve(user, duty)
    g = grants(user)
    if obj is None:
        return g.holds(duty)
    if isinstance(obj, Jurisdiction):
        return any(node.covers(obj) for node in g.nodes_for(duty))
    path = getattr(obj, "access_path", None)
    if path == "columns" and any(getattr(obj, f"{n.tier}_id") == n.id for n in g.nodes_for(duty)):
        return True
    unit_path = getattr(obj, "unit_path", None)
    if unit_path:
        unit_id = obj.pk if unit_path == "pk" else getattr(obj, f"{unit_path}_id", None)
        if unit_id in g.units_for(duty):
            return True
    if path not in (None, "columns", "tree"):
        return scope(type(obj)._default_manager.filter(pk=obj.pk), user, duty).exists()
    return False


def get_or_404(queryset: models.QuerySet, user, duty: str = Duty.VIEW, **lookup):
    """Fetch one row through the scope; out of scope answers exactly like a missing id."""
    try:
        return scope(queryset, user, duty).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc


def require(user, duty: str, obj: models.Model | None = None) -> None:
    """Raise 404 unless ``can``; writes re-check inside their transaction with this."""
    if not can(user, duty, obj):
        raise Http404


def home_node(user) -> Jurisdiction | None:
    """The node the user's view of the tree starts from: its account's node."""
    return user.jurisdiction if user.is_authenticated else None


def node_scope(user, duty: str = Duty.VIEW) -> models.QuerySet:
    return scope(Jurisdiction.objects.all(), user, duty)


def record_event(kind, *, user=None, success=True, obj=None, detail=None, username=None) -> AuditEvent:
    """Write one security event in the caller's transaction; if it fails, the action fails."""
    from jurisdictions.audit import record

    return record(kind, user=user, success=success, obj=obj, detail=detail, username=username)
