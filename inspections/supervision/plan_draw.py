"""双随机: the draw of the annual routine plan — random units from the pool, random inspector pairs from each county's
pool (Order 57 Art. 8–9; docs/domain.md §Annual plan) — and the pool of a special campaign.

Set based: one query reads the pool (every candidate unit with its grade, key flag and place), Python samples unit
ids, one query per county reads its valid inspectors, one more what each inspector inspected recently, and the
tasks go in with one COPY. Reproducible: the only randomness is ``random.Random(seed)`` walked over a deterministic
ordering (strata in a fixed order, unit ids ascending, inspectors by id), so the same seed over the same pool gives
the same sample and the same pairs; the seed is stored with the plan and printed on it.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Q

from inspections.supervision.models import AnnualPlan, Inspection, KeyUnit, PlanTask
from inspections.supervision.plan_choices import KEY, PlanStatus
from inspections.supervision.querysets import valid_inspectors
from jurisdictions.models import Jurisdiction
from portal.kit.bulk import copy_stream, copy_value
from units.choices import EquipmentStatus, RiskGrade, UnitKind, UnitStatus
from units.models import Equipment, EquipmentType, Unit

# Strata in the order the draw walks them: key units first, then the grades from the top down.
GRADES = tuple(reversed(RiskGrade.values))
STRATA = (KEY, *GRADES)
# Licensed producers and fillers are in the pool whatever equipment they use (Order 57 Art. 8).
LICENSED_KINDS = (UnitKind.PRODUCTION, UnitKind.FILLING)
TASK_COLUMNS = ("plan_id", "campaign_id", "unit_id", "grade", "key", "inspector_1_id", "inspector_2_id", "due_on",
                "result", "note", "jurisdiction_id", "province_id", "city_id", "county_id", "station_id")


@dataclass(frozen=True)
class Candidate:
    """A unit of the pool, as the draw reads it."""

    unit_id: int
    grade: str
    key: bool
    jurisdiction_id: int
    province_id: int | None
    city_id: int | None
    county_id: int | None
    station_id: int | None

    @property
    def stratum(self) -> str:
        if self.key or self.grade == settings.SUPERVISION_KEY_UNIT_GRADE:
            return KEY
        return self.grade or RiskGrade.A

    @property
    def county(self) -> int:
        """The jurisdiction whose inspectors carry out the task: the unit's county, or its city where the city has
        no county tier (嘉峪关)."""
        return self.county_id or self.city_id or self.jurisdiction_id


POOL = """
SELECT u.id, u.risk_grade, k.unit_id IS NOT NULL, u.jurisdiction_id, u.province_id, u.city_id, u.county_id,
       u.station_id
  FROM {unit} u LEFT JOIN {key} k ON k.unit_id = u.id
 WHERE u.{column} = %(node)s AND u.status = %(active)s {where}
 ORDER BY u.id
"""
# The plan's pool: registered users (equipment in use) and licensed producers and fillers.
CATEGORY_WHERE = """AND u.id IN (SELECT e.unit_id FROM {equipment} e JOIN {type} c ON c.id = e.category_id
       WHERE e.{column} = %(node)s AND e.status = ANY(%(in_service)s) AND c.code = ANY(%(categories)s))"""
PLAN_WHERE = """AND (u.kinds && %(licensed)s::varchar[]
      OR u.id IN (SELECT e.unit_id FROM {equipment} e WHERE e.{column} = %(node)s AND e.status = %(in_use)s))"""


def _column(node: Jurisdiction) -> str:
    return f"{node.tier}_id"


def _read(sql: str, params: dict) -> list[Candidate]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [Candidate(*row) for row in cursor.fetchall()]


def plan_pool(city: Jurisdiction) -> list[Candidate]:
    """Every unit of the city's area the annual plan draws from, in one query, by id."""
    column = _column(city)
    where = PLAN_WHERE.format(equipment=Equipment._meta.db_table, column=column)
    sql = POOL.format(unit=Unit._meta.db_table, key=KeyUnit._meta.db_table, column=column, where=where)
    return _read(sql, {"node": city.pk, "active": str(UnitStatus.ACTIVE), "licensed": [str(k) for k in LICENSED_KINDS],
                       "in_use": str(EquipmentStatus.IN_USE)})


