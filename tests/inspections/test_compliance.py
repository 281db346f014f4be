"""The compliance roll-up (inspections.routines.compliance; issue 11 §6–7): the set SQL must count every unit's
month exactly as ``expected.ledger`` does — across every kind of exemption, a temporary stop over a week and a
month boundary, a unit registered mid-month, stopped production, suspended equipment, 补录 and AM+PM checks — sum
into the jurisdictions, stay the same when run twice, and correct itself on the next run after a late filing."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inspections.routines import compliance, expected
from inspections.routines.choices import CheckResult, ExemptionKind, Period
from inspections.routines.models import (
    ComplianceRefresh,
    DailyCheck,
    Exemption,
    JurisdictionDayCompliance,
    JurisdictionMonthCompliance,
    MonthlyMinutes,
    RiskList,
    RiskListVersion,
    UnitMonthCompliance,
    WeeklyReport,
)
from tests import factories
from tests.factories import node
from units.choices import EquipmentStatus, UnitStatus
from units.models import Equipment, EquipmentType, Unit

TODAY = timezone.localdate()
THIS = compliance.month_start(TODAY)
LAST = compliance.previous_month(THIS)
BEFORE = compliance.previous_month(LAST)
MONTHS = [BEFORE, LAST, THIS]
START = BEFORE - timedelta(days=20)  # when the older units came on the books


def at(day, hour=17, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


class Book:
    """What a test world needs to write records the way the filing services leave them (they date by the server's
    clock, so history is written directly): one risk list version, one signer, one account."""

    def __init__(self):
        self.by = factories.system_user()
        self.versions = {}
        self.signers = {}

    def unit(self, code: str, *, since=START, status=UnitStatus.ACTIVE, equipment=1, created=None) -> Unit:
        unit = factories.unit(code)
        Unit.objects.filter(pk=unit.pk).update(created_at=at(created or since, 9), reviewed_at=at(since, 10),
                                               status=status)
        unit.refresh_from_db()
        for _n in range(equipment):
            self.equipment(unit, since=created or since)
        return unit

    def equipment(self, unit: Unit, *, since=START, status=EquipmentStatus.IN_USE) -> Equipment:
        kind = EquipmentType.objects.get(code="3110")
        piece = Equipment(unit=unit, equipment_type=kind, category=EquipmentType.objects.get(code="3000"),
                          status=status, created_at=at(since, 8))
        piece.place_with(unit)
        piece.save()
        return piece

    def version(self, unit: Unit) -> RiskListVersion:
        if unit.pk not in self.versions:
            risk_list = RiskList(unit=unit)
            risk_list.place_with(unit)
            risk_list.save()
            self.versions[unit.pk] = RiskListVersion.objects.create(risk_list=risk_list, number=1, saved_by=self.by)
            self.signers[unit.pk] = factories.person(unit)
        return self.versions[unit.pk]

    def _sealed(self, unit: Unit, **fields) -> dict:
        self.version(unit)
        return {"unit": unit, "jurisdiction": unit.jurisdiction, "province_id": unit.province_id,
                "city_id": unit.city_id, "county_id": unit.county_id, "station_id": unit.station_id,
                "filed_by": self.by, "signer": self.signers[unit.pk], "chain_seq": 0, "seal": "x", **fields}

    def check(self, unit: Unit, day, *, late=False, period=Period.FULL, filed_at=None) -> DailyCheck:
        filed_at = filed_at or (at(day + timedelta(days=2), 9) if late else at(day))
        return DailyCheck.objects.create(**self._sealed(unit, filed_at=filed_at, late=late), day=day, period=period,
                                         risk_version=self.version(unit), positions=[1], exceptions={},
                                         result=CheckResult.ZERO_RISK)

    def checks(self, unit: Unit, first, last, *, skip=(), late=()) -> None:
        for day in expected.days(first, min(last, TODAY)):
            if day not in skip:
                self.check(unit, day, late=day in late)

    def weekly(self, unit: Unit, week_start, *, late=False, filed_at=None) -> WeeklyReport:
        filed_at = filed_at or at(week_start + timedelta(days=9 if late else 7), 10)
        return WeeklyReport.objects.create(**self._sealed(unit, filed_at=filed_at, late=late), week_start=week_start,
                                           assessment="平稳", next_focus="门锁")

    def minutes(self, unit: Unit, month, *, late=False, filed_at=None) -> MonthlyMinutes:
        end = expected.month_of(month)[1]
        filed_at = filed_at or at(end + timedelta(days=8 if late else 2), 15)
        return MonthlyMinutes.objects.create(**self._sealed(unit, filed_at=filed_at, late=late), month=month,
                                             held_at=filed_at, location="会议室", recorder=self.signers[unit.pk])


def exempt(unit: Unit, kind, starts_on, ends_on=None, equipment=None, reason="测试") -> Exemption:
    stop = Exemption(unit=unit, equipment=equipment, kind=kind, starts_on=starts_on, ends_on=ends_on, reason=reason,
                     recorded_at=at(starts_on - timedelta(days=1), 16))
    stop.place_with(unit)
    stop.save()
    return stop


def weeks_in(month):
    return compliance.weeks_of_month(month)


@pytest.fixture
def varied(tree):
    """Units in two counties of 兰州 and one of 天水, one placed at a county, covering each case the rules
    distinguish (named by what they show)."""
    book = Book()
    units = {}

    steady = units["steady"] = book.unit("620102001", equipment=2)
    book.checks(steady, START, TODAY, skip={BEFORE + timedelta(days=3), LAST + timedelta(days=10)},
                late={BEFORE + timedelta(days=5), LAST + timedelta(days=1)})
    # AM + PM: one on time and one 补录 is an on-time day; both 补录 is a late day; AM alone is filed.
    for day, lates in ((BEFORE + timedelta(days=3), (False, True)), (LAST + timedelta(days=10), (True, True))):
        for period, late in zip((Period.AM, Period.PM), lates, strict=True):
            book.check(steady, day, late=late, period=period)
    # Three weeks in four reported, one of them 补录.
    for n, week in enumerate(dict.fromkeys(weeks_in(BEFORE) + weeks_in(LAST))):
        if n % 4 != 3:
            book.weekly(steady, week, late=n % 4 == 2)
    book.minutes(steady, BEFORE)
    book.minutes(steady, LAST, late=True)

    # Registered in the middle of last month: nothing owed before that day.
    mid = units["mid_month"] = book.unit("620102002", since=LAST + timedelta(days=14), created=START)
    book.checks(mid, LAST + timedelta(days=14), TODAY, skip={LAST + timedelta(days=16)})

    # 停产停业 since the middle of the month before last, still stopped; and one stopped by a bulk update, which only
    # the roll-up's sync sees (from today).
    stopped = units["stopped"] = book.unit("620102003", status=UnitStatus.STOPPED)
    exempt(stopped, ExemptionKind.PRODUCTION_STOPPED, BEFORE + timedelta(days=14), reason=compliance.STOPPED_REASON)
    book.checks(stopped, BEFORE, BEFORE + timedelta(days=13), skip={BEFORE + timedelta(days=2)})
    units["stopped_by_update"] = bulk = book.unit("620103001")
    Unit.objects.filter(pk=bulk.pk).update(status=UnitStatus.STOPPED)

    # One of two lifts 停用 (still due for the other); a unit whose only lift is 停用 (exempt days).
    half = units["one_suspended"] = book.unit("620103002", equipment=2)
    lift = Equipment.objects.filter(unit=half).order_by("id").first()
    Equipment.objects.filter(pk=lift.pk).update(status=EquipmentStatus.SUSPENDED)
    exempt(half, ExemptionKind.EQUIPMENT_SUSPENDED, BEFORE + timedelta(days=9), equipment=lift)
    book.checks(half, BEFORE, TODAY, skip={LAST + timedelta(days=4)})
    whole = units["all_suspended"] = book.unit("620103002")
    lift = Equipment.objects.get(unit=whole)
    Equipment.objects.filter(pk=lift.pk).update(status=EquipmentStatus.SUSPENDED)
    exempt(whole, ExemptionKind.EQUIPMENT_SUSPENDED, LAST + timedelta(days=2), equipment=lift)
    book.checks(whole, BEFORE, LAST + timedelta(days=1))

    # 临时停用 of the whole unit across the month boundary (and so a week boundary): the last 3 days of the month
    # before last through the 4th of last month; and of one lift of two, and of the only lift of another unit.
    temporary = units["temporary_unit_wide"] = book.unit("620502001")
    boundary = expected.month_of(BEFORE)[1]
    exempt(temporary, ExemptionKind.TEMPORARY_STOP, boundary - timedelta(days=2), LAST + timedelta(days=3))
    book.checks(temporary, BEFORE, TODAY, skip=set(expected.days(boundary - timedelta(days=2),
                                                                         LAST + timedelta(days=3))))
    partial = units["temporary_one_lift"] = book.unit("620502001", equipment=2)
    exempt(partial, ExemptionKind.TEMPORARY_STOP, LAST + timedelta(days=5), LAST + timedelta(days=20),
           equipment=Equipment.objects.filter(unit=partial).order_by("id").first())
    book.checks(partial, LAST, TODAY, late={LAST + timedelta(days=6)})
    only = units["temporary_only_lift"] = book.unit("620502002")
    exempt(only, ExemptionKind.TEMPORARY_STOP, LAST + timedelta(days=5), LAST + timedelta(days=20),
           equipment=Equipment.objects.get(unit=only))
    book.checks(only, LAST, LAST + timedelta(days=4))
    book.weekly(only, expected.week_of(LAST + timedelta(days=1))[0])
    # Open-ended unit-wide stop from the 25th of last month.
    units["open_stop"] = open_stop = book.unit("620502002")
    exempt(open_stop, ExemptionKind.TEMPORARY_STOP, LAST + timedelta(days=24))

    # Equipment arriving mid-month; a unit without equipment; one whose only lift is scrapped but had a stop
    # (not due, not exempt); a unit placed at the county itself; a sign-up not yet confirmed (no row at all).
    late_lift = units["lift_mid_month"] = book.unit("620102001", equipment=0)
    book.equipment(late_lift, since=LAST + timedelta(days=9))
    book.checks(late_lift, LAST + timedelta(days=9), TODAY, late={LAST + timedelta(days=9)})
    units["no_equipment"] = book.unit("620102002", equipment=0)
    scrapped = units["scrapped"] = book.unit("620102002", equipment=0)
    gone = book.equipment(scrapped, status=EquipmentStatus.SCRAPPED)
    exempt(scrapped, ExemptionKind.TEMPORARY_STOP, LAST, LAST + timedelta(days=3), equipment=gone)
    at_county = units["at_county"] = book.unit("620102")
    book.checks(at_county, LAST, TODAY, skip={LAST + timedelta(days=2), LAST + timedelta(days=3)})
    units["pending"] = book.unit("620102001", status=UnitStatus.PENDING)
    return {"units": units, "book": book}


def rows_by_unit(month) -> dict[int, UnitMonthCompliance]:
    return {r.unit_id: r for r in UnitMonthCompliance.objects.filter(month=month)}


def assert_matches_ledger(units: dict, today=TODAY, months=MONTHS):
    for month in months:
        rows = rows_by_unit(month)
        for name, unit in units.items():
            unit.refresh_from_db()
            want = compliance.reckon(unit, month, today)
            got = rows.get(unit.pk)
            if want is None:
                assert got is None, (name, month)
                continue
            assert got is not None, (name, month)
            assert {f: getattr(got, f) for f in compliance.FIGURES} == want.figures(), (name, month)


def test_the_roll_up_counts_every_unit_as_the_ledger_does(varied):
    compliance.refresh(MONTHS)
    assert_matches_ledger(varied["units"])


@pytest.mark.parametrize("offset", [0, 1, 9, 16])
def test_the_roll_up_agrees_with_the_ledger_on_other_days_too(varied, offset):
    """Run as if today were another day of last month: the day still open, the deadlines not yet passed."""
    day = min(LAST + timedelta(days=offset), TODAY)
    compliance.refresh([BEFORE, LAST], today=day)
    assert_matches_ledger(varied["units"], today=day, months=[BEFORE, LAST])


def test_the_exemption_cases_count_what_the_rules_say(varied):
    units = varied["units"]
    compliance.refresh(MONTHS)
    last, before = rows_by_unit(LAST), rows_by_unit(BEFORE)
    days_last = (expected.month_of(LAST)[1] - LAST).days + 1

    # Registered on the 15th: only the days from then are due; one missed.
    mid = last[units["mid_month"].pk]
    assert mid.days_due == days_last - 14 and mid.days_missing == 1 and mid.days_exempt == 0

    # Stopped from the 15th of the month before last: the days before were due (one missed), none after.
    stopped = before[units["stopped"].pk]
    assert stopped.days_due == 14 and stopped.days_missing == 1 and stopped.days_exempt > 0
    assert last[units["stopped"].pk].days_due == 0
    assert last[units["stopped"].pk].days_exempt == days_last and not last[units["stopped"].pk].month_due

    # The bulk-updated stop was caught by the sync, from today.
    assert Exemption.objects.filter(unit=units["stopped_by_update"], kind=ExemptionKind.PRODUCTION_STOPPED,
                                    starts_on=TODAY, ends_on__isnull=True, recorded_by__isnull=True).exists()

    # 停用 of one lift of two: every day still due; of the only lift: exempt from the day it stopped.
    assert last[units["one_suspended"].pk].days_due == days_last
    assert last[units["one_suspended"].pk].days_exempt == 0
    whole = last[units["all_suspended"].pk]
    assert whole.days_due == 2 and whole.days_on_time == 2 and whole.days_exempt == days_last - 2

    # The temporary stop over the month boundary: 3 exempt days at the end of one month, 4 at the start of the next.
    assert before[units["temporary_unit_wide"].pk].days_exempt == 3
    assert last[units["temporary_unit_wide"].pk].days_exempt == 4
    assert before[units["temporary_unit_wide"].pk].days_missing == 0
    assert last[units["temporary_unit_wide"].pk].days_missing == 0
    # A lift of two stopped: still due; the only lift stopped: exempt.
    assert last[units["temporary_one_lift"].pk].days_exempt == 0
    assert last[units["temporary_only_lift"].pk].days_exempt == 16

    # The scrapped lift's stop exempts nothing: there is nothing live to stop.
    assert last[units["scrapped"].pk].days_due == 0 and last[units["scrapped"].pk].days_exempt == 0
    assert last[units["no_equipment"].pk].days_due == 0 and last[units["no_equipment"].pk].shortfall == 0
    assert units["pending"].pk not in last


def test_late_filing_is_counted_apart_from_on_time(varied):
    units = varied["units"]
    compliance.refresh(MONTHS)
    before, last = rows_by_unit(BEFORE), rows_by_unit(LAST)
    steady = before[units["steady"].pk]
    # The month before last: day 6 补录, day 4 AM on time + PM late = on time, nothing missing.
    assert steady.days_late == 1 and steady.days_missing == 0
    assert steady.days_on_time == steady.days_due - 1
    # Last month: day 2 补录, day 11 AM and PM both 补录 = one late day.
    assert last[units["steady"].pk].days_late == 2 and last[units["steady"].pk].days_missing == 0
    assert last[units["lift_mid_month"].pk].days_late == 1
    # The minutes: on time the month before last, 补录 last month; both counted, neither missing.
    assert steady.month_on_time and not steady.month_late
    assert last[units["steady"].pk].month_late and not last[units["steady"].pk].month_on_time
    # Each shortfall counts what was not on time: missing or late.
    assert steady.shortfall == steady.days_late + steady.days_missing + steady.weeks_due - steady.weeks_on_time


def test_the_jurisdictions_sum_their_units(varied):
    units = varied["units"]
    compliance.refresh(MONTHS)
    expected_by_node: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    for unit in units.values():
        unit.refresh_from_db()
        want = compliance.reckon(unit, LAST)
        if want is None:
            continue
        for column in ("province_id", "city_id", "county_id", "station_id"):
            pk = getattr(unit, column)
            if pk is None:
                continue
            mine = expected_by_node[pk]
            mine["units"] += 1
            mine["units_due"] += bool(want.days_due or want.weeks_due or want.month_due)
            mine["units_noncompliant"] += want.shortfall > 0
            for name in ("days_due", "days_on_time", "days_late", "days_missing", "days_exempt", "weeks_due",
                         "weeks_on_time", "weeks_late"):
                mine[name] += getattr(want, name)
            mine["months_due"] += want.month_due
            mine["months_on_time"] += want.month_on_time
            mine["months_late"] += want.month_late
    rows = {r.node_id: r for r in JurisdictionMonthCompliance.objects.filter(month=LAST)}
    assert set(rows) == set(expected_by_node)
    for pk, figures in expected_by_node.items():
        assert {name: getattr(rows[pk], name) for name in figures} == dict(figures), pk


def test_the_jurisdiction_days_count_each_units_day(varied):
    units = varied["units"]
    compliance.refresh([LAST])
    county = node("620102")
    start, end = expected.month_of(LAST)
    want = defaultdict(lambda: defaultdict(int))
    for unit in units.values():
        unit.refresh_from_db()
        if unit.county_id != county.pk or not expected.supervised(unit):
            continue
        for day, state in expected.ledger(unit, start, end).states.items():
            want[day][state] += 1
    rows = {r.day: r for r in JurisdictionDayCompliance.objects.filter(node=county, day__range=(start, end))}
    for day in expected.days(start, min(end, TODAY)):
        states = want[day]
        row = rows[day]
        assert row.units_on_time == states[expected.Day.ON_TIME], day
        assert row.units_late == states[expected.Day.LATE], day
        assert row.units_missing == states[expected.Day.MISSING], day
        assert row.units_exempt == states[expected.Day.EXEMPT], day
        assert row.units_due == row.units_on_time + row.units_late + row.units_missing


def _snapshot():
    return (sorted(UnitMonthCompliance.objects.values_list("unit_id", "month", *compliance.FIGURES)),
            sorted(JurisdictionMonthCompliance.objects.values_list("node_id", "month", *compliance.SUMMED)),
            sorted(JurisdictionDayCompliance.objects.values_list("node_id", "day", "units_due", "units_on_time",
                                                                  "units_late", "units_missing", "units_exempt")))


def test_the_roll_up_is_idempotent(varied):
    compliance.refresh(MONTHS)
    first = _snapshot()
    compliance.refresh(MONTHS)
    assert _snapshot() == first
    assert ComplianceRefresh.objects.count() == 2


def test_the_roll_up_leaves_the_planner_statistics_of_what_it_rewrote(varied):
    """The shortfall list reads its index only if the planner knows this month's rows exist (compliance.refresh)."""
    compliance.refresh(MONTHS)
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reltuples FROM pg_class WHERE relname IN ('routines_unitmonthcompliance', "
                       "'routines_jurisdictionmonthcompliance')")
        estimated = dict(cursor.fetchall())
    assert estimated["routines_unitmonthcompliance"] == UnitMonthCompliance.objects.count() > 0
    assert estimated["routines_jurisdictionmonthcompliance"] == JurisdictionMonthCompliance.objects.count() > 0


