"""Benchmark: 日管控、周排查、月调度 at Gansu ×3 — 180,000 units, 750,000 pieces of equipment, ≥ 50M daily checks.

Run with ``make bench PYTEST_ARGS="-k routines"``. The session's test database is topped up once (kept by
``--reuse-db``): units (``seed_scale``), equipment (``seed_equipment``), then fourteen months of records
(``seed_routines``: every month of checks one streamed COPY attached as its partition), per-row guardian grants
over the latest ≥ 5M checks, and the compliance roll-up of every seeded month. Measured:

- the roll-up (``compliance.refresh``): every seeded month recounted, and one night's run as the beat makes it
  (this month and the last, and whatever was filed since the previous run);
- the regulator's compliance page and its shortfall list for the province, 兰州市 and 城关区, and an
  enterprise's month calendar, through the test client (median, p95, queries per request);
- "the latest 50 daily checks of a county" and "the count of the province's", through the ancestor-id scope
  (``access.scope``: ``county_id = …`` on the tier index) beside the per-row django-guardian way
  (``get_objects_for_user`` over one grant row per check), over the same ≥ 5M rows, in the same run;
- the disk the records take, and what a year of them costs at this scale.

Prints the tables and writes them to ``var/bench/routines.txt``.
"""

from __future__ import annotations

import gc
import statistics
import time
from functools import partial
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from guardian.models import UserObjectPermission
from guardian.shortcuts import get_objects_for_user

from inspections.routines import compliance
from inspections.routines.models import DailyCheck, MonthlyMinutes, UnitMonthCompliance, WeeklyReport
from jurisdictions import access
from jurisdictions.duties import Duty
from jurisdictions.models import User
from tests import factories
from tests.perf.seeding import top_up_units_and_equipment
from tests.perf.test_unit_list_bench import USERS, _bench_user, p95
from units.models import Equipment, Unit

BENCH_UNITS = 180_000
BENCH_EQUIPMENT = 750_000
MIN_CHECKS = 50_000_000
GRANTED_CHECKS = 5_000_000  # per-row grants for the guardian side: at least this many checks
SEED_MONTHS = 14
CHECKS_PER_YEAR = 65_000_000  # 180,000 units filing daily (issue 11 §12)
RUNS, WARMUP = 30, 3
GUARDIAN_RUNS = 5
PAGE_P95_BUDGET_MS = 200.0
NIGHT_BUDGET_S = 600.0  # once a night in a worker, beside nothing else
BENCH_DIR = Path(__file__).resolve().parents[2] / "var" / "bench"
TABLES = ("routines_dailycheck", "routines_weeklyreport", "routines_monthlyminutes")

_seeding: dict[str, float] = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Units, equipment, records, grants and the first roll-up, each only when missing."""
    with django_db_blocker.unblock():
        top_up_units_and_equipment(_seeding, BENCH_UNITS, BENCH_EQUIPMENT)
        if not _enough_checks():
            started = time.perf_counter()
            call_command("seed_routines", start=_seed_start())
            _seeding["records_seconds"] = time.perf_counter() - started
            with connection.cursor() as cursor:
                for table in TABLES:
                    cursor.execute(f"VACUUM (ANALYZE) {table}")
        if not UserObjectPermission.objects.filter(user__username="bench-guardian-province").exists():
            started = time.perf_counter()
            _grant_rows()
            _seeding["grant_seconds"] = time.perf_counter() - started
        if not UnitMonthCompliance.objects.filter(month=_first_month()).exists():
            started = time.perf_counter()
            compliance.refresh(months=_seeded_months())
            _seeding["first_rollup_seconds"] = time.perf_counter() - started


def _enough_checks() -> bool:
    """Whether the daily checks reach MIN_CHECKS, read from the planner's estimate first (a count(*) of 50M rows
    takes a while), then counted."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(sum(reltuples), 0) FROM pg_class c JOIN pg_inherits i ON i.inhrelid = c.oid "
                       "WHERE i.inhparent = 'routines_dailycheck'::regclass")
        if cursor.fetchone()[0] < 0.9 * MIN_CHECKS:
            return False
    return DailyCheck.objects.count() >= MIN_CHECKS