def campaign_pool(scope: Jurisdiction, unit_kinds=(), categories=()) -> list[Candidate]:
    """The units of a campaign: confirmed units in ``scope`` of any of ``unit_kinds`` and with equipment in service
    of any of the ``categories`` (each filter left out when empty)."""
    column = _column(scope)
    where = []
    params = {"node": scope.pk, "active": str(UnitStatus.ACTIVE)}
    if unit_kinds:
        where.append("AND u.kinds && %(kinds)s::varchar[]")
        params["kinds"] = [str(k) for k in unit_kinds]
    if categories:
        where.append(CATEGORY_WHERE.format(equipment=Equipment._meta.db_table, type=EquipmentType._meta.db_table,
                                           column=column))
        params.update(categories=list(categories),
                      in_service=[str(EquipmentStatus.IN_USE), str(EquipmentStatus.UNREGISTERED)])
    sql = POOL.format(unit=Unit._meta.db_table, key=KeyUnit._meta.db_table, column=column, where=" ".join(where))
    return _read(sql, params)


def ratios() -> dict[str, float]:
    """The sampling ratio per stratum from the settings: each grade's, the key units' at least the key ratio."""
    found = {grade: float(settings.SUPERVISION_PLAN_RATIOS[grade]) for grade in GRADES}
    found[KEY] = max(float(settings.SUPERVISION_PLAN_KEY_RATIO), found.get(settings.SUPERVISION_KEY_UNIT_GRADE, 0))
    return found


def sample_units(pool: list[Candidate], seed: int, ratio: dict[str, float]) -> list[Candidate]:
    """The units drawn: from each stratum ⌈n × ratio⌉ of its n units, uniformly without replacement, so each
    stratum's share is its ratio (rounded up) and each unit's chance of being drawn is the same within it."""
    rng = random.Random(seed)  # noqa: S311 -- reproducible by design: the seed is published with the plan
    strata: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in sorted(pool, key=lambda c: c.unit_id):
        strata[candidate.stratum].append(candidate)
    drawn: list[Candidate] = []
    for stratum in STRATA:
        members = strata.get(stratum, [])
        count = min(len(members), math.ceil(len(members) * ratio.get(stratum, 0) - 1e-9))
        drawn.extend(rng.sample(members, count))
    return drawn


def recent_units_by_inspector(inspector_ids, since: date) -> dict[int, set[int]]:
    """For each inspector, the units they were assigned or went to inspect since ``since``: the one place that says
    what an inspector's "own recent units" are (Order 57 Art. 8: the pairs are drawn at random, and nobody goes
    back to the unit they just inspected) — the tasks of approved or published plans starting on or after
    ``since``, and the inspection records naming them started since then."""
    ids = list(inspector_ids)
    found: dict[int, set[int]] = {pk: set() for pk in ids}
    rows = (PlanTask.objects.filter(plan__status__in=(PlanStatus.APPROVED, PlanStatus.PUBLISHED),
                                    plan__starts_on__gte=since)
            .filter(Q(inspector_1_id__in=ids) | Q(inspector_2_id__in=ids))
            .values_list("inspector_1_id", "inspector_2_id", "unit_id"))
    for first, second, unit_id in rows:
        for inspector in (first, second):
            if inspector in found:
                found[inspector].add(unit_id)
    named = Inspection.inspectors.through.objects.filter(user_id__in=ids, inspection__started_at__date__gte=since)
    for inspector, unit_id in named.values_list("user_id", "inspection__unit_id"):
        found[inspector].add(unit_id)
    return found


def recent_units(inspector, since: date) -> set[int]:
    """The units ``inspector`` was assigned or inspected since ``since`` (``recent_units_by_inspector``)."""
    return recent_units_by_inspector([inspector.pk], since)[inspector.pk]