def test_a_rerun_after_a_late_filing_corrects_the_figures(varied):
    """A 补录 of a missed day two months back, and a week's report filed late: the next nightly run (no months
    named) sees them by their ``filed_at`` and recounts those months."""
    units, book = varied["units"], varied["book"]
    compliance.refresh(MONTHS)
    steady = units["steady"]
    missed = [w for w in weeks_in(LAST) if not WeeklyReport.objects.filter(unit=steady, week_start=w).exists()
              and expected.weekly_deadline(w) < TODAY]
    old = rows_by_unit(BEFORE)[units["stopped"].pk]
    assert old.days_missing == 1

    book.check(units["stopped"], BEFORE + timedelta(days=2), late=True, filed_at=timezone.now())
    if missed:
        book.weekly(steady, missed[0], late=True, filed_at=timezone.now())
    run = compliance.refresh()
    assert BEFORE in run.months

    new = rows_by_unit(BEFORE)[units["stopped"].pk]
    assert (new.days_missing, new.days_late, new.shortfall) == (0, old.days_late + 1, old.shortfall)
    if missed:
        row = UnitMonthCompliance.objects.get(unit=steady, month=compliance.month_start(missed[0]))
        assert row.weeks_late >= 1
    assert_matches_ledger(units)


def test_without_named_months_a_run_counts_this_month_and_the_last(varied):
    run = compliance.refresh()
    assert run.months == [LAST, THIS]
    assert compliance.refresh().months == [LAST, THIS]


def test_a_refresh_holds_the_advisory_lock_until_it_commits(varied):
    with CaptureQueriesContext(connection) as queries:
        compliance.refresh([LAST])
    sql = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert "pg_advisory_xact_lock" in sql[0]


def test_the_command_refreshes_the_named_months(varied, capsys):
    call_command("refresh_compliance", "--month", LAST.strftime("%Y-%m"))
    assert ComplianceRefresh.objects.get().months == [LAST]
    assert UnitMonthCompliance.objects.filter(month=LAST).exists()
    assert not UnitMonthCompliance.objects.filter(month=THIS).exists()


def test_ensure_partitions_makes_this_month_and_three_ahead(db):
    names = compliance.ensure_partitions()
    assert len(names) == 4 and names[0] == f"routines_dailycheck_y{THIS:%Y}m{THIS:%m}"
    assert compliance.ensure_partitions() == names