def _seed_start():
    """Fourteen months back: the seeded units file about 47M checks a year (not all are on the books, or have
    equipment, all year), so fourteen months pass MIN_CHECKS."""
    month = compliance.month_start(timezone.localdate())
    for _ in range(SEED_MONTHS):
        month = compliance.previous_month(month)
    return month


def _first_month():
    return DailyCheck.objects.order_by("day").values_list("day", flat=True).first()


def _seeded_months() -> list:
    months, month = [], compliance.month_start(_first_month())
    while month <= timezone.localdate():
        months.append(month)
        month = compliance.next_month(month)
    return months


def _window_start():
    """The first day of the latest days holding at least GRANTED_CHECKS checks."""
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT day FROM (SELECT day, sum(count(*)) OVER (ORDER BY day DESC) AS upto
                               FROM routines_dailycheck GROUP BY day) t
             WHERE upto >= %s ORDER BY day DESC LIMIT 1""", [GRANTED_CHECKS])
        return cursor.fetchone()[0]


def _guardian_user(name: str) -> User:
    """An account holding per-row grants only, the way django-guardian would scope records: no node, no unit."""
    return User.objects.filter(username=name).first() or User.objects.create_user(username=name)


def _county():
    return _bench_user("county", USERS["county"]).jurisdiction


def _grant_rows() -> None:
    """One ``view_dailycheck`` row in guardian's table per check since the window's start for the province's
    guardian account, and per check of 城关区 for the county's: what ``assign_perm`` per record would leave, put in
    with one INSERT … SELECT each (the rows derive from the checks)."""
    content_type = ContentType.objects.get_for_model(DailyCheck)
    permission = Permission.objects.get(content_type=content_type, codename="view_dailycheck")
    start, county = _window_start(), _county()
    with connection.cursor() as cursor:
        for user, county_id in ((_guardian_user("bench-guardian-province"), None),
                                (_guardian_user("bench-guardian-county"), county.pk)):
            cursor.execute(
                "INSERT INTO guardian_userobjectpermission (object_pk, content_type_id, permission_id, user_id) "
                "SELECT id::text, %s, %s, %s FROM routines_dailycheck "
                "WHERE day >= %s AND (%s::bigint IS NULL OR county_id = %s)",
                [content_type.pk, permission.pk, user.pk, start, county_id, county_id])
        cursor.execute("VACUUM (ANALYZE) guardian_userobjectpermission")


def timed(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def samples_of(call, runs: int = RUNS, warmup: int = WARMUP) -> list[float]:
    for _ in range(warmup):
        call()
    return [timed(call) for _ in range(runs)]


def measure_page(client, user, url: str) -> dict:
    client.force_login(user)
    for _ in range(WARMUP):
        assert client.get(url).status_code == 200, url
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, url
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return {"median": statistics.median(samples), "p95": p95(samples), "queries": len(ctx.captured_queries)}


def _report(name: str, lines: list[str]) -> None:
    report = "\n".join(lines)
    print("\n" + report)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    (BENCH_DIR / name).write_text(report + "\n", encoding="utf-8")


def _relation_bytes(table: str) -> int:
    """Heap, TOAST and indexes of ``table`` and, for a partitioned one, of every partition."""
    with connection.cursor() as cursor:
        # pg_partition_tree names nothing for a table that is not partitioned.
        cursor.execute("SELECT coalesce((SELECT sum(pg_total_relation_size(relid)) "
                       "FROM pg_partition_tree(%s::regclass)), pg_total_relation_size(%s::regclass))", [table, table])
        return int(cursor.fetchone()[0])


def _seeding_lines() -> list[str]:
    done = (("units", "unit_seconds", "units (seed_scale)"),
            ("equipment", "equipment_seconds", "pieces of equipment (seed_equipment --no-history)"))
    lines = [f"Seeded {_seeding[n]} {label} in {_seeding[s]:.0f} s this session." for n, s, label in done
             if _seeding.get(n)]
    for key, label in (("records_seconds", "records (seed_routines: COPY per month, attached as its partition)"),
                       ("grant_seconds", "guardian per-row grants (INSERT … SELECT)"),
                       ("first_rollup_seconds", "first roll-up of every seeded month")):
        if key in _seeding:
            lines.append(f"Seeded {label} in {_seeding[key]:.0f} s this session.")
    return lines


@pytest.mark.django_db
def test_routines_rollup_pages_and_scope_at_gansu_x3(client):
    checks = DailyCheck.objects.count()
    assert checks >= MIN_CHECKS
    units, months = Unit.objects.count(), _seeded_months()
    lines = [f"日管控、周排查、月调度 at {units} units, {Equipment.objects.count()} pieces of equipment, "
             f"{checks} daily checks, {WeeklyReport.objects.count()} weekly reports, "
             f"{MonthlyMinutes.objects.count()} monthly minutes "
             f"({months[0]:%Y-%m} to {months[-1]:%Y-%m}); times in ms unless said.", *_seeding_lines()]

    # The roll-up: every month once, then the night as the beat runs it (three nights, the median).
    full = compliance.refresh(months=months)
    nights = [compliance.refresh() for _ in range(3)]
    night = statistics.median(n.seconds for n in nights)
    lines += ["", f"Roll-up (compliance.refresh): all {len(months)} months {full.seconds:.1f} s "
              f"({full.seconds / len(months):.1f} s a month, {full.units} unit-months); one night "
              f"({', '.join(f'{m:%Y-%m}' for m in nights[-1].months)}) median {night:.1f} s of 3 "
              f"({', '.join(f'{n.seconds:.1f}' for n in nights)})."]

    # The pages, for the three tiers and an enterprise, with what is loaded so far frozen out of the collector's
    # generations as portal/wsgi.py does in a worker.
    gc.collect()
    gc.freeze()
    regulators = {name: _bench_user(name, code) for name, code in USERS.items()}
    pages = {"compliance": reverse("routines:compliance"), "shortfalls": reverse("routines:compliance_units")}
    rows = {(page, name): measure_page(client, user, url) for page, url in pages.items()
            for name, user in regulators.items()}
    busy = (UnitMonthCompliance.objects.filter(month=months[-2], days_on_time__gt=0).order_by("-days_due")
            .values_list("unit_id", flat=True).first())
    enterprise = User.objects.filter(username="bench-enterprise").first() or factories.enterprise_user(
        Unit.objects.get(pk=busy), username="bench-enterprise")
    calendar = reverse("routines:unit_calendar", args=[busy])  # where the menu's 履职日历 redirects
    rows["calendar", "enterprise"] = measure_page(client, enterprise, calendar)
    rows["calendar (last month)", "enterprise"] = measure_page(client, enterprise,
                                                               calendar + f"?month={months[-2]:%Y-%m}")
    for name in ("county", "province"):
        rows["daily-check list", name] = measure_page(client, regulators[name], reverse("routines:daily_check_list"))
    header = f"{'page':<22} {'user':<10} {'median':>8} {'p95':>8} {'SQL':>4}"
    lines += ["", f"Pages through the test client, {RUNS} GETs after {WARMUP} warm-up GETs:", header, "-" * len(header)]
    lines += [f"{page:<22} {name:<10} {r['median']:>8.1f} {r['p95']:>8.1f} {r['queries']:>4}"
              for (page, name), r in rows.items()]

    # The ancestor-id scope beside per-row guardian grants, over the same window of checks.
    start = _window_start()
    window = DailyCheck.objects.filter(day__gte=start)
    granted = {name: _guardian_user(f"bench-guardian-{name}") for name in ("province", "county")}
    grant_rows = UserObjectPermission.objects.filter(user__in=granted.values()).count()

    def latest_scoped(user):
        return list(access.scope(window, user, Duty.VIEW).order_by("-day", "-id")[:50])

    def latest_guardian(user):
        return list(get_objects_for_user(user, "routines.view_dailycheck", klass=window, use_groups=False,
                                         with_superuser=False, accept_global_perms=False).order_by("-day", "-id")[:50])

    def count_scoped(user):
        return access.scope(window, user, Duty.VIEW).count()

    def count_guardian(user):
        return get_objects_for_user(user, "routines.view_dailycheck", klass=window, use_groups=False,
                                    with_superuser=False, accept_global_perms=False).count()

    county, province = regulators["county"], regulators["province"]
    assert [c.pk for c in latest_scoped(county)] == [c.pk for c in latest_guardian(granted["county"])]
    assert count_scoped(province) == count_guardian(granted["province"])
    access.grants(county), access.grants(province)  # read once per request by the view, not part of the query
    pairs = {
        "latest 50 of the county": (partial(latest_scoped, county), partial(latest_guardian, granted["county"])),
        "count of the province": (partial(count_scoped, province), partial(count_guardian, granted["province"])),
    }
    in_county = window.filter(county_id=county.jurisdiction_id).count()
    lines += ["", f"Scope: {window.count()} checks since {start} ({in_county} in 城关区); guardian holds {grant_rows} "
              f"per-row grants for them. Ancestor = access.scope (tier column on its index), {RUNS} runs; guardian = "
              f"get_objects_for_user over the grants, {GUARDIAN_RUNS} runs.",
              f"{'query':<26} {'ancestor':>9} {'p95':>8} {'guardian':>10} {'p95':>9} {'ratio':>7}"]
    ratios = {}
    for label, (scoped, guarded) in pairs.items():
        a, g = samples_of(scoped), samples_of(guarded, runs=GUARDIAN_RUNS, warmup=1)
        ratios[label] = statistics.median(g) / statistics.median(a)
        lines.append(f"{label:<26} {statistics.median(a):>9.1f} {p95(a):>8.1f} {statistics.median(g):>10.1f} "
                     f"{max(g):>9.1f} {ratios[label]:>6.0f}×")

    # Disk: what the records take now, and a year of daily checks at CHECKS_PER_YEAR.
    sizes = {table: _relation_bytes(table) for table in TABLES}
    per_check = sizes["routines_dailycheck"] / checks
    year = (per_check * CHECKS_PER_YEAR + sizes["routines_weeklyreport"] * 365 / (len(months) * 30.4)
            + sizes["routines_monthlyminutes"] * 12 / max(1, len(months) - 1)) / 1e9
    lines += ["", "Disk (heap + TOAST + indexes): " + ", ".join(
        f"{table} {size / 1e9:.2f} GB" for table, size in sizes.items()) +
        f"; {per_check:.0f} bytes a daily check. A year at {CHECKS_PER_YEAR / 1e6:.0f}M checks with its weekly "
        f"reports and minutes: about {year:.1f} GB."]
    _report("routines.txt", lines)

    assert night <= NIGHT_BUDGET_S, f"one night's roll-up {night:.0f} s"
    for page in ("compliance", "shortfalls"):
        counts = {name: rows[page, name]["queries"] for name in regulators}
        assert len(set(counts.values())) == 1, f"{page}: queries per page grow with the scope: {counts}"
    for (page, name), r in rows.items():
        assert r["p95"] <= PAGE_P95_BUDGET_MS, f"{page}/{name}: p95 {r['p95']:.0f} ms"
    assert ratios["latest 50 of the county"] > 1 and ratios["count of the province"] > 1
