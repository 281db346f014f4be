"""Benchmark: the staffed-rate indicator (seed 002 附件 9–10) at Gansu ×3 scale, 180,000 units.

Run with ``make bench PYTEST_ARGS="-k staffing"`` (tests/perf is not part of ``make test``). The
session's test database gets the real tree, is topped up to ``BENCH_UNITS`` units with ``seed_scale``
and every supervised unit without people gets them from ``seed_personnel`` (COPY, no history), once.
For the province, 兰州市 and 城关区 leaders it times ``querysets.staffing_rates`` over the user's scope,
as the staffing page asks it, and then the staffing page and the unstaffed-units list through the test
client (skipped while those URLs do not exist). Prints tables and writes them to
``var/bench/staffing.txt`` and ``var/bench/staffing_pages.txt``.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from jurisdictions import access
from jurisdictions.duties import Duty
from personnel.models import Person
from personnel.querysets import needing_attention, staffing_rates, supervised
from tests.perf.seeding import top_up
from tests.perf.test_unit_list_bench import USERS, _bench_user, p95
from units.choices import SUPERVISED_STATUSES
from units.models import Unit

BENCH_UNITS = 180_000
RUNS = 50
WARMUP = 5
MEDIAN_BUDGET_MS = 300.0  # the staffing aggregate; above it, look at the plan (docs/access.md §Scoping)
PAGE_P95_BUDGET_MS = 1000.0
PAGES = {"staffing": "personnel:staffing", "unstaffed": "personnel:staffing_units"}
BENCH_DIR = Path(__file__).resolve().parents[2] / "var" / "bench"
TABLES = ("units_unit", "personnel_person", "personnel_appointment", "personnel_unitstaffing")

_seeding: dict[str, float] = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The project's setup, then units up to BENCH_UNITS and people for every unit without any, once."""
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


def scoped_units(user):
    """The staffing page's input: every unit the user may see (``staffing_rates`` keeps the supervised)."""
    return access.scope(Unit.objects.all(), user, Duty.VIEW)


def timed_rates(user) -> float:
    started = time.perf_counter()
    overall, children = staffing_rates(scoped_units(user), user.jurisdiction)
    elapsed = (time.perf_counter() - started) * 1000
    assert overall.total and children
    return elapsed


def rates_sql(user) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        staffing_rates(scoped_units(user), user.jurisdiction)
    return [q["sql"] for q in ctx.captured_queries]


def aggregates(sql: list[str] | set[str]) -> set[str]:
    """The staffing aggregates among ``sql`` (not the grants, session or tree reads around them)."""
    return {s for s in sql if '"staffed"' in s}


