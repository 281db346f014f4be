"""Benchmark: the supervision records at province scale — ≥ 500,000 inspection records and ≥ 100,000 安全监察指令书
over Gansu ×3 (180,000 units, 750,000 pieces of equipment, 兰州市 at 60,000 units); issue 12 "the inspection and
directive lists at province scale (≥ 500k inspection records) median and p95; directive PDF render time (≤ 1 s);
nightly regrading of 180k units".

Run with ``make bench PYTEST_ARGS="-k supervision"``. The session's test database is topped up once (kept by
``--reuse-db``): units and equipment as the plan benchmark has them, then about three years of inspection records
with their inspectors and the directives of those disposed of by one (``tests/perf/supervision_seeding.py``:
streamed COPYs with the two tables' user triggers — pghistory's and pgtrigger's — disabled inside each batch's
transaction and enabled again before it commits; the foreign keys are still checked). Measured:

- ``/inspections/`` and ``/directives/`` as 城关区's, 兰州市's and the province's leader (the other benchmarks'
  ``bench-county`` / ``bench-city`` / ``bench-province``), through the test client, as they open and sorted by
  their date column (检查时间 newest first, 整改期限 soonest first): median and p95 of ``RUNS`` GETs after
  ``WARMUP``, the SQL statements per page (the same whatever the scope holds: asserted), and the time of the
  page's count and of its rows under EXPLAIN ANALYZE with the scans of the latter;
- the county's CSV and Excel exports of both lists (one run each: they write every row of the scope);
- a directive's PDF (``inspection_documents.directive_pdf``) and its download page, for a directive issued through
  the services from a signed record (signature image and 监察员证 numbers on it);
- the nightly regrade (``grading.regrade()``) of every supervised unit, with the overdue directives among its
  inputs.

Prints the tables and writes them to ``var/bench/supervision.txt``.
"""

from __future__ import annotations

import gc
import statistics
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inspections.supervision import directive_services, grading, inspection_documents, inspection_services
from inspections.supervision import services as supervision
from inspections.supervision.inspection_choices import Disposition, InspectionKind, InspectionStatus, ItemResult
from inspections.supervision.models import Directive, Inspection, InspectorCertificate
from jurisdictions import access
from jurisdictions.duties import Role
from jurisdictions.models import User
from tests.inspections.supervision_world import drawn_signature
from tests.perf import supervision_seeding
from tests.perf.seeding import top_up_city, top_up_units_and_equipment
from tests.perf.test_plan_bench import BENCH_EQUIPMENT, BENCH_UNITS, CITY, CITY_UNITS
from tests.perf.test_unit_list_bench import USERS, _bench_user, p95
from units.choices import UnitStatus
from units.models import Unit

MIN_INSPECTIONS = 500_000
MIN_DIRECTIVES = 100_000
RUNS, WARMUP = 20, 3
PDF_RUNS, PDF_WARMUP = 10, 2
REGRADE_RUNS = 3
LIST_P95_BUDGET_MS = 1000.0
PDF_BUDGET_S = 1.0
REGRADE_BUDGET_S = 600.0  # once a night in a worker
# label → (URL name, query): each list as it opens (newest first), and sorted by its date column.
PAGES = {"inspections": ("inspections:inspection_list", ""),
         "  by time": ("inspections:inspection_list", "?sort=-started_at"),
         "directives": ("inspections:directive_list", ""),
         "  by deadline": ("inspections:directive_list", "?sort=deadline")}
LISTS = ("inspections", "directives")
OUTPUT = Path(__file__).resolve().parents[2] / "var" / "bench" / "supervision.txt"

_seeding: dict[str, float] = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Units and equipment, 兰州市's top-up, then the records, each only when missing."""
    with django_db_blocker.unblock():
        top_up_units_and_equipment(_seeding, BENCH_UNITS, BENCH_EQUIPMENT)
        top_up_city(_seeding, CITY, CITY_UNITS, round(BENCH_EQUIPMENT / BENCH_UNITS))
        missing = MIN_INSPECTIONS - Inspection.objects.count()
        if missing > 0:
            _seeding.update(supervision_seeding.seed(missing))


@pytest.fixture(autouse=True)
def _tables_render_as_django_tables2():
    """Off here: tests/conftest.py renders every table body a second time through django-tables2's own cell path
    to compare the two, which a page timing must not include."""


