"""日管控、周排查、月调度 records (docs/domain.md §Self-check records): who may file and sign each one, the one-tap
零风险报告, an 异常 opening a hazard, 补录 kept apart, locking, amendments that keep the original, and the seal
chain naming a row altered behind the portal's back."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, transaction
from django.http import Http404
from django.utils import timezone

from inspections.findings import services as findings
from inspections.findings.choices import Status
from inspections.routines import chain, expected, filing
from inspections.routines.choices import CheckResult, ExemptionKind, ItemResult, Period
from inspections.routines.models import Amendment, CheckPhoto, DailyCheck, Exemption, MinutesAction, WeeklyReport
from jurisdictions.models import AuditEvent
from tests import factories
from tests.inspections.conftest import tamper
from units.choices import EquipmentStatus
from units.models import Equipment


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def today():
    return timezone.localdate()


def monday(weeks_ago=1):
    start, _end = expected.week_of(today())
    return start - timedelta(days=7 * weeks_ago)


def png(name="现场.png"):
    return SimpleUploadedFile(name, factories.png_bytes(), content_type="image/png")


# --- 日管控 --------------------------------------------------------------------------------------------

def test_an_all_ok_daily_check_is_one_zero_risk_row_whatever_the_number_of_items(staffed):
    day_items = filing.items_for(staffed["unit"], today())
    assert len(day_items.items) >= 5
    check = filing.file_daily_check(by=staffed["officer"], unit=staffed["unit"])
    assert check.result == CheckResult.ZERO_RISK and not check.late
    assert check.positions == [i.position for i in day_items.items]
    assert check.exceptions == {} and check.signer == staffed["people"]["officer"]
    assert DailyCheck.objects.filter(unit=staffed["unit"]).count() == 1
    assert not CheckPhoto.objects.exists()
    event = AuditEvent.objects.filter(detail__action="file_daily_check").get()
    assert event.detail["result"] == "zero_risk" and event.detail["seal"] == check.seal


def test_an_abnormal_item_opens_a_hazard_that_closes_only_with_evidence(staffed):
    unit, officer = staffed["unit"], staffed["officer"]
    first = filing.items_for(unit, today()).items[0]
    check = filing.file_daily_check(by=officer, unit=unit, results={
        first.position: {"r": ItemResult.ABNORMAL, "note": "层门门锁啮合不足 7mm",
                         "responsible": staffed["people"]["director"]}},
        photos={first.position: [png()]})
    assert check.result == CheckResult.HAZARD
    (hazard,) = filing.findings_of(check)
    assert check.exceptions[str(first.position)]["finding"] == hazard.pk
    assert hazard.status == Status.OPEN and "层门门锁" in hazard.description
    assert hazard.responsible == staffed["people"]["director"]
    assert hazard.due_on == today() + timedelta(days=7)
    photo = CheckPhoto.objects.get(check_id=check.pk)
    assert photo.sha256 in check.exceptions[str(first.position)]["photos"] and photo.received_at

    with pytest.raises(ValidationError) as exc:
        findings.rectify(by=officer, finding=hazard, note="已调整门锁", evidence=[])
    assert "请上传整改后的照片" in str(exc.value)
    findings.rectify(by=officer, finding=hazard, note="已调整门锁", evidence=[png("整改后.png")])
    hazard = findings.verify(by=staffed["director"], finding=hazard, note="复查合格")
    assert hazard.status == Status.CLOSED


def test_an_abnormal_item_needs_its_problem_written(staffed):
    first = filing.items_for(staffed["unit"], today()).items[0]
    with pytest.raises(ValidationError) as exc:
        filing.file_daily_check(by=staffed["officer"], unit=staffed["unit"],
                                results={first.position: {"r": ItemResult.ABNORMAL}})
    assert exc.value.message_dict == {f"note_{first.position}": ["异常项请写明发现的问题。"]}
    assert not DailyCheck.objects.exists()


def test_a_check_filed_after_its_day_is_late_and_counted_apart(staffed):
    unit, officer = staffed["unit"], staffed["officer"]
    filing.file_daily_check(by=officer, unit=unit)
    late = filing.file_daily_check(by=officer, unit=unit, day=today() - timedelta(days=2))
    assert late.late and late.filed_at.date() >= today() - timedelta(days=1)
    ledger = expected.ledger(unit, today() - timedelta(days=3), today())
    assert ledger.states[today()] == expected.Day.ON_TIME
    assert ledger.states[today() - timedelta(days=2)] == expected.Day.LATE
    assert ledger.states[today() - timedelta(days=1)] == expected.Day.MISSING
    assert (ledger.count(expected.Day.ON_TIME), ledger.count(expected.Day.LATE)) == (1, 1)


def test_the_future_too_old_days_and_a_second_check_are_refused(staffed, settings):
    unit, officer = staffed["unit"], staffed["officer"]
    with pytest.raises(ValidationError, match="不能填报今天以后"):
        filing.file_daily_check(by=officer, unit=unit, day=today() + timedelta(days=1))
    with pytest.raises(ValidationError, match="只能补录最近"):
        filing.file_daily_check(by=officer, unit=unit,
                                day=today() - timedelta(days=settings.ROUTINES_BACKFILL_DAYS + 1))
    filing.file_daily_check(by=officer, unit=unit, period=Period.AM)
    filing.file_daily_check(by=officer, unit=unit, period=Period.PM)
    with pytest.raises(ValidationError, match="已经填报"):
        filing.file_daily_check(by=officer, unit=unit, period=Period.AM)
    with pytest.raises(ValidationError, match="全天和上午/下午不能同时填报"):
        filing.file_daily_check(by=officer, unit=unit, period=Period.FULL)
    assert DailyCheck.objects.count() == 2


def test_items_cover_only_equipment_in_service_that_day(staffed):
    unit, officer = staffed["unit"], staffed["officer"]
    all_items = filing.items_for(unit, today()).items
    assert {i.equipment_type.code for i in all_items if i.equipment_type_id} == {"3000", "1000"}
    Equipment.objects.filter(pk=staffed["boiler"].pk).update(status=EquipmentStatus.SUSPENDED)
    Exemption.objects.create(unit=unit, equipment=staffed["boiler"], kind=ExemptionKind.EQUIPMENT_SUSPENDED,
                             starts_on=today() - timedelta(days=1), reason="办理停用",
                             jurisdiction=unit.jurisdiction, county=unit.county, city=unit.city,
                             province=unit.province, station=unit.station)
    lifts_only = filing.items_for(unit, today()).items
    assert {i.equipment_type.code for i in lifts_only if i.equipment_type_id} == {"3000"}
    # The day before the boiler stopped still had its rows.
    assert len(filing.items_for(unit, today() - timedelta(days=2)).items) == len(all_items)

    # Every lift temporarily stopped too: nothing is in service, nothing to file, nothing expected.
    for lift in staffed["lifts"]:
        stop = Exemption(unit=unit, equipment=lift, kind=ExemptionKind.TEMPORARY_STOP, starts_on=today(),
                         ends_on=today() + timedelta(days=3), reason="大修")
        stop.place_with(unit)
        stop.save()
    with pytest.raises(ValidationError, match="没有需要检查的在用设备"):
        filing.file_daily_check(by=officer, unit=unit)
    assert expected.ledger(unit, today(), today()).states[today()] == expected.Day.EXEMPT


# --- Who signs what ------------------------------------------------------------------------------------

def test_only_the_officer_files_the_daily_check(staffed):
    unit = staffed["unit"]
    for account in (staffed["director"], staffed["principal"], staffed["keeper"]):
        with pytest.raises(ValidationError) as exc:
            filing.file_daily_check(by=account, unit=unit)
        assert "安全员" in str(exc.value)
    with pytest.raises((Http404, PermissionDenied)):
        filing.file_daily_check(by=staffed["users"]["county"], unit=unit)
    with pytest.raises((Http404, PermissionDenied)):
        filing.file_daily_check(by=staffed["users"]["other_enterprise"], unit=unit)
    assert not DailyCheck.objects.exists()


def test_only_the_director_signs_the_weekly_report_and_only_the_principal_the_minutes(staffed):
    unit = staffed["unit"]
    for account in (staffed["officer"], staffed["principal"]):
        with pytest.raises(ValidationError, match="安全总监"):
            filing.file_weekly_report(by=account, unit=unit, week_start=monday(), assessment="好", next_focus="电梯")
    for account in (staffed["officer"], staffed["director"]):
        with pytest.raises(ValidationError, match="主要负责人"):
            minutes(staffed, by=account)
    assert not WeeklyReport.objects.exists()


def test_an_officer_who_left_before_the_day_cannot_sign_it(staffed):
    from personnel.models import Appointment
    from personnel.services import end_appointment
    appointment = Appointment.objects.get(person=staffed["people"]["officer"])
    end_appointment(by=staffed["keeper"], appointment=appointment, ended_on=today() - timedelta(days=5),
                    reason="resigned")
    with pytest.raises(ValidationError, match="不是本单位的安全员"):
        filing.file_daily_check(by=staffed["officer"], unit=staffed["unit"])


# --- 周排查 and 月调度 -----------------------------------------------------------------------------------

def test_the_weekly_report_is_prefilled_from_the_week_and_locked(staffed):
    unit, officer = staffed["unit"], staffed["officer"]
    start = monday()
    for n in (0, 1, 2):
        filing.file_daily_check(by=officer, unit=unit, day=start + timedelta(days=n))
    report = filing.file_weekly_report(by=staffed["director"], unit=unit, week_start=start,
                                       assessment="本周运行平稳", next_focus="电梯门锁")
    assert report.figures["daily_due"] == 7 and report.figures["daily_late"] == 3
    assert report.figures["daily_missing"] == 4 and report.figures["zero_risk"] == 3
    assert report.signer == staffed["people"]["director"]
    with pytest.raises(DatabaseError), transaction.atomic():
        WeeklyReport.objects.filter(pk=report.pk).update(assessment="改过")
    with pytest.raises(ValidationError, match="已经提交"):
        filing.file_weekly_report(by=staffed["director"], unit=unit, week_start=start, assessment="再交",
                                  next_focus="x")
    with pytest.raises(ValidationError, match="星期一"):
        filing.file_weekly_report(by=staffed["director"], unit=unit, week_start=start + timedelta(days=1),
                                  assessment="x", next_focus="x")


def minutes(staffed, by=None, **extra):
    month = today().replace(day=1)
    people = staffed["people"]
    nine = timezone.make_aware(datetime.combine(today(), datetime.min.time())) + timedelta(hours=9)
    return filing.file_monthly_minutes(
        by=by or staffed["principal"], unit=staffed["unit"], month=month, held_at=min(timezone.now(), nine),
        location="二楼会议室", recorder=people["officer"], attendees=[people["director"], people["officer"]],
        decisions=[{"content": "更换 2 号梯门锁", "owner": people["director"], "due_on": today() + timedelta(days=10)}],
        problems="门锁磨损", measures="更换门锁", **extra)


def test_the_minutes_record_decisions_tracked_as_actions_until_done(staffed):
    record = minutes(staffed)
    assert record.signer == staffed["people"]["principal"]
    assert record.attendees[0]["name"] == staffed["people"]["principal"].name  # the chair attends
    (action,) = MinutesAction.objects.filter(minutes=record)
    assert action.status == MinutesAction.Status.OPEN and action.owner == staffed["people"]["director"]
    filing.complete_action(by=staffed["director"], action=action, note="已更换")
    action.refresh_from_db()
    assert action.status == MinutesAction.Status.DONE and action.done_by == staffed["director"]
    with pytest.raises(ValidationError, match="已经完成"):
        filing.complete_action(by=staffed["director"], action=action, note="again")
    assert chain.verify(staffed["unit"])[1] == []


# --- Amendments and the seal chain ----------------------------------------------------------------------

def test_an_amendment_keeps_the_original_and_is_audited(staffed):
    unit, director = staffed["unit"], staffed["director"]
    report = filing.file_weekly_report(by=director, unit=unit, week_start=monday(), assessment="运行平稳",
                                       next_focus="电梯")
    amendment = filing.amend(by=director, record=report, changes={"assessment": "运行平稳，2 号梯门锁需关注"},
                             reason="漏写门锁情况")
    report.refresh_from_db()
    assert report.assessment == "运行平稳"  # the original, as filed
    assert amendment.changes == {"assessment": ["运行平稳", "运行平稳，2 号梯门锁需关注"]}
    assert filing.current_values(report)["assessment"] == "运行平稳，2 号梯门锁需关注"
    event = AuditEvent.objects.get(detail__action="amend_record")
    assert event.user == director and event.detail["reason"] == "漏写门锁情况"
    with pytest.raises(ValidationError, match="安全总监"):
        filing.amend(by=staffed["officer"], record=report, changes={"assessment": "x"}, reason="y")
    with pytest.raises(ValidationError, match="更正原因"):
        filing.amend(by=director, record=report, changes={"assessment": "x"}, reason=" ")
    with pytest.raises(DatabaseError), transaction.atomic():
        Amendment.objects.filter(pk=amendment.pk).delete()
    assert chain.verify(unit) == (2, [])


def test_the_chain_names_a_row_altered_in_the_database_directly(staffed):
    unit, officer = staffed["unit"], staffed["officer"]
    checks = [filing.file_daily_check(by=officer, unit=unit, day=today() - timedelta(days=n)) for n in (3, 2, 1, 0)]
    report = filing.file_weekly_report(by=staffed["director"], unit=unit, week_start=monday(), assessment="好",
                                       next_focus="门锁")
    assert chain.verify(unit) == (5, [])

    victim = checks[1]
    tamper("UPDATE routines_dailycheck SET result = 'hazard', note = '补写' WHERE id = %s", [victim.pk])
    count, problems = chain.verify(unit)
    assert count == 5
    assert [p.record.pk for p in problems if p.record] == [victim.pk]
    assert "在更正程序之外被改动" in problems[0].message and str(victim.pk) in problems[0].message

    tamper("DELETE FROM routines_weeklyreport WHERE id = %s", [report.pk])
    problems = chain.verify(unit)[1]
    assert any("末端" in p.message for p in problems)


def test_a_removed_record_in_the_middle_leaves_a_gap(staffed):
    unit, officer = staffed["unit"], staffed["officer"]
    checks = [filing.file_daily_check(by=officer, unit=unit, day=today() - timedelta(days=n)) for n in (2, 1, 0)]
    tamper("DELETE FROM routines_dailycheck WHERE id = %s", [checks[1].pk])
    problems = chain.verify(unit)[1]
    assert any("第 2–2 条记录缺失" in p.message for p in problems)


def test_records_are_never_deleted(staffed):
    check = filing.file_daily_check(by=staffed["officer"], unit=staffed["unit"])
    with pytest.raises(DatabaseError), transaction.atomic():
        DailyCheck.objects.filter(pk=check.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        DailyCheck.objects.filter(pk=check.pk).update(note="x")
