"""Reads other supervision features draw on: the inspector pool (docs/domain.md §Inspector pool) and the leaders an
overdue directive or 三书一函 reply is reported to."""

from __future__ import annotations

from datetime import date
from functools import reduce
from operator import or_

from django.db.models import Exists, OuterRef, Q, QuerySet

from inspections.supervision.models import InspectorCertificate
from inspections.supervision.plan_choices import PlanStatus
from jurisdictions.duties import REGULATOR_ROLES, TIER_DUTIES, Duty, Role, duties_for
from jurisdictions.models import Jurisdiction, User

# The tasks being worked: those of a published plan, and every campaign's (a campaign is live once launched).
LIVE_TASKS = Q(plan__status=PlanStatus.PUBLISHED) | Q(campaign__isnull=False)


def leaders_of(*node_ids) -> list[User]:
    """The active leader accounts of these jurisdictions, in a stable order."""
    return list(User.objects.filter(jurisdiction_id__in=node_ids, role=Role.LEADER, is_active=True).order_by("pk"))


def may_inspect_q() -> Q:
    """Accounts whose tier and role hold INSPECT (jurisdictions/duties.py): a clerk does not inspect, whatever
    certificate it holds."""
    pairs = [Q(jurisdiction__tier=tier, role=role) for tier in TIER_DUTIES for role in REGULATOR_ROLES
             if Duty.INSPECT in duties_for(tier, role)]
    return reduce(or_, pairs)


def certificates_valid_on(on_date: date) -> QuerySet:
    return InspectorCertificate.objects.filter(issued_on__lte=on_date, expires_on__gte=on_date)


def valid_inspectors(node: Jurisdiction, on_date: date, *, subtree: bool = True) -> QuerySet:
    """The pool: active regulator accounts that may inspect and hold a 监察员证 in force on ``on_date`` (Order 57
    Art. 19; 000 §一(十)), bound to ``node`` or — by default — anywhere in its subtree, because a county's pool
    includes its stations' staff, who carry out the inspections assigned to them (000 §四). ``subtree=False``
    keeps the accounts bound to ``node`` itself. Every draw and every inspection record takes its inspectors
    from here and nowhere else."""
    place = (Q(jurisdiction__tree_id=node.tree_id, jurisdiction__lft__gte=node.lft, jurisdiction__rght__lte=node.rght)
             if subtree else Q(jurisdiction=node))
    holding = certificates_valid_on(on_date).filter(holder=OuterRef("pk"))
    return (User.objects.filter(place, may_inspect_q(), is_active=True).filter(Exists(holding))
            .order_by("jurisdiction__code", "username"))
