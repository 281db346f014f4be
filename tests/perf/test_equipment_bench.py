"""Benchmark: the scoped equipment list and the 30-day due list at 250,000 pieces of equipment, and the
使用登记证 PDF render time.

Run with ``make bench`` (tests/perf is not part of ``make test``). The session's test database gets the
real tree, is topped up to ``BENCH_UNITS`` units with ``seed_scale`` and to ``BENCH_EQUIPMENT`` pieces
of equipment with ``seed_equipment`` once. For a county, a city and the province user it times exactly
what ``EquipmentListView`` and ``InspectionDueListView`` ask the database (``count(*)`` and the first
page of 50, in the table's default order), and the same without scoping; then renders one registered
piece's certificate ``CERT_RUNS`` times. Prints a table and writes it to ``var/bench/equipment_list.txt``.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jurisdictions import access
from jurisdictions.duties import Duty
from portal.kit.views import PER_PAGE
from tests.perf.seeding import top_up_units_and_equipment
from tests.perf.test_unit_list_bench import BENCH_UNITS, USERS, _bench_user, p95
from units import documents, querysets
from units.choices import EquipmentStatus
from units.models import Equipment, Unit
from units.tables import EquipmentTable, InspectionDueTable
from units.views.equipment import LIST_RELATED

BENCH_EQUIPMENT = 250_000
RUNS = 100
WARMUP = 5
CERT_RUNS = 20
P95_BUDGET_MS = 150.0
CERT_BUDGET_MS = 1000.0
OUTPUT = Path(__file__).resolve().parents[2] / "var" / "bench" / "equipment_list.txt"

_seeding: dict[str, float] = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The project's setup (migrations + tree + catalogue), then units and equipment, once per session."""
    with django_db_blocker.unblock():
        top_up_units_and_equipment(_seeding, BENCH_UNITS, BENCH_EQUIPMENT)


def equipment_list(user=None):
    """EquipmentListView's queryset: select_related, scope, EquipmentTable's default order."""
    qs = Equipment.objects.select_related(*LIST_RELATED)
    if user is not None:
        qs = access.scope(qs, user, Duty.VIEW)
    return qs.order_by(*EquipmentTable._meta.order_by)


def due_list(user=None):
    """InspectionDueListView's queryset: in use and due within 30 days, in InspectionDueTable's order."""
    qs = querysets.inspection_due(timezone.localdate()).select_related(*LIST_RELATED)
    if user is not None:
        qs = access.scope(qs, user, Duty.VIEW)
    default = InspectionDueTable._meta.order_by[0]
    return qs.order_by(*InspectionDueTable.base_columns[default].order_by)  # the column's own tiebreaker


LISTS = {"equipment": (equipment_list, "units:equipment_list"), "due": (due_list, "units:inspection_due_list")}


def timed(qs) -> float:
    started = time.perf_counter()
    total = qs.count()
    rows = list(qs[:PER_PAGE])
    elapsed = (time.perf_counter() - started) * 1000
    assert total and len(rows) == min(total, PER_PAGE)
    return elapsed


def measure(build, user) -> tuple[list[float], list[float]]:
    """Scoped and unscoped in adjacent pairs, alternating which goes first (as the unit benchmark)."""
    access.grants(user)
    scoped, unscoped = build(user), build()
    for _ in range(WARMUP):
        timed(scoped), timed(unscoped)
    a, b = [], []
    for i in range(RUNS):
        if i % 2:
            b.append(timed(unscoped))
            a.append(timed(scoped))
        else:
            a.append(timed(scoped))
            b.append(timed(unscoped))
    return a, b


def sent_by_page(client, user, url_name) -> set[str]:
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse(url_name)).status_code == 200
    return {q["sql"] for q in ctx.captured_queries}


def ours(qs) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        qs.count()
        list(qs[:PER_PAGE])
    return [q["sql"] for q in ctx.captured_queries]


def plans(qs) -> list[str]:
    found = []
    with connection.cursor() as cursor:
        for sql in ours(qs):
            cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql)
            nodes = [row[0].strip().removeprefix("->  ") for row in cursor.fetchall()]
            found.append("; ".join(n for n in nodes if " Scan " in n or n.startswith(("Seq Scan", "Index")))
                         or nodes[0])
    return found


