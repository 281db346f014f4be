"""Reminders of 日管控、周排查、月调度 (inspections/routines/reminders.py): each fires once, for the post that owes
the record, at its time; reruns and a second beat process send nothing twice; the 待办 clears when filed."""

import time as clock
from datetime import datetime, time, timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse
from django.utils import timezone

from inspections.routines import expected, filing, reminders
from jurisdictions.duties import Role
from portal import celery_app
from portal.inbox import services as inbox
from portal.inbox.models import Notification, Reminder
from tests import factories
from tests.factories import logged_in
from tests.kit.test_outbox import isolated_broker
from tests.personnel.conftest import wait_for, worker_closes_its_connections  # noqa: F401  (a fixture)

TASK = "inspections.routines.tasks.schedule_reminders"


def at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def today():
    return timezone.localdate()


def reminded(kind):
    return sorted(Reminder.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_the_officer_is_reminded_of_a_missing_check_once_from_17_00(staffed):
    assert reminders.daily(at(today(), 16, 59)) == 0
    reminders.daily(at(today(), 17, 5))
    reminders.daily(at(today(), 17, 15))  # the next beat run
    assert reminded("daily_check") == ["anquanyuan"]
    assert inbox.deliver_due(at(today(), 17, 16)) == 1
    assert inbox.deliver_due(at(today(), 17, 30)) == 0
    (note,) = Notification.objects.filter(recipient=staffed["officer"])
    assert note.url == reverse("routines:my_daily_check") and "尚未提交" in note.title


def test_no_reminder_once_filed_or_when_nothing_is_in_service(staffed):
    filing.file_daily_check(by=staffed["officer"], unit=staffed["unit"])
    assert reminders.daily(at(today(), 18)) == 0
    assert not Reminder.objects.exists()


def test_the_director_is_reminded_on_monday_of_last_weeks_report(staffed):
    monday = expected.week_of(today())[0]
    assert reminders.weekly(at(monday, 8, 59)) == 0
    reminders.weekly(at(monday, 9, 30))
    reminders.weekly(at(monday, 10))
    assert reminded("weekly_report") == ["zongjian"]
    filing.file_weekly_report(by=staffed["director"], unit=staffed["unit"], week_start=monday - timedelta(days=7),
                              assessment="好", next_focus="门锁")
    Reminder.objects.filter(kind="weekly_report").update(key="old")  # were it scheduled again, a new row appears
    assert reminders.weekly(at(monday, 10, 30)) == 0


def test_the_principal_is_reminded_on_the_3rd_of_last_months_minutes(staffed, settings):
    third = today().replace(day=settings.ROUTINES_MONTHLY_REMINDER_DAY)
    assert reminders.monthly(at(third, 8)) == 0
    reminders.monthly(at(third, 9, 5))
    reminders.monthly(at(third, 12))
    assert reminded("monthly_minutes") == ["fuzeren"]
    late = third + timedelta(days=settings.ROUTINES_MONTHLY_GRACE_DAYS)
    assert reminders.monthly(at(late, 10)) == 0  # past its deadline: the calendar shows it as missing


def test_the_station_and_county_hear_of_units_missing_days_in_a_row(staffed, settings):
    station = factories.regulator("620102001", Role.INSPECTOR, username="station2")
    other = factories.regulator("620103", Role.LEADER, username="qilihe2")
    reminders.missing_streaks(at(today(), 9, 30))
    reminders.missing_streaks(at(today(), 11))
    got = set(reminded("missing_checks"))
    assert {"station2", "county", "station"} <= got and "qilihe2" not in got and "enterprise" not in got
    inbox.deliver_due(at(today(), 11, 1))
    note = Notification.objects.get(recipient=station)
    assert f"连续 {settings.ROUTINES_MISSING_DAYS_ALERT} 天" in note.title
    assert not Notification.objects.filter(recipient=other).exists()


def test_a_check_in_the_streak_takes_the_unit_off_the_list(staffed):
    filing.file_daily_check(by=staffed["officer"], unit=staffed["unit"], day=today() - timedelta(days=2))
    assert reminders.missing_streaks(at(today(), 10)) == 0


def test_the_inbox_shows_the_officers_to_do_until_the_check_is_filed(staffed):
    client = logged_in(staffed["officer"])
    page = client.get(reverse("inbox:inbox")).content.decode()
    assert "提交今日每日安全检查记录" in page
    filing.file_daily_check(by=staffed["officer"], unit=staffed["unit"])
    assert "提交今日每日安全检查记录" not in client.get(reverse("inbox:inbox")).content.decode()
    assert "提交今日每日安全检查记录" not in logged_in(staffed["director"]).get(reverse("inbox:inbox")).content.decode()


@pytest.mark.redis
@pytest.mark.xdist_group("celery")
@pytest.mark.django_db(transaction=True)
def test_the_beat_task_on_a_real_worker_twice_schedules_once(staffed, settings, worker_closes_its_connections,  # noqa: F811
                                                              monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.ROUTINES_DAILY_REMINDER_AT = "00:00"
    settings.ROUTINES_WEEKLY_REMINDER_AT = "00:00"
    with isolated_broker(), start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        celery_app.send_task(TASK)
        celery_app.send_task(TASK)  # a second beat process sending the same run
        wait_for(lambda: Reminder.objects.filter(kind="daily_check").exists())
        clock.sleep(1.0)
        celery_app.send_task("portal.inbox.tasks.deliver_reminders")
        wait_for(lambda: Notification.objects.filter(kind="daily_check").exists())
        celery_app.send_task("portal.inbox.tasks.deliver_reminders")
        clock.sleep(1.0)
    assert Reminder.objects.filter(kind="daily_check").count() == 1
    assert Notification.objects.filter(kind="daily_check", recipient=staffed["officer"]).count() == 1
