"""Reads of the staffing indicator (seed 002 附件 9–10: the campaign's headline figure).

A unit is *staffed* when every post its kinds require (``rules.REQUIRED_POSTS``) has a holder in
office. Units whose production stopped are exempt (seed 002 附件 6) and leave the denominator.
Pending and rejected sign-ups are not yet supervised units and are not counted at all.

Also the reads behind who may file or sign a unit's records: who was in office on a day, and the unit's
enterprise accounts (``services.posts_held``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from jurisdictions import access
from jurisdictions.duties import Role, Tier
from jurisdictions.models import Jurisdiction, User
from personnel import rules
from units.choices import SUPERVISED_STATUSES, UnitStatus

EXEMPT = Q(status=UnitStatus.STOPPED)


def in_office_on(day: date) -> Q:
    """Appointments in office on ``day``. ``ended_on`` is the first day out of office: a handover ends the
    old appointment the day the new one starts (``services.appoint``), so a post has one holder a day, and an
    appointment ended today is history on today's staff page already."""
    return Q(started_on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gt=day))


def unit_accounts(unit) -> QuerySet:
    """The enterprise accounts bound to ``unit``: its guardian grants are the binding (docs/access.md §Grants)."""
    return User.objects.filter(role=Role.ENTERPRISE, pk__in=access.unit_grant_model().objects.filter(
        content_object_id=unit.pk).values("user_id"))


def filled_q(post: str) -> Q:
    return Q(**{f"staffing__{post}__gt": 0})


def needs_q(post: str) -> Q:
    """Units whose kinds require ``post``."""
    kinds = sorted(kind for kind, posts in rules.REQUIRED_POSTS.items() if post in posts)
    return Q(kinds__overlap=kinds)


def missing_q(post: str) -> Q:
    return needs_q(post) & ~filled_q(post)


def staffed_q() -> Q:
    q = Q()
    for kind, posts in rules.REQUIRED_POSTS.items():
        has_all = Q()
        for post in posts:
            has_all &= filled_q(post)
        q &= ~Q(kinds__contains=[kind]) | has_all
    return q


def supervised(queryset: QuerySet) -> QuerySet:
    return queryset.filter(status__in=SUPERVISED_STATUSES)


def unstaffed(queryset: QuerySet) -> QuerySet:
    """Supervised, not exempt, not staffed."""
    return supervised(queryset).exclude(EXEMPT).exclude(staffed_q())


def needing_attention(queryset: QuerySet) -> QuerySet:
    """The units a regulator has to chase: not staffed, or staffed by someone who failed a spot
    assessment and is still in post (Order 74 Art. 147)."""
    return supervised(queryset).exclude(EXEMPT).filter(~staffed_q() | Q(staffing__flagged=True))


@dataclass
class Rate:
    key: int | None
    name: str
    code: str
    total: int
    exempt: int
    staffed: int
    flagged: int
    node: Jurisdiction | None = None

    @property
    def due(self) -> int:
        return self.total - self.exempt

    @property
    def unstaffed(self) -> int:
        return self.due - self.staffed

    @property
    def percent(self) -> float | None:
        return round(100 * self.staffed / self.due, 1) if self.due else None


# The column a child of each tier is found in; a city without counties (嘉峪关) has its stations
# directly below it, so a city's children are read from county_id, else station_id.
CHILD_COLUMNS = {
    Tier.PROVINCE: ("city_id",),
    Tier.CITY: ("county_id", "station_id"),
    Tier.COUNTY: ("station_id",),
    Tier.STATION: (),
}

COUNTS = {
    "total": Count("id"),
    "exempt": Count("id", filter=EXEMPT),
    "staffed": Count("id", filter=~EXEMPT & staffed_q()),
    # As the chase list counts them: an exempt (stopped) unit is not chased for its staff.
    "flagged": Count("id", filter=~EXEMPT & Q(staffing__flagged=True)),
}


def staffing_rates(units: QuerySet, node: Jurisdiction) -> tuple[Rate, list[Rate]]:
    """The rate of ``node``'s part of ``units`` (already scoped to the user) and of each child, counted now.

    The staffing page reads ``personnel.rollup`` instead and comes here only when the roll-up cannot answer;
    the roll-up is tested against this. One aggregate grouped by child, and the node's own figures are the
    sum of its children's: every unit falls in exactly one group, and scanning the units once rather than
    twice halves the province's time at 180k units (tests/perf/test_staffing_bench.py). A station has no
    children and gets its single aggregate.
    """
    units = supervised(units).filter(**{f"{node.tier}_id": node.pk})
    columns = CHILD_COLUMNS[node.tier]
    if not columns:
        return Rate(node.pk, node.name, node.code, **units.aggregate(**COUNTS), node=node), []
    key = Coalesce(*columns) if len(columns) > 1 else F(columns[0])
    rows = units.annotate(child=key).values("child").annotate(**COUNTS).order_by()
    by_key = {row.pop("child"): row for row in rows}
    overall = Rate(node.pk, node.name, node.code, node=node,
                   **{name: sum(row[name] for row in by_key.values()) for name in COUNTS})
    children = {n.pk: n for n in node.get_children()}
    rates = []
    for pk, child in sorted(children.items(), key=lambda item: item[1].code):
        counts = by_key.pop(pk, dict.fromkeys(COUNTS, 0))
        rates.append(Rate(pk, child.name, child.code, **counts, node=child))
    if None in by_key:
        rates.append(Rate(None, _("（直属本级的单位）"), "", **by_key.pop(None)))
    return overall, rates