def timed_get(client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, url
    return elapsed


def statements(queries: list[dict]) -> str:
    """The page's count and its rows under EXPLAIN ANALYZE: each one's time, and the scan nodes of the rows."""
    found = {}
    with connection.cursor() as cursor:
        for query in queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT") or "supervision_" not in sql:
                continue
            cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql)
            nodes = [row[0].strip().removeprefix("->  ") for row in cursor.fetchall()]
            ms = float(next(n for n in nodes if n.startswith("Execution Time")).split()[2])
            scans = [n.split("  (")[0] for n in nodes if " Scan " in n or n.startswith(("Seq Scan", "Index"))]
            found["count" if "COUNT(" in sql.upper() else "rows"] = (ms, scans)
    (count_ms, _), (rows_ms, scans) = found["count"], found["rows"]
    return f"count {count_ms:.1f}, rows {rows_ms:.1f}: " + "; ".join(scans)


def measure_page(client, user, url: str) -> dict:
    client.force_login(user)
    for _ in range(WARMUP):
        timed_get(client, url)
    samples = [timed_get(client, url) for _ in range(RUNS)]
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    paginator = response.context["table"].paginator
    return {"median": statistics.median(samples), "p95": p95(samples), "queries": len(ctx.captured_queries),
            "rows": paginator.count, "sql": statements(ctx.captured_queries)}


def measure_export(client, user, url: str, fmt: str) -> dict:
    client.force_login(user)
    started = time.perf_counter()
    response = client.get(f"{url}?_export={fmt}")
    seconds = time.perf_counter() - started
    assert response.status_code == 200
    return {"seconds": seconds, "bytes": len(response.content)}


def certified(user: User, number: str) -> User:
    if not InspectorCertificate.objects.filter(number=number).exists():
        today = timezone.localdate()
        supervision.add_certificate(by=access.COMMAND_LINE, holder=user, number=number, certificate_class="B",
                                    issued_by="甘肃省市场监督管理局", issued_on=today - timedelta(days=200),
                                    expires_on=today + timedelta(days=1500))
    return user


def pdf_directive(leader: User) -> Directive:
    """A directive issued through the services by 城关区's leader from a record of a 城关区 unit that its leader and
    an inspector carried out, every item recorded, signed on the screen and completed (made once)."""
    made = (Directive.objects.filter(issued_by=leader, inspection__signature__gt="")
            .select_related("unit", "authority", "inspection").order_by("-id").first())
    if made is not None:
        return made
    county = leader.jurisdiction
    inspector = User.objects.filter(jurisdiction=county, role=Role.INSPECTOR).order_by("id").first()
    team = [certified(leader, f"BENCH-SUP-{county.code}-0"), certified(inspector, f"BENCH-SUP-{county.code}-1")]
    unit = Unit.objects.filter(county=county, status=UnitStatus.ACTIVE).order_by("id").first()
    inspection = inspection_services.open_inspection(by=leader, unit=unit, kind=InspectionKind.ROUTINE,
                                                     inspectors=team)
    items = list(inspection.items.order_by("position"))
    results = {item.position: {"result": ItemResult.COMPLIANT, "note": ""} for item in items}
    results[items[0].position] = {"result": ItemResult.NON_COMPLIANT, "note": "近三个月未形成每周安全排查治理报告"}
    inspection_services.record_items(by=leader, inspection=inspection, results=results)
    inspection_services.sign(by=leader, inspection=inspection, signer_name="李代表", signature=drawn_signature(),
                             unit_opinion="无异议")
    inspection = inspection_services.complete(by=leader, inspection=inspection, disposition=Disposition.DIRECTIVE)
    directive = directive_services.issue(
        by=leader, inspection=inspection,
        problems="1. 未落实周排查，未形成每周安全排查治理报告\n2. 安全管理人员未持证上岗",
        legal_basis="《特种设备使用单位落实使用安全主体责任监督管理规定》第一百四十三条",
        measures="立即建立周排查制度，由安全总监每周组织排查并形成报告；安全管理人员取得证书后方可上岗。",
        deadline=timezone.localdate() + timedelta(days=15))
    return Directive.objects.select_related("unit", "authority", "inspection").get(pk=directive.pk)