def assign_pairs(drawn: list[Candidate], pools: dict[int, list[int]], recent: dict[int, set[int]],
                 rng: random.Random) -> dict[int, tuple[int, int] | None]:
    """Two inspectors for each unit drawn, at random from its county's pool, leaving out whoever has the unit among
    their recent units; ``None`` where fewer than two remain (Order 57 Art. 19 needs two)."""
    pairs: dict[int, tuple[int, int] | None] = {}
    for candidate in sorted(drawn, key=lambda c: (c.county, c.unit_id)):
        eligible = [pk for pk in pools.get(candidate.county, ()) if candidate.unit_id not in recent.get(pk, ())]
        pairs[candidate.unit_id] = tuple(sorted(rng.sample(eligible, 2))) if len(eligible) >= 2 else None
    return pairs


def due_dates(drawn: list[Candidate], starts_on: date, ends_on: date, periods: int) -> dict[int, date]:
    """Each county's tasks spread over ``periods`` equal parts of the plan's span, in draw order with the key units
    first, so the work runs through the year and the key units are visited early."""
    periods = max(1, periods)
    span = (ends_on - starts_on).days
    ends = [starts_on + timedelta(days=span * (p + 1) // periods) for p in range(periods)]
    by_county: dict[int, list[Candidate]] = defaultdict(list)
    for candidate in drawn:
        by_county[candidate.county].append(candidate)
    due: dict[int, date] = {}
    for members in by_county.values():
        ordered = sorted(members, key=lambda c: c.stratum != KEY)
        for i, candidate in enumerate(ordered):
            due[candidate.unit_id] = ends[i * periods // len(ordered)]
    return due


@dataclass(frozen=True)
class Draw:
    """What a draw produced: the tasks (unit → pair and due date) and the pool's figures per stratum."""

    drawn: list[Candidate]
    pairs: dict[int, tuple[int, int] | None]
    due: dict[int, date]
    figures: dict[str, dict[str, int]]

    @property
    def unstaffed(self) -> int:
        return sum(pair is None for pair in self.pairs.values())


def county_pools(counties, on_date: date) -> dict[int, list[int]]:
    """The valid inspectors of each county (its stations' included), by id: one query per county."""
    nodes = Jurisdiction.objects.filter(pk__in=set(counties))
    return {n.pk: sorted(valid_inspectors(n, on_date).values_list("pk", flat=True)) for n in nodes}


def draw(plan: AnnualPlan, pool: list[Candidate] | None = None) -> Draw:
    """The plan's sample and pairs from its seed and ratios (nothing written)."""
    pool = plan_pool(plan.jurisdiction) if pool is None else pool
    ratio = {k: float(v) for k, v in plan.ratios.items()}
    drawn = sample_units(pool, plan.seed, ratio)
    pools = county_pools({c.county for c in drawn}, plan.starts_on)
    since = plan.starts_on - timedelta(days=settings.SUPERVISION_PLAN_RECENT_DAYS)
    recent = recent_units_by_inspector({pk for ids in pools.values() for pk in ids}, since)
    # A second stream from the same seed: the pairs do not shift the sample, nor the sample the pairs.
    pairs = assign_pairs(drawn, pools, recent, random.Random(f"{plan.seed}:pairs"))  # noqa: S311 -- as above
    due = due_dates(drawn, plan.starts_on, plan.ends_on, settings.SUPERVISION_PLAN_DUE_PERIODS)
    figures: dict[str, dict[str, int]] = {s: {"pool": 0, "drawn": 0} for s in STRATA}
    for candidate in pool:
        figures[candidate.stratum]["pool"] += 1
    for candidate in drawn:
        figures[candidate.stratum]["drawn"] += 1
    return Draw(drawn, pairs, due, figures)


def _task_lines(plan_id, campaign_id, drawn, pairs, due):
    for c in drawn:
        pair = pairs.get(c.unit_id) or (None, None)
        row = (plan_id, campaign_id, c.unit_id, c.grade, c.key, pair[0], pair[1], due[c.unit_id], "", "",
               c.jurisdiction_id, c.province_id, c.city_id, c.county_id, c.station_id)
        yield "\t".join(copy_value(v) for v in row) + "\n"


def write_tasks(*, plan_id=None, campaign_id=None, drawn, pairs=None, due) -> int:
    """The tasks in one COPY, inside the caller's transaction (tasks carry no history or insert triggers)."""
    copy_stream(PlanTask._meta.db_table, TASK_COLUMNS, _task_lines(plan_id, campaign_id, drawn, pairs or {}, due))
    return len(drawn)
