"""The compliance pages (issue 11 §6–7): the regulators' rates, trend, children and units that fell short, read in a
constant number of queries from the roll-up; the enterprise's calendar; the exemptions, the 临时停用 it records and
ends early, and the exemptions that follow the unit's and the equipment's statuses."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from inspections.routines import compliance
from inspections.routines.choices import ExemptionKind
from inspections.routines.models import Exemption, UnitMonthCompliance
from jurisdictions.models import AuditEvent
from tests import factories
from tests.factories import logged_in, node
from tests.inspections.test_compliance import LAST, TODAY, Book, exempt, varied  # noqa: F401 (the fixture)
from units.choices import EquipmentStatus, UnitStatus
from units.models import Equipment, Unit


def page(user, name="routines:compliance", *args, **params):
    return logged_in(user).get(reverse(name, args=args), params)


@pytest.fixture
def counted(varied, world):  # noqa: F811
    compliance.refresh([compliance.previous_month(LAST), LAST, compliance.month_start(TODAY)])
    return {**varied, **world}


# --- The regulators' page ------------------------------------------------------------------------------

def test_the_county_sees_its_rates_children_and_units_that_fell_short(counted):
    response = page(counted["users"]["county"], month=LAST.strftime("%Y-%m"))
    assert response.status_code == 200
    overall = response.context["overall"]
    assert overall.node == node("620102")
    row = overall.row
    assert row.days_due == row.days_on_time + row.days_late + row.days_missing > 0
    assert overall.daily_late is not None and overall.daily_late > 0  # 补录 shown apart
    html = response.content.decode()
    assert 'data-testid="late-rate"' in html and "chart.umd.min.js" in html and 'id="trend-data"' in html
    children = response.context["children"]
    stations = {c.node.code for c in children if c.node}
    assert {"620102001", "620102002", "620102003"} <= stations
    direct = [c for c in children if c.node is None]
    assert len(direct) == 1 and direct[0].row.units == 1  # the unit placed at the county itself
    assert sum(c.row.units for c in children) == row.units
    shortfalls = response.context["shortfalls"]
    assert shortfalls and all(u.county_id == node("620102").pk and u.shortfall > 0 for u in shortfalls)
    assert [u.shortfall for u in shortfalls] == sorted((u.shortfall for u in shortfalls), reverse=True)
    assert reverse("routines:unit_calendar", args=[shortfalls[0].unit_id]) in html


def test_a_node_in_scope_drills_down_and_one_outside_is_a_404(counted):
    county = counted["users"]["county"]
    assert page(county, "routines:compliance_node", node("620102001").pk).status_code == 200
    assert page(county, "routines:compliance_node", node("620103").pk).status_code == 404
    assert page(counted["users"]["city"], "routines:compliance_node", node("620103").pk).status_code == 200
    assert page(counted["users"]["enterprise"]).status_code == 404


def test_the_page_costs_the_same_queries_whatever_the_subtree(counted):
    """A station, a county and the province read the same handful of rows: the queries do not grow with units."""
    def queries(user, *args):
        client = logged_in(user)
        url = reverse("routines:compliance_node", args=args) if args else reverse("routines:compliance")
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, {"month": LAST.strftime("%Y-%m")}).status_code == 200
        return len(ctx)

    province = counted["users"]["province"]
    small = queries(province, node("620102001").pk)
    big = queries(province)
    assert big == small
    book = Book()
    for n in range(6):
        book.unit("620102001" if n % 2 else "620103001")
    compliance.refresh([LAST])
    assert queries(province) == big


def test_the_units_that_fell_short_are_listed_and_exported(counted):
    county = counted["users"]["county"]
    url = reverse("routines:compliance_units")
    response = logged_in(county).get(url, {"month": LAST.strftime("%Y-%m"), "jurisdiction": node("620102").pk})
    rows = list(response.context["table"].data)
    assert rows and all(r.shortfall > 0 and r.month == LAST for r in rows)
    export = logged_in(county).get(url, {"month": LAST.strftime("%Y-%m"), "_export": "xlsx"})
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    names = {r[0] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert {r.unit.name for r in rows} <= names
    missing = logged_in(county).get(url, {"month": LAST.strftime("%Y-%m"), "missing": "true"})
    assert all(r.days_missing or r.weeks_missing or r.month_missing for r in missing.context["table"].data)


# --- The enterprise's calendar -------------------------------------------------------------------------

def test_the_calendar_shows_each_day_the_weeks_and_the_minutes(counted):
    unit = counted["units"]["temporary_only_lift"]
    keeper = factories.enterprise_user(unit)
    response = page(keeper, "routines:unit_calendar", unit.pk, month=LAST.strftime("%Y-%m"))
    assert response.status_code == 200
    states = {cell.day: cell.state for row in response.context["rows"] for cell in row["days"] if cell.state}
    assert states[LAST] == "on_time" and states[LAST + timedelta(days=5)] == "exempt"
    exempt_cell = next(c for row in response.context["rows"] for c in row["days"] if c.day == LAST + timedelta(days=5))
    assert "测试" in exempt_cell.reason  # the reason on the day
    html = response.content.decode()
    assert 'data-state="exempt"' in html and 'data-testid="minutes-state"' in html
    assert reverse("routines:daily_check", args=[1]).rsplit("/", 2)[0] in html  # filed days link to the check
    assert page(keeper, "routines:my_calendar").status_code == 302
    other = factories.enterprise_user(counted["units"]["steady"])
    assert page(other, "routines:unit_calendar", unit.pk).status_code == 404


def test_the_calendar_says_a_week_not_begun_is_still_to_come(counted):
    unit = counted["units"]["steady"]
    rows = page(counted["users"]["county"], "routines:unit_calendar", unit.pk).context["rows"]
    states = {row["week"]: (row["state"], str(row["label"])) for row in rows}
    assert all(state == ("future", "未到") for week, state in states.items() if week > TODAY)
    assert all(state[0] != "future" for week, state in states.items() if week <= TODAY)


def test_the_calendar_reads_at_phone_width_without_a_wide_table(counted):
    unit = counted["units"]["steady"]
    html = page(counted["users"]["county"], "routines:unit_calendar", unit.pk).content.decode()
    # Seven columns of a mark and a day number; the week's report goes on its own row below the week.
    assert 'colspan="7"' in html and "table-responsive" not in html


# --- Exemptions ---------------------------------------------------------------------------------------

def test_the_enterprise_records_a_temporary_stop_and_ends_it_early(world):
    unit, keeper = world["unit"], world["users"]["enterprise"]
    lift = Book().equipment(unit)
    client = logged_in(keeper)
    form = client.get(reverse("routines:unit_exemptions", args=[unit.pk]))
    assert 'data-testid="temporary-stop-form"' in form.content.decode()
    response = client.post(reverse("routines:temporary_stop_create", args=[unit.pk]), {
        "equipment": lift.pk, "starts_on": TODAY.isoformat(), "ends_on": (TODAY + timedelta(days=20)).isoformat(),
        "reason": "更换曳引钢丝绳"})
    assert response.status_code == 302
    stop = Exemption.objects.get(unit=unit, kind=ExemptionKind.TEMPORARY_STOP)
    assert stop.equipment == lift and stop.recorded_by == keeper and stop.county_id == unit.county_id
    assert AuditEvent.objects.filter(detail__action="record_temporary_stop", username=keeper.username).exists()

    response = client.post(reverse("routines:exemption_end", args=[stop.pk]), {"ends_on": TODAY.isoformat()})
    assert response.status_code == 302
    stop.refresh_from_db()
    assert stop.ends_on == TODAY
    assert AuditEvent.objects.filter(detail__action="end_exemption").exists()

    regulator = page(world["users"]["station"], "routines:unit_exemptions", unit.pk)
    assert "更换曳引钢丝绳" in regulator.content.decode() and regulator.context["form"] is None
    listed = page(world["users"]["county"], "routines:exemption_list")
    assert stop in list(listed.context["table"].data)
    assert page(world["users"]["other_county"], "routines:exemption_list").context["table"].data.data.count() == 0


@pytest.mark.parametrize(("change", "message"), [
    ({"reason": " "}, "请填写临时停用的原因"),
    ({"ends_on": None}, "请填写结束日期"),
    ({"starts_on": TODAY - timedelta(days=1)}, "开始日期不能早于"),
    ({"ends_on": TODAY - timedelta(days=1)}, "结束日期不能早于开始日期"),
    ({"ends_on": TODAY + timedelta(days=400)}, "最长"),
])
def test_a_temporary_stop_is_refused_with_the_reason(world, change, message):
    args = {"by": world["users"]["enterprise"], "unit": world["unit"], "starts_on": TODAY,
            "ends_on": TODAY + timedelta(days=3), "reason": "检修", **change}
    with pytest.raises(ValidationError, match=message):
        compliance.record_temporary_stop(**args)
    assert not Exemption.objects.exists()


def test_a_temporary_stop_names_only_the_units_own_equipment_and_no_other_unit(world):
    other_lift = Book().equipment(world["other_unit"])
    keeper = world["users"]["enterprise"]
    with pytest.raises(ValidationError, match="只能选择本单位的设备"):
        compliance.record_temporary_stop(by=keeper, unit=world["unit"], equipment=other_lift, starts_on=TODAY,
                                         ends_on=TODAY, reason="检修")
    with pytest.raises(Http404):
        compliance.record_temporary_stop(by=keeper, unit=world["other_unit"], starts_on=TODAY, ends_on=TODAY,
                                         reason="检修")
    with pytest.raises(Http404):  # regulators read exemptions; the unit records its own
        compliance.record_temporary_stop(by=world["users"]["county"], unit=world["unit"], starts_on=TODAY,
                                         ends_on=TODAY, reason="检修")
    compliance.record_temporary_stop(by=keeper, unit=world["unit"], starts_on=TODAY, ends_on=TODAY + timedelta(2),
                                     reason="检修")
    with pytest.raises(ValidationError, match="重叠"):
        compliance.record_temporary_stop(by=keeper, unit=world["unit"], starts_on=TODAY + timedelta(days=1),
                                         ends_on=TODAY + timedelta(days=5), reason="检修")


def test_only_a_temporary_stop_ends_early_and_not_in_the_past(world):
    unit, keeper = world["unit"], world["users"]["enterprise"]
    stopped = exempt(unit, ExemptionKind.PRODUCTION_STOPPED, TODAY - timedelta(days=5))
    with pytest.raises(ValidationError, match="自动结束"):
        compliance.end_exemption(by=keeper, exemption=stopped, ends_on=TODAY)
    stop = compliance.record_temporary_stop(by=keeper, unit=unit, starts_on=TODAY, ends_on=TODAY + timedelta(days=9),
                                            reason="检修")
    with pytest.raises(ValidationError, match="早于原定结束日期"):
        compliance.end_exemption(by=keeper, exemption=stop, ends_on=TODAY + timedelta(days=9))
    with pytest.raises(ValidationError, match="不能早于开始日期"):
        compliance.end_exemption(by=keeper, exemption=stop, ends_on=TODAY - timedelta(days=1))


def test_a_stopped_unit_and_suspended_equipment_open_and_end_their_exemptions(world):
    unit = world["unit"]
    unit.status = UnitStatus.STOPPED
    unit.save()
    stop = Exemption.objects.get(unit=unit, kind=ExemptionKind.PRODUCTION_STOPPED)
    assert (stop.starts_on, stop.ends_on, stop.recorded_by, stop.reason) == (TODAY, None, None,
                                                                             compliance.STOPPED_REASON)
    unit.save()  # still stopped: nothing new
    assert Exemption.objects.filter(unit=unit).count() == 1
    unit.status = UnitStatus.ACTIVE
    unit.save()
    stop.refresh_from_db()
    assert stop.ends_on == TODAY  # it began today, so it ends today, never before it began

    lift = Book().equipment(unit)
    lift.status = EquipmentStatus.SUSPENDED
    lift.save()
    suspension = Exemption.objects.get(equipment=lift, kind=ExemptionKind.EQUIPMENT_SUSPENDED, ends_on__isnull=True)
    Exemption.objects.filter(pk=suspension.pk).update(starts_on=TODAY - timedelta(days=10))
    lift.status = EquipmentStatus.IN_USE
    lift.save()
    suspension.refresh_from_db()
    assert suspension.ends_on == TODAY - timedelta(days=1)


def test_the_sync_catches_status_changes_made_without_a_save(world):
    unit = world["unit"]
    lift = Book().equipment(unit)
    Unit.objects.filter(pk=unit.pk).update(status=UnitStatus.STOPPED)
    Equipment.objects.filter(pk=lift.pk).update(status=EquipmentStatus.SUSPENDED)
    counts = compliance.sync_exemptions()
    assert counts["stops_opened"] == 1 and counts["suspensions_opened"] == 1
    assert compliance.sync_exemptions() == dict.fromkeys(counts, 0)
    Unit.objects.filter(pk=unit.pk).update(status=UnitStatus.ACTIVE)
    assert compliance.sync_exemptions(TODAY + timedelta(days=3))["stops_closed"] == 1
    assert Exemption.objects.get(unit=unit, kind=ExemptionKind.PRODUCTION_STOPPED).ends_on == TODAY + timedelta(2)


def test_a_system_reason_reads_in_the_readers_language(world, settings):
    from django.utils import translation

    unit = world["unit"]
    unit.status = UnitStatus.STOPPED
    unit.save()
    stop = Exemption.objects.get(unit=unit)
    with translation.override("en"):
        assert compliance.reason_shown(stop) != compliance.STOPPED_REASON


def test_a_moved_unit_takes_its_exemptions_and_months_along(counted):
    from units import services as unit_services

    unit = counted["units"]["steady"]
    assert UnitMonthCompliance.objects.filter(unit=unit).exists()
    unit_services.update_unit(by=factories.system_user(), unit=unit, jurisdiction=node("620103001"))
    assert set(UnitMonthCompliance.objects.filter(unit=unit).values_list("county_id", flat=True)) == {
        node("620103").pk}
    assert set(Exemption.objects.filter(unit=unit).values_list("county_id", flat=True)) <= {node("620103").pk}


def test_the_daily_check_partitions_exist_for_the_months_ahead(db):
    names = compliance.ensure_partitions(ahead=3)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_class WHERE relname = ANY(%s)", [names])
        assert cursor.fetchone()[0] == 4


def test_the_calendar_and_the_roll_up_agree_on_a_units_month(counted):
    unit = counted["units"]["steady"]
    response = page(counted["users"]["county"], "routines:unit_calendar", unit.pk, month=LAST.strftime("%Y-%m"))
    row = UnitMonthCompliance.objects.get(unit=unit, month=LAST)
    assert response.context["figures"].figures() == {f: getattr(row, f) for f in compliance.FIGURES}