def seconds_of(call, runs: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


def _seeding_lines() -> list[str]:
    lines = []
    if "inspections" in _seeding:
        lines.append(f"Seeded this session: {_seeding['inspections']} inspection records with "
                     f"{_seeding['inspectors']} inspector rows and {_seeding['directives']} directives in "
                     f"{_seeding['seconds']:.0f} s (COPY, user triggers off; {_seeding['skipped_numbers']} "
                     "directive numbers skipped, already issued through the services).")
    for key, label in (("units", "units (seed_scale)"), ("equipment", "pieces of equipment (seed_equipment)"),
                       ("city_units", "units in 兰州市 (seed_scale --city)"),
                       ("city_equipment", "pieces of equipment on them (seed_equipment --city --bare)")):
        if key in _seeding:
            lines.append(f"Seeded this session: {_seeding[key]} {label}.")
    return lines


@pytest.mark.django_db
def test_supervision_lists_pdf_and_regrade_at_province_scale(client):
    inspections, directives = Inspection.objects.count(), Directive.objects.count()
    assert inspections >= MIN_INSPECTIONS and directives >= MIN_DIRECTIVES
    units = Unit.objects.count()
    first = Inspection.objects.order_by("started_at").values_list("started_at", flat=True).first()
    open_ = Inspection.objects.filter(status=InspectionStatus.IN_PROGRESS).count()
    lines = [f"Supervision at {units} units ({Unit.objects.filter(city__code=CITY).count()} in 兰州市): {inspections} "
             f"inspection records since {timezone.localtime(first):%Y-%m-%d} ({open_} in progress), {directives} "
             f"安全监察指令书; times in ms unless said.", *_seeding_lines()]

    # The lists, with what is loaded so far frozen out of the collector's generations as portal/wsgi.py does.
    gc.collect()
    gc.freeze()
    users = {name: _bench_user(name, code) for name, code in USERS.items()}
    rows = {(page, name): measure_page(client, user, reverse(url_name) + query)
            for page, (url_name, query) in PAGES.items() for name, user in users.items()}
    header = (f"{'page':<14} {'user':<9} {'in scope':>8} {'median':>7} {'p95':>7} {'SQL':>4}  "
              "count and rows under EXPLAIN ANALYZE (ms)")
    lines += ["", f"Lists through the test client, {RUNS} GETs after {WARMUP} warm-up GETs (the first page of 50, "
              "newest first, then sorted by the date column):", header, "-" * len(header)]
    lines += [f"{page:<14} {name:<9} {r['rows']:>8} {r['median']:>7.1f} {r['p95']:>7.1f} {r['queries']:>4}  "
              f"{r['sql']}" for (page, name), r in rows.items()]

    exports = {(page, fmt): measure_export(client, users["county"], reverse(PAGES[page][0]), fmt)
               for page in LISTS for fmt in ("csv", "xlsx")}
    lines += ["", "Exports of 城关区's whole list, one run each: " + "; ".join(
        f"{page} {fmt} {rows[page, 'county']['rows']} rows {e['seconds']:.1f} s "
        f"({e['seconds'] / rows[page, 'county']['rows'] * 1e6:.0f} µs a row, {e['bytes'] / 1e6:.1f} MB)"
        for (page, fmt), e in exports.items()) + "."]

    # The directive's PDF: the render alone, and the download page (scope, render, audit event) as its reader.
    leader = users["county"]
    directive = pdf_directive(leader)
    renders = seconds_of(lambda: inspection_documents.directive_pdf(directive), PDF_RUNS, PDF_WARMUP)
    assert inspection_documents.directive_pdf(directive).startswith(b"%PDF")
    client.force_login(leader)
    url = reverse("inspections:directive_pdf", args=[directive.pk])
    downloads = seconds_of(lambda: client.get(url), PDF_RUNS, PDF_WARMUP)
    assert client.get(url).status_code == 200
    lines += ["", f"Directive PDF ({directive.number}, with the unit's signature and two inspectors' 监察员证), "
              f"{PDF_RUNS} runs after {PDF_WARMUP}: render (inspection_documents.directive_pdf) median "
              f"{statistics.median(renders) * 1000:.0f} ms, p95 {p95(renders) * 1000:.0f} ms; download page "
              f"median {statistics.median(downloads) * 1000:.0f} ms, p95 {p95(downloads) * 1000:.0f} ms."]

    # The nightly regrade, as the beat runs it.
    gc.unfreeze()
    runs = [grading.regrade() for _ in range(REGRADE_RUNS)]
    regrade = statistics.median(r.seconds for r in runs)
    overdue = Directive.objects.filter(overdue_at__isnull=False).count()
    lines += ["", f"Nightly regrade (grading.regrade) of {runs[-1].graded} supervised units, {overdue} overdue "
              f"directives among the inputs: median {regrade:.1f} s of {REGRADE_RUNS} "
              f"({', '.join(f'{r.seconds:.1f}' for r in runs)} s; grades changed "
              f"{', '.join(str(r.changed) for r in runs)})."]

    report = "\n".join(lines)
    print("\n" + report)
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(report + "\n", encoding="utf-8")

    for page in PAGES:
        counts = {name: rows[page, name]["queries"] for name in users}
        assert len(set(counts.values())) == 1, f"{page}: queries per page grow with the scope: {counts}"
    for (page, name), r in rows.items():
        assert r["p95"] <= LIST_P95_BUDGET_MS, f"{page}/{name}: p95 {r['p95']:.0f} ms"
    assert statistics.median(renders) <= PDF_BUDGET_S
    assert regrade <= REGRADE_BUDGET_S
