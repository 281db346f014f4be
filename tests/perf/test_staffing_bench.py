"""Benchmark: the staffed-rate indicator (seed 002 附件 9–10) at Gansu ×3 scale, 180,000 units.

Run with ``make bench PYTEST_ARGS="-k staffing"`` (tests/perf is not part of ``make test``). The
session's test database gets the real tree, is topped up to ``BENCH_UNITS`` units with ``seed_scale``
and every supervised unit without people gets them from ``seed_personnel`` (COPY, no history), once.

The staffing page reads the roll-up (``personnel.rollup``, issue 10 §2) that a beat task rebuilds for the whole
tree. Measured here, for the province, 兰州市 and 城关区 leaders:

- the refresh itself (one GROUP BY over every supervised unit, summed up the tree, rows replaced), which is
  what the province's page used to cost on every request, now paid once per ``STAFFING_ROLLUP_MINUTES``;
- the roll-up read beside the live count it replaced (``querysets.staffing_rates``, still the page's fallback);
- the staffing page and the unstaffed-units list (live: a page of rows on an index) through the test client,
  with the database time of the page's queries (EXPLAIN ANALYZE of each), which must be about the same for the
  province as for the county (``PROVINCE_OVER_COUNTY``).

Prints tables and writes them to ``var/bench/staffing.txt`` and ``var/bench/staffing_pages.txt``.
"""

from __future__ import annotations

import json
import statistics
import time
from functools import partial
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jurisdictions import access
from jurisdictions.duties import Duty
from personnel import rollup
from personnel.models import Person, StaffingRollup
from personnel.querysets import needing_attention, staffing_rates, supervised
from tests.perf.seeding import top_up
from tests.perf.test_unit_list_bench import USERS, _bench_user, p95
from units.choices import SUPERVISED_STATUSES
from units.models import Unit

BENCH_UNITS = 180_000
RUNS = 50
WARMUP = 5
REFRESH_RUNS = 5
REFRESH_BUDGET_MS = 3000.0  # once per interval in a worker; above it, look at the GROUP BY's plan
READ_BUDGET_MS = 20.0  # the roll-up read: a node's children and their rows
PAGE_P95_BUDGET_MS = 1000.0
PROVINCE_OVER_COUNTY = 1.5  # the province's staffing page, in database time, against the county's
DB_RUNS = 10
PAGES = {"staffing": "personnel:staffing", "unstaffed": "personnel:staffing_units"}
BENCH_DIR = Path(__file__).resolve().parents[2] / "var" / "bench"
TABLES = ("units_unit", "personnel_person", "personnel_appointment", "personnel_unitstaffing")

_seeding: dict[str, float] = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The project's setup, then units up to BENCH_UNITS, people for every unit without any, and the roll-up,
    once."""
    with django_db_blocker.unblock():
        added, seconds = top_up(Unit, BENCH_UNITS, "seed_scale", "units")
        if added:
            _seeding.update(units=added, unit_seconds=seconds)
        if Unit.objects.filter(status__in=SUPERVISED_STATUSES, staffing__isnull=True).exists():
            before = Person.objects.count()
            started = time.perf_counter()
            call_command("seed_personnel", no_history=True)
            _seeding.update(people=Person.objects.count() - before, people_seconds=time.perf_counter() - started)
        with connection.cursor() as cursor:
            for table in TABLES:
                cursor.execute(f"VACUUM (ANALYZE) {table}")
        rollup.refresh()


def scoped_units(user):
    """The live count's input: every unit the user may see (``staffing_rates`` keeps the supervised)."""
    return access.scope(Unit.objects.all(), user, Duty.VIEW)


def read_of(user) -> rollup.Rates | None:
    """What the page reads for the user's own node."""
    return rollup.rates(user.jurisdiction, user)


def live_of(user):
    """What the page counts when the roll-up cannot answer."""
    return staffing_rates(scoped_units(user), user.jurisdiction)


def timed(call) -> tuple[float, object]:
    started = time.perf_counter()
    result = call()
    return (time.perf_counter() - started) * 1000, result


