"""Benchmark: the scoped unit list at 60,000 units (docs/access.md §Scoping: scoping is one indexed equality).

Run with ``make bench`` (tests/perf is not part of ``make test``). The session's test database gets
the real tree and is topped up to ``BENCH_UNITS`` units with ``seed_scale`` once. For a county, a city
and the province user it times exactly what ``UnitListView`` asks the database (the scoped queryset
ordered by name: ``count(*)`` and the first page of 50), the same without scoping, and the whole page
through the test client; prints a table and writes it to ``var/bench/unit_list.txt``.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jurisdictions import access
from jurisdictions.duties import Duty, Role
from jurisdictions.models import User
from portal.kit.views import PER_PAGE
from tests import factories
from tests.perf.seeding import top_up
from units.models import Unit
from units.tables import UnitTable

BENCH_UNITS = 60_000
RUNS = 100  # list-query runs (cheap)
PAGE_RUNS = 50
WARMUP = 5
P95_BUDGET_MS = 150.0
RATIO_BUDGET = 1.2
OUTPUT = Path(__file__).resolve().parents[2] / "var" / "bench" / "unit_list.txt"
# bench user → jurisdiction code: 城关区 (the busiest county), 兰州市, 甘肃省
USERS = {"county": "620102", "city": "620100", "province": "620000"}

_seeding: dict[str, float] = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The project's setup (migrations + real tree), then units up to BENCH_UNITS, once per session."""
    with django_db_blocker.unblock():
        added, seconds = top_up(Unit, BENCH_UNITS, "seed_scale", "units")
        if added:
            _seeding.update(units=added, seconds=seconds)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) units_unit")


def _bench_user(name: str, code: str) -> User:
    user = User.objects.filter(username=f"bench-{name}").first()
    return user or factories.regulator(code, Role.LEADER, username=f"bench-{name}")


def list_queryset(user=None):
    """The unit list's queryset as UnitListView builds it (ScopedMixin + UnitTable's default order)."""
    qs = Unit.objects.select_related("jurisdiction")
    if user is not None:
        qs = access.scope(qs, user, Duty.VIEW)
    return qs.order_by(*UnitTable._meta.order_by)


def timed_list(qs) -> float:
    """What the page asks for: the paginator's count and the first page. Milliseconds."""
    started = time.perf_counter()
    total = qs.count()
    rows = list(qs[:PER_PAGE])
    elapsed = (time.perf_counter() - started) * 1000
    assert total and len(rows) == min(total, PER_PAGE)
    return elapsed


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


def measure_queries(user) -> tuple[list[float], list[float]]:
    """Scoped and unscoped runs in adjacent pairs, alternating which goes first, so that background
    load (other test runs share this PostgreSQL) and cache warmth hit both alike."""
    access.grants(user)  # the view reads grants once per request; not part of the list query
    scoped, unscoped = list_queryset(user), list_queryset()
    for _ in range(WARMUP):
        timed_list(scoped), timed_list(unscoped)
    a, b = [], []
    for i in range(RUNS):
        if i % 2:
            b.append(timed_list(unscoped))
            a.append(timed_list(scoped))
        else:
            a.append(timed_list(scoped))
            b.append(timed_list(unscoped))
    return a, b


def measure_page(client, user) -> tuple[list[float], int]:
    client.force_login(user)
    url = reverse("units:unit_list")
    for _ in range(WARMUP):
        assert client.get(url).status_code == 200
    samples = []
    for _ in range(PAGE_RUNS):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return samples, len(ctx.captured_queries)


def plans(user) -> list[str]:
    """The scan nodes of EXPLAIN ANALYZE for the list's two queries (count, first page)."""
    qs = list_queryset(user)
    with CaptureQueriesContext(connection) as ctx:
        qs.count()
        list(qs[:PER_PAGE])
    found = []
    with connection.cursor() as cursor:
        for query in ctx.captured_queries:
            cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + query["sql"])
            nodes = [row[0].strip().removeprefix("->  ") for row in cursor.fetchall()]
            found.append("; ".join(n for n in nodes if " Scan " in n or n.startswith(("Seq Scan", "Index")))
                         or nodes[0])
    return found


def page_runs_the_timed_queries(client, user) -> bool:
    """The SQL timed above is the SQL the page sends (guards the benchmark against drifting)."""
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("units:unit_list"))
    sent = {q["sql"] for q in ctx.captured_queries}
    qs = list_queryset(user)
    with CaptureQueriesContext(connection) as ours:
        qs.count()
        list(qs[:PER_PAGE])
    return all(q["sql"] in sent for q in ours.captured_queries)


@pytest.mark.django_db
def test_scoped_unit_list_at_60k_units(client):
    total = Unit.objects.count()
    assert total >= BENCH_UNITS
    users = {name: _bench_user(name, code) for name, code in USERS.items()}
    rows, lines = {}, []
    for name, user in users.items():
        assert page_runs_the_timed_queries(client, user), f"{name}: the page no longer runs the timed queries"
        scoped, unscoped = measure_queries(user)
        page, page_queries = measure_page(client, user)
        rows[name] = {
            "in_scope": list_queryset(user).count(),
            "median": statistics.median(scoped), "p95": p95(scoped),
            "all_median": statistics.median(unscoped), "all_p95": p95(unscoped),
            "ratio": statistics.median(x / y for x, y in zip(scoped, unscoped, strict=True)),
            "page_median": statistics.median(page), "page_p95": p95(page), "page_queries": page_queries,
            "plans": plans(user),
        }

    lines.append(f"Unit list at {total} units; {RUNS} query runs and {PAGE_RUNS} page runs per user after {WARMUP} "
                 "warm-up runs; times in ms.")
    if _seeding:
        lines.append(f"Seeded {_seeding['units']} units this session in {_seeding['seconds']:.1f} s (seed_scale).")
    lines.append("query = count(*) + first page of 50, scoped as UnitListView; all = same without scoping; "
                 "ratio = median over adjacent pairs of query / all; page = GET /units/ through the test client.")
    header = (f"{'user':<9} {'in scope':>8} {'query med':>9} {'query p95':>9} {'all med':>8} {'all p95':>8} "
              f"{'ratio':>6} {'page med':>8} {'page p95':>8} {'page SQL':>8}")
    lines += [header, "-" * len(header)]
    for name, r in rows.items():
        lines.append(
            f"{name:<9} {r['in_scope']:>8} {r['median']:>9.2f} {r['p95']:>9.2f} {r['all_median']:>8.2f} "
            f"{r['all_p95']:>8.2f} {r['ratio']:>6.2f} {r['page_median']:>8.1f} {r['page_p95']:>8.1f} "
            f"{r['page_queries']:>8}"
        )
    lines.append("")
    lines.append("Plans (EXPLAIN ANALYZE scan nodes; count, then first page):")
    for name, r in rows.items():
        lines += [f"  {name:<9} {plan}" for plan in r["plans"]]
    report = "\n".join(lines)
    print("\n" + report)
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(report + "\n", encoding="utf-8")

    for name, r in rows.items():
        assert r["p95"] <= P95_BUDGET_MS, f"{name}: list query p95 {r['p95']:.1f} ms > {P95_BUDGET_MS} ms"
        assert r["page_p95"] <= P95_BUDGET_MS, f"{name}: page p95 {r['page_p95']:.1f} ms > {P95_BUDGET_MS} ms"
        assert r["ratio"] <= RATIO_BUDGET, f"{name}: scoped/unscoped {r['ratio']:.2f} > {RATIO_BUDGET}"