def plan_summary(sql: str) -> str:
    """Execution time and the scan and join nodes of EXPLAIN ANALYZE, on one line."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql)
        lines = [row[0] for row in cursor.fetchall()]
    keep = [line.strip().removeprefix("->  ") for line in lines
            if any(word in line for word in ("Scan", "Join", "Aggregate", "Execution Time"))]
    return "; ".join(keep)


@pytest.mark.django_db
def test_staffing_rates_at_180k_units():
    total = Unit.objects.count()
    assert total >= BENCH_UNITS
    users = {name: _bench_user(name, code) for name, code in USERS.items()}
    rows = {}
    for name, user in users.items():
        access.grants(user)  # read once per request by the view, not part of the indicator
        for _ in range(WARMUP):
            timed_rates(user)
        samples = [timed_rates(user) for _ in range(RUNS)]
        sql = rates_sql(user)
        overall, children = staffing_rates(scoped_units(user), user.jurisdiction)
        rows[name] = {
            "node": f"{user.jurisdiction.name} {user.jurisdiction.code}",
            "in_scope": scoped_units(user).count(), "supervised": supervised(scoped_units(user)).count(),
            "rate": overall.percent, "children": len(children),
            "median": statistics.median(samples), "p95": p95(samples), "queries": len(sql),
            "plans": [plan_summary(s) for s in sql if s in aggregates(sql)],
        }

    lines = [f"Staffed rate (personnel.querysets.staffing_rates) at {total} units, {Person.objects.count()} people; "
             f"{RUNS} runs per user after {WARMUP} warm-up runs; times in ms."]
    if _seeding.get("units"):
        lines.append(f"Seeded {_seeding['units']} units this session in {_seeding['unit_seconds']:.1f} s (seed_scale).")
    if _seeding.get("people"):
        lines.append(f"Seeded {_seeding['people']} people this session in {_seeding['people_seconds']:.1f} s "
                     "(seed_personnel --no-history, COPY).")
    lines.append("in scope = units the user may view; supervised = active + stopped (the denominator before "
                 "exemption); SQL = queries per call (the per-child aggregate and the node's children).")
    header = (f"{'user':<9} {'node':<14} {'in scope':>8} {'superv.':>8} {'rate %':>6} {'children':>8} "
              f"{'median':>8} {'p95':>8} {'SQL':>4}")
    lines += [header, "-" * len(header)]
    for name, r in rows.items():
        lines.append(f"{name:<9} {r['node']:<14} {r['in_scope']:>8} {r['supervised']:>8} {r['rate']:>6} "
                     f"{r['children']:>8} {r['median']:>8.1f} {r['p95']:>8.1f} {r['queries']:>4}")
    lines.append("")
    lines.append("Plans (EXPLAIN ANALYZE of the per-child aggregate):")
    for name, r in rows.items():
        lines += [f"  {name:<9} {plan}" for plan in r["plans"]]
    report = "\n".join(lines)
    print("\n" + report)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    (BENCH_DIR / "staffing.txt").write_text(report + "\n", encoding="utf-8")

    assert len({r["queries"] for r in rows.values()}) == 1, "staffing_rates' query count depends on the scope"
    for name, r in rows.items():
        assert r["median"] <= MEDIAN_BUDGET_MS, f"{name}: staffing_rates median {r['median']:.0f} ms"


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
    sent = {q["sql"] for q in ctx.captured_queries}
    return {"median": statistics.median(samples), "p95": p95(samples), "queries": len(ctx.captured_queries),
            "sent": sent}


@pytest.mark.django_db
def test_staffing_pages_at_180k_units(client):
    urls, missing = {}, []
    for page, url_name in PAGES.items():
        try:
            urls[page] = reverse(url_name)
        except NoReverseMatch:
            missing.append(url_name)
    if not urls:
        pytest.skip(f"{', '.join(missing)} not routed yet (personnel views are being written)")
    users = {name: _bench_user(name, code) for name, code in USERS.items()}
    rows = {}
    for page, url in urls.items():
        for name, user in users.items():
            r = measure_page(client, user, url)
            units = scoped_units(user)
            r["in_scope"] = (needing_attention(units) if page == "unstaffed" else units).count()
            if page == "staffing":
                r["same_sql"] = aggregates(rates_sql(user)) <= aggregates(r["sent"])
            rows[page, name] = r

    lines = [f"Staffing pages at {Unit.objects.count()} units through the test client; {RUNS} GETs per page and "
             f"user after {WARMUP} warm-up GETs; times in ms."]
    lines.append("rows = units in scope (staffing) or units needing attention in scope (unstaffed); SQL = queries per "
                 "request (session, user and grants included); rates SQL = the page sends the aggregates timed above.")
    if missing:
        lines.append(f"Not measured, not routed yet: {', '.join(missing)}.")
    header = f"{'page':<10} {'user':<9} {'url':<28} {'rows':>8} {'median':>8} {'p95':>8} {'SQL':>4} {'rates SQL':>9}"
    lines += [header, "-" * len(header)]
    for (page, name), r in rows.items():
        same = {True: "yes", False: "no"}.get(r.get("same_sql"), "-")
        lines.append(f"{page:<10} {name:<9} {urls[page]:<28} {r['in_scope']:>8} {r['median']:>8.1f} "
                     f"{r['p95']:>8.1f} {r['queries']:>4} {same:>9}")
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
    if missing:
        pytest.skip(f"measured {', '.join(urls)}; {', '.join(missing)} not routed yet")