def samples_of(call, runs: int = RUNS, warmup: int = WARMUP) -> list[float]:
    for _ in range(warmup):
        call()
    return [timed(call)[0] for _ in range(runs)]


def sql_of(call) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        call()
    return [q["sql"] for q in ctx.captured_queries]


def plan_summary(sql: str) -> str:
    """Execution time and the scan and join nodes of EXPLAIN ANALYZE, on one line."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql)
        lines = [row[0] for row in cursor.fetchall()]
    keep = [line.strip().removeprefix("->  ") for line in lines
            if any(word in line for word in ("Scan", "Join", "Aggregate", "Execution Time"))]
    return "; ".join(keep)


def database_ms(sql: list[str]) -> float:
    """Planning and execution time the server reports for the SELECTs among ``sql``: the page's database CPU,
    without the round trips."""
    total = 0.0
    with connection.cursor() as cursor:
        for statement in sql:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement)
            plan = cursor.fetchone()[0]
            plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]
            total += plan["Planning Time"] + plan["Execution Time"]
    return total


@pytest.mark.django_db
def test_staffing_refresh_and_reads_at_180k_units():
    total = Unit.objects.count()
    assert total >= BENCH_UNITS
    refresh = samples_of(rollup.refresh, runs=REFRESH_RUNS, warmup=1)
    groups = [s for s in sql_of(rollup.refresh) if s.lstrip().upper().startswith("SELECT") and '"staffed"' in s]
    assert len(groups) == 1, "the refresh counts the whole tree in one GROUP BY"
    refresh_plan = plan_summary(groups[0])

    users = {name: _bench_user(name, code) for name, code in USERS.items()}
    rows = {}
    for name, user in users.items():
        access.grants(user)  # read once per request by the view, not part of the indicator
        node = user.jurisdiction
        read_rollup, count_live = partial(read_of, user), partial(live_of, user)
        read, live = samples_of(read_rollup), samples_of(count_live)
        rolled, (overall, _children) = read_rollup(), count_live()
        assert rolled is not None and rolled.overall.total and rolled.children
        rows[name] = {
            "node": f"{node.name} {node.code}",
            "in_scope": scoped_units(user).count(), "supervised": supervised(scoped_units(user)).count(),
            "rate": rolled.overall.percent, "live_rate": overall.percent, "children": len(rolled.children),
            "read": statistics.median(read), "read_p95": p95(read),
            "read_sql": len(sql_of(read_rollup)),
            "live": statistics.median(live), "live_p95": p95(live),
            "live_plans": [plan_summary(s) for s in sql_of(count_live) if '"staffed"' in s],
        }

    lines = [f"Staffed rate at {total} units, {Person.objects.count()} people, {StaffingRollup.objects.count()} "
             f"roll-up rows; times in ms."]
    if _seeding.get("units"):
        lines.append(f"Seeded {_seeding['units']} units this session in {_seeding['unit_seconds']:.1f} s (seed_scale).")
    if _seeding.get("people"):
        lines.append(f"Seeded {_seeding['people']} people this session in {_seeding['people_seconds']:.1f} s "
                     "(seed_personnel --no-history, COPY).")
    lines.append(f"Refresh (personnel.rollup.refresh, the beat task), {REFRESH_RUNS} runs after 1 warm-up: "
                 f"median {statistics.median(refresh):.0f}, max {max(refresh):.0f}.")
    lines.append(f"  GROUP BY plan: {refresh_plan}")
    lines.append(f"Per user, {RUNS} runs after {WARMUP} warm-up runs: read = the page's roll-up read "
                 "(personnel.rollup.rates), live = the count it replaced and falls back to "
                 "(querysets.staffing_rates). in scope = units the user may view; supervised = active + stopped.")
    header = (f"{'user':<9} {'node':<14} {'in scope':>8} {'superv.':>8} {'rate %':>6} {'children':>8} "
              f"{'read':>7} {'p95':>7} {'SQL':>4} {'live':>7} {'p95':>7}")
    lines += [header, "-" * len(header)]
    for name, r in rows.items():
        lines.append(f"{name:<9} {r['node']:<14} {r['in_scope']:>8} {r['supervised']:>8} {r['rate']:>6} "
                     f"{r['children']:>8} {r['read']:>7.2f} {r['read_p95']:>7.2f} {r['read_sql']:>4} "
                     f"{r['live']:>7.1f} {r['live_p95']:>7.1f}")
    lines.append("")
    lines.append("Plans of the live count (EXPLAIN ANALYZE of the per-child aggregate):")
    for name, r in rows.items():
        lines += [f"  {name:<9} {plan}" for plan in r["live_plans"]]
    report = "\n".join(lines)
    print("\n" + report)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    (BENCH_DIR / "staffing.txt").write_text(report + "\n", encoding="utf-8")

    assert statistics.median(refresh) <= REFRESH_BUDGET_MS, f"refresh median {statistics.median(refresh):.0f} ms"
    assert len({r["read_sql"] for r in rows.values()}) == 1, "the roll-up read's query count depends on the scope"
    for name, r in rows.items():
        assert r["rate"] == r["live_rate"], f"{name}: the roll-up and the live count disagree"
        assert r["read_p95"] <= READ_BUDGET_MS, f"{name}: roll-up read p95 {r['read_p95']:.1f} ms"


def measure_page(client, user, url) -> dict:
    client.force_login(user)
    for _ in range(WARMUP):
        assert client.get(url).status_code == 200
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    sent = [q["sql"] for q in ctx.captured_queries]
    return {"median": statistics.median(samples), "p95": p95(samples), "queries": len(sent),
            "db": statistics.median(database_ms(sent) for _ in range(DB_RUNS)),
            "reads_units": any('"units_unit"' in s for s in sent)}


@pytest.mark.django_db
def test_staffing_pages_at_180k_units(client):
    urls = {page: reverse(url_name) for page, url_name in PAGES.items()}
    users = {name: _bench_user(name, code) for name, code in USERS.items()}
    rows = {}
    for page, url in urls.items():
        for name, user in users.items():
            r = measure_page(client, user, url)
            units = scoped_units(user)
            r["in_scope"] = (needing_attention(units) if page == "unstaffed" else units).count()
            rows[page, name] = r

    lines = [f"Staffing pages at {Unit.objects.count()} units through the test client; {RUNS} GETs per page and "
             f"user after {WARMUP} warm-up GETs; times in ms. The staffing page reads the roll-up; the unstaffed "
             "list is live."]
    lines.append("rows = units in scope (staffing) or units needing attention in scope (unstaffed); SQL = queries per "
                 "request (session, user and grants included); db = server planning + execution time of the "
                 f"request's SELECTs (EXPLAIN ANALYZE, median of {DB_RUNS}); units = the request reads units_unit.")
    header = (f"{'page':<10} {'user':<9} {'url':<28} {'rows':>8} {'median':>8} {'p95':>8} {'SQL':>4} {'db':>7} "
              f"{'units':>5}")
    lines += [header, "-" * len(header)]
    for (page, name), r in rows.items():
        lines.append(f"{page:<10} {name:<9} {urls[page]:<28} {r['in_scope']:>8} {r['median']:>8.1f} "
                     f"{r['p95']:>8.1f} {r['queries']:>4} {r['db']:>7.2f} {'yes' if r['reads_units'] else 'no':>5}")
    report = "\n".join(lines)
    print("\n" + report)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    (BENCH_DIR / "staffing_pages.txt").write_text(report + "\n", encoding="utf-8")

    for page in urls:
        counts = {name: rows[page, name]["queries"] for name in users}
        assert counts["county"] == counts["province"], f"{page}: queries per page grow with the scope: {counts}"
        for name in users:
            p = rows[page, name]["p95"]
            assert p <= PAGE_P95_BUDGET_MS, f"{page}/{name}: page p95 {p:.0f} ms > {PAGE_P95_BUDGET_MS} ms"
    assert not any(rows["staffing", name]["reads_units"] for name in users), "the staffing page counted units live"
    province, county = rows["staffing", "province"]["db"], rows["staffing", "county"]["db"]
    assert province <= PROVINCE_OVER_COUNTY * county, (
        f"staffing page database time: province {province:.2f} ms > {PROVINCE_OVER_COUNTY} × county {county:.2f} ms")
