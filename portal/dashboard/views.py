"""Tier dashboards (top layer: reads every app)."""

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language

from inspections.routines import filing
from inspections.routines.models import DailyCheck
from jurisdictions import access
from jurisdictions.duties import Duty, Tier
from jurisdictions.models import Jurisdiction, User
from personnel import services as personnel_services
from personnel.querysets import needing_attention
from units import querysets as unit_querysets
from units.choices import UnitStatus
from units.models import Equipment, Unit
from units.services import unit_of

COUNTS_TTL = 60
UNITS_SHOWN = 20


def node_figures(node: Jurisdiction, user) -> dict:
    """What the jurisdiction page shows of a node's subtree, each figure with the list behind it: every
    count is one indexed equality on the rows' ancestor column (``Placed``), scoped to the user. A node
    without children (a station) lists its first units as well. Cached briefly like the dashboard."""
    # The figures carry labels (statuses, kinds, tiers) in the reader's language: one entry per language.
    key = f"dashboard:figures:{node.pk}:{user.pk}:{get_language()}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    column = {f"{node.tier}_id": node.pk}
    units = access.scope(Unit.objects.filter(**column), user, Duty.VIEW)
    equipment = access.scope(Equipment.objects.filter(**column), user, Duty.VIEW)
    figures = {
        "units": units.count(),
        "equipment": equipment.count(),
        "overdue": access.scope(unit_querysets.inspection_overdue().filter(**column), user, Duty.VIEW).count(),
        "due": access.scope(unit_querysets.inspection_due().filter(**column), user, Duty.VIEW).count(),
        "attention": needing_attention(units).count(),
        "listing": [{"pk": u.pk, "name": u.name, "uscc": u.uscc, "status": u.get_status_display(),
                     "kinds": u.get_kinds_display()}
                    for u in units.order_by("name", "id")[:UNITS_SHOWN]] if node.is_leaf_node() else None,
    }
    cache.set(key, figures, COUNTS_TTL)
    return figures


def subtree_summary(node: Jurisdiction, user) -> dict:
    """Counts for a node's subtree, cached briefly: the dashboard is the busiest page."""
    key = f"dashboard:summary:{node.pk}:{user.pk}:{get_language()}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    descendants = node.get_descendants()
    # order_by(): MPTT's default ordering (tree_id, lft) would join the GROUP BY and count each node as 1.
    tiers = dict(descendants.order_by().values_list("tier").annotate(n=Count("id")).values_list("tier", "n"))
    units = access.scope(Unit.objects.filter(**{f"{node.tier}_id": node.pk}), user, Duty.VIEW)
    children = list(node.get_children().only("id", "name", "code", "tier"))
    per_child: dict[int, int] = {}
    for tier in {child.tier for child in children}:
        column = f"{tier}_id"
        rows = units.filter(**{f"{column}__in": [c.pk for c in children if c.tier == tier]})
        per_child.update(dict(rows.order_by().values_list(column).annotate(n=Count("id")).values_list(column, "n")))
    summary = {
        "tiers": {t.label: tiers.get(t.value, 0) for t in Tier if tiers.get(t.value)},
        "units": units.count(),
        "accounts": access.scope(User.objects.filter(is_active=True), user, Duty.VIEW)
        .filter(jurisdiction__tree_id=node.tree_id, jurisdiction__lft__gte=node.lft,
                jurisdiction__rght__lte=node.rght).count(),
        "children": [{"id": c.pk, "name": c.name, "code": c.code, "tier": c.get_tier_display(),
                      "units": per_child.get(c.pk, 0)} for c in children],
    }
    cache.set(key, summary, COUNTS_TTL)
    return summary


def routine_duties(user, unit) -> dict:
    """Which of 日管控、周排查、月调度 this account signs (its person's posts today), and whether today's check
    is in: the enterprise's first screen leads the officer straight to the day's check."""
    if unit is None or unit.status in (UnitStatus.PENDING, UnitStatus.REJECTED):
        return {}
    posts = personnel_services.posts_held(user, unit, timezone.localdate())
    officer = bool(posts & filing.OFFICER_POSTS)
    return {"officer": officer, "director": bool(posts & filing.DIRECTOR_POSTS),
            "principal": bool(posts & filing.PRINCIPAL_POSTS),
            "filed_today": officer and DailyCheck.objects.filter(unit=unit, day=timezone.localdate()).exists()}


@login_required
def home(request):
    user = request.user
    if access.is_enterprise(user):
        unit = unit_of(user)
        return render(request, "dashboard/enterprise.html", {"unit": unit, "duties": routine_duties(user, unit)})
    top = access.grants(user).top_nodes
    if not top:
        return render(request, "dashboard/no_scope.html", status=200)
    node = Jurisdiction.objects.get(pk=top[0].id)
    return render(request, "dashboard/home.html", {"node": node, "summary": subtree_summary(node, user),
                                                   "can_manage_accounts": access.can(user, Duty.MANAGE_ACCOUNTS)})


@login_required
def my_unit(request):
    unit = unit_of(request.user)
    if unit is None:
        raise Http404
    return redirect(unit)
