"""The benchmark's record generator (``seed_routines``): the rows it COPYs are rows the product could have
written — one per unit and day, only on days something was owed, placed like their unit, in attached monthly
partitions with their indexes — so the figures ``make bench`` reports are about data the roll-up reads as real."""

import io
from datetime import timedelta

from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from inspections.routines import compliance
from inspections.routines.models import DailyCheck, UnitMonthCompliance, WeeklyReport
from tests.inspections.conftest import SINCE_DAYS


def seed(start):
    call_command("seed_routines", start=start, stdout=io.StringIO())


def test_seeded_checks_fall_on_owed_days_in_attached_partitions_and_a_rerun_adds_none(staffed):
    unit, today = staffed["unit"], timezone.localdate()
    start = today - timedelta(days=SINCE_DAYS + 20)
    seed(start)
    checks = DailyCheck.objects.filter(unit=unit)
    days = sorted(checks.values_list("day", flat=True))
    first = timezone.localtime(unit.reviewed_at or unit.created_at).date()
    assert days and days[0] >= first and days[-1] <= today - timedelta(days=1)
    assert len(days) == len(set(days)), "one check per unit and day"
    assert len(days) >= 0.4 * (today - first).days
    assert set(checks.values_list("county_id", "station_id").distinct()) == {(unit.county_id, unit.station_id)}
    assert not DailyCheck.objects.filter(unit=staffed["other_unit"]).exists(), "a unit without equipment owes none"
    with connection.cursor() as cursor:
        cursor.execute("SELECT routines_dailycheck_partition(%s)", [days[-1]])
        partition = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE tablename = %s", [partition])
        assert cursor.fetchone()[0] == 7  # key, one-per-period, four tiers, filed_at: what the parent declares
        cursor.execute("SELECT count(*) FROM pg_inherits WHERE inhrelid = %s::regclass", [partition])
        assert cursor.fetchone()[0] == 1
    before = (DailyCheck.objects.count(), WeeklyReport.objects.count())
    seed(start)
    assert (DailyCheck.objects.count(), WeeklyReport.objects.count()) == before

    month = compliance.month_start(days[0])
    compliance.refresh(months=[month])
    row = UnitMonthCompliance.objects.get(unit=unit, month=month)
    counted = compliance.reckon(unit, month)
    assert (row.days_due, row.days_on_time, row.days_late, row.days_missing) == (
        counted.days_due, counted.days_on_time, counted.days_late, counted.days_missing)
    assert row.days_on_time + row.days_late == checks.filter(day__gte=month, day__lte=today).filter(
        day__lt=compliance.next_month(month)).count()
