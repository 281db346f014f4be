"""The staffed-rate roll-up (docs/domain.md §Responsibility system): every node's figures, counted for the whole
tree at once by a beat task, so that ``/staffing/`` reads a handful of rows whatever the size of the subtree.

Counted at request time, a province's page aggregated all 180,000 units of Gansu ×3 (~130 ms of database CPU
against ~29 ms for a county: tests/perf/test_staffing_bench.py). ``refresh`` counts once, every
``STAFFING_ROLLUP_MINUTES``, and the page says how old its figures are. The unstaffed-units list stays live:
it is a page of rows read on an index, not an aggregate.

Scope: a row holds a node's *whole* subtree, shown to whoever may view the node. That is never more than the
user's scope because a regulator's grant covers the whole subtree of its node (docs/access.md §Grants) and
units are placed by the same ancestor columns both ways: a node the user may view lies in a granted subtree,
and so does everything below it. ``rates`` checks every node it reads against the user's grants all the same, and
a node out of scope sends the page to the live count over the user's units.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jurisdictions import access
from jurisdictions.duties import Duty
from jurisdictions.models import ANCESTOR_TIERS, Jurisdiction
from personnel.models import StaffingRollup
from personnel.querysets import CHILD_COLUMNS, COUNTS, Rate, supervised
from units.models import Unit

# Refreshes wait for each other on this key (the seed commands use 620_000_06x, the tree 620_000_001).
LOCK_KEY = 620_000_070
PLACEMENT = tuple(f"{tier}_id" for tier in ANCESTOR_TIERS)
DIRECT = {name: f"direct_{name}" for name in COUNTS}
FIGURES = (*COUNTS, *DIRECT.values())


def count() -> dict[int, dict[str, int]]:
    """Every node's figures from one GROUP BY over the supervised units by placement (their four ancestor
    columns).

    A group adds to each node it names, and to the ``direct_`` figures of each of those nodes whose child
    columns (``querysets.CHILD_COLUMNS``) it leaves empty: the same columns, so the same units, as
    ``querysets.staffing_rates`` filters and groups by. A station's direct figures are all of its own.
    """
    figures: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    groups = supervised(Unit.objects.all()).values(*PLACEMENT).annotate(**COUNTS).order_by()
    for group in groups:
        for tier in ANCESTOR_TIERS:
            pk = group[f"{tier}_id"]
            if pk is None:
                continue
            mine = figures[pk]
            direct = not any(group[column] for column in CHILD_COLUMNS[tier])
            for name in COUNTS:
                mine[name] += group[name]
                if direct:
                    mine[DIRECT[name]] += group[name]
    return dict(figures)


def refresh() -> int:
    """Rebuild every node's row in one transaction; returns how many rows were written.

    The advisory lock is taken before counting, so concurrent refreshes (the beat's, a worker redelivering it,
    ``manage.py refresh_staffing``) run one after another and the later one counts what the earlier could not
    see; readers keep the old rows until the commit, never a mix. Idempotent: a second run writes the same
    figures with a later ``as_of``. A node without supervised units gets a row of zeros, so a missing row
    means a node made after the refresh.
    """
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        as_of = timezone.now()
        figures = count()
        rows = [StaffingRollup(node_id=pk, as_of=as_of, **figures.get(pk, {}))
                for pk in Jurisdiction.objects.order_by("pk").values_list("pk", flat=True)]
        StaffingRollup.objects.all().delete()
        StaffingRollup.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


@dataclass
class Rates:
    """What the staffing page shows: the node, its children (and the units placed at the node itself), and
    when they were counted."""

    overall: Rate
    children: list[Rate]
    as_of: datetime


def _rate(node: Jurisdiction, row: StaffingRollup) -> Rate:
    return Rate(node.pk, node.name, node.code, **{name: getattr(row, name) for name in COUNTS}, node=node)


def rates(node: Jurisdiction, user) -> Rates | None:
    """``node``'s figures and its children's from the roll-up, in the shape ``querysets.staffing_rates``
    returns; None when the roll-up cannot answer for all of them: no refresh yet, a node made since, or a node
    out of ``user``'s scope. Two queries whatever the node: its children, their rows by primary key.

    The scope is checked on the nodes already read (``access.can``, in memory) rather than by joining the rows
    to the tree: that join is the one place a misestimate could turn a few rows into a loop over the tree.
    """
    children = sorted(node.get_children(), key=lambda child: child.code)
    if not all(access.can(user, Duty.VIEW, n) for n in (node, *children)):
        return None
    found = StaffingRollup.objects.in_bulk([node.pk, *(child.pk for child in children)])
    own = found.get(node.pk)
    if own is None or any(child.pk not in found for child in children):
        return None
    lines = [_rate(child, found[child.pk]) for child in children]
    if CHILD_COLUMNS[node.tier] and own.direct_total:
        lines.append(Rate(None, _("（直属本级的单位）"), "", **{name: getattr(own, DIRECT[name]) for name in COUNTS}))
    return Rates(_rate(node, own), lines, own.as_of)


def interval() -> timedelta:
    return timedelta(minutes=settings.STAFFING_ROLLUP_MINUTES)


def is_stale(as_of: datetime) -> bool:
    """Older than one refresh interval: the beat should have replaced it by now."""
    return timezone.now() - as_of >= interval()