def measure_certificate() -> tuple[list[float], Equipment]:
    equipment = (Equipment.objects.select_related("unit", "equipment_type", "category")
                 .filter(status=EquipmentStatus.IN_USE).exclude(registration_number="").exclude(code="")
                 .order_by("pk").first())
    documents.certificate_pdf(equipment)  # fonts loaded, templates compiled
    samples = []
    for _ in range(CERT_RUNS):
        started = time.perf_counter()
        pdf = documents.certificate_pdf(equipment)
        samples.append((time.perf_counter() - started) * 1000)
        assert pdf.startswith(b"%PDF")
    return samples, equipment


@pytest.mark.django_db
def test_scoped_equipment_lists_at_250k(client):
    total = Equipment.objects.count()
    assert total >= BENCH_EQUIPMENT
    users = {name: _bench_user(name, code) for name, code in USERS.items()}
    rows = {}
    for list_name, (build, url_name) in LISTS.items():
        for name, user in users.items():
            sent = sent_by_page(client, user, url_name)
            missing = [sql for sql in ours(build(user)) if sql not in sent]
            assert not missing, f"{list_name}/{name}: the page does not run {missing}; it runs {sorted(sent)}"
            scoped, unscoped = measure(build, user)
            rows[list_name, name] = {
                "in_scope": build(user).count(),
                "median": statistics.median(scoped), "p95": p95(scoped),
                "all_median": statistics.median(unscoped), "all_p95": p95(unscoped),
                "ratio": statistics.median(x / y for x, y in zip(scoped, unscoped, strict=True)),
                "plans": plans(build(user)),
            }
    cert, cert_equipment = measure_certificate()

    lines = [f"Equipment lists at {total} pieces of equipment on {Unit.objects.count()} units; {RUNS} runs per "
             f"list and user after {WARMUP} warm-up runs; times in ms."]
    if _seeding.get("equipment"):
        lines.append(f"Seeded {_seeding['equipment']} pieces this session in {_seeding['equipment_seconds']:.1f} s "
                     "(seed_equipment, one COPY).")
    if _seeding.get("units"):
        lines.append(f"Seeded {_seeding['units']} units this session in {_seeding['unit_seconds']:.1f} s (seed_scale).")
    lines.append("query = count(*) + first page of 50 exactly as the view sends it (checked against the page's "
                 "SQL); all = same without scoping; ratio = median over adjacent pairs of query / all. "
                 "equipment = /equipment/ (order -id); due = /equipment/inspections/due/ (in use, due in 30 days, "
                 "order next_inspection_on).")
    header = (f"{'list':<10} {'user':<9} {'in scope':>8} {'query med':>9} {'query p95':>9} {'all med':>8} "
              f"{'all p95':>8} {'ratio':>6}")
    lines += [header, "-" * len(header)]
    for (list_name, name), r in rows.items():
        lines.append(f"{list_name:<10} {name:<9} {r['in_scope']:>8} {r['median']:>9.2f} {r['p95']:>9.2f} "
                     f"{r['all_median']:>8.2f} {r['all_p95']:>8.2f} {r['ratio']:>6.2f}")
    lines.append("")
    lines.append(f"Certificate PDF (units.documents.certificate_pdf, equipment #{cert_equipment.pk}), {CERT_RUNS} "
                 f"renders after one warm-up: median {statistics.median(cert):.0f} ms, p95 {p95(cert):.0f} ms, "
                 f"max {max(cert):.0f} ms.")
    lines.append("")
    lines.append("Plans (EXPLAIN ANALYZE scan nodes; count, then first page):")
    for (list_name, name), r in rows.items():
        lines += [f"  {list_name:<10} {name:<9} {plan}" for plan in r["plans"]]
    report = "\n".join(lines)
    print("\n" + report)
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(report + "\n", encoding="utf-8")

    for (list_name, name), r in rows.items():
        assert r["p95"] <= P95_BUDGET_MS, f"{list_name}/{name}: p95 {r['p95']:.1f} ms > {P95_BUDGET_MS} ms"
    assert statistics.median(cert) <= CERT_BUDGET_MS, f"certificate median {statistics.median(cert):.0f} ms"
