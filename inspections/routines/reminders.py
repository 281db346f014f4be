"""Reminders of 日管控、周排查、月调度 (docs/architecture.md §Inbox and reminders).

Each run of the beat task looks at what is owed and missing now and schedules one ``portal.inbox`` reminder
per occasion — the officer's missing daily check from ``ROUTINES_DAILY_REMINDER_AT``, the director's report
for last week on Monday, the principal's minutes for last month from ``ROUTINES_MONTHLY_REMINDER_DAY`` —
and tells the station and the county of the units missing ``ROUTINES_MISSING_DAYS_ALERT`` days in a row.
The occasion is the reminder's key (``daily:<unit>:<day>`` …), so a rerun or a second beat process schedules
nothing twice; ``portal.inbox.services.deliver_due`` delivers them once, in-app and by mail where the account
has an address. Set-based: a few queries per run whatever the number of units.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from inspections.routines import expected, filing
from inspections.routines.models import DailyCheck, Exemption, MonthlyMinutes, WeeklyReport
from jurisdictions.duties import REGULATOR_ROLES
from jurisdictions.models import User
from personnel.models import Appointment
from personnel.querysets import in_office_on
from portal.inbox import services as inbox
from units.choices import SUPERVISED_STATUSES
from units.models import Equipment, Unit


def _at(day: date, clock: str) -> datetime:
    hour, minute = (int(x) for x in clock.split(":"))
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _covering(day: date) -> Q:
    return Q(starts_on__lte=day) & (Q(ends_on__isnull=True) | Q(ends_on__gte=day))


def owing_units(day: date):
    """Units owing a daily check on ``day`` (expected.py's rule, set-based): supervised, on the books, no
    unit-wide exemption, and some live equipment on the books and not stopped that day."""
    stopped = Exemption.objects.filter(_covering(day), equipment=OuterRef("pk"))
    in_service = (Equipment.objects.filter(unit=OuterRef("pk"), status__in=expected.LIVE_EQUIPMENT,
                                           created_at__lt=_at(day + timedelta(days=1), "00:00"))
                  .exclude(Exists(stopped)))
    return (Unit.objects.filter(status__in=SUPERVISED_STATUSES, created_at__lt=_at(day + timedelta(days=1), "00:00"))
            .exclude(Exists(Exemption.objects.filter(_covering(day), unit=OuterRef("pk"), equipment__isnull=True)))
            .filter(Exists(in_service)))


def _holders(posts, day: date, units):
    """(unit id, account) of the linked accounts of the people in ``posts`` on ``day`` at ``units``."""
    return (Appointment.objects.filter(in_office_on(day), post__in=posts, unit__in=units,
                                       person__account__isnull=False, person__account__is_active=True)
            .select_related("person__account", "unit").order_by("unit_id", "id"))


def daily(now: datetime) -> int:
    today = timezone.localdate(now)
    if now < _at(today, settings.ROUTINES_DAILY_REMINDER_AT):
        return 0
    missing = owing_units(today).exclude(Exists(DailyCheck.objects.filter(unit=OuterRef("pk"), day=today)))
    made = 0
    for appointment in _holders(filing.OFFICER_POSTS, today, missing):
        inbox.schedule(appointment.person.account, "daily_check", f"daily:{appointment.unit_id}:{today}",
                       _at(today, settings.ROUTINES_DAILY_REMINDER_AT),
                       _("今日每日安全检查尚未提交"),
                       _("%(unit)s %(day)s 的每日安全检查记录还没有提交，请巡查在用设备后填报。") % {
                           "unit": appointment.unit.name, "day": today.isoformat()},
                       url=reverse("routines:my_daily_check"))
        made += 1
    return made


def weekly(now: datetime) -> int:
    today = timezone.localdate(now)
    this_monday = expected.week_of(today)[0]
    if now < _at(this_monday, settings.ROUTINES_WEEKLY_REMINDER_AT):
        return 0
    week_start = this_monday - timedelta(days=7)
    if today > expected.weekly_deadline(week_start):
        return 0
    owed = Unit.objects.filter(Q(pk__in=DailyCheck.objects.filter(day__range=(week_start, week_start + timedelta(
        days=6))).values("unit_id")) | Q(pk__in=owing_units(week_start + timedelta(days=6)).values("pk")))
    missing = owed.exclude(Exists(WeeklyReport.objects.filter(unit=OuterRef("pk"), week_start=week_start)))
    made = 0
    for appointment in _holders(filing.DIRECTOR_POSTS, today, missing):
        inbox.schedule(appointment.person.account, "weekly_report", f"weekly:{appointment.unit_id}:{week_start}",
                       _at(this_monday, settings.ROUTINES_WEEKLY_REMINDER_AT), _("上周安全排查治理报告尚未提交"),
                       _("%(unit)s %(start)s 起一周的安全排查治理报告还没有提交。") % {
                           "unit": appointment.unit.name, "start": week_start.isoformat()},
                       url=f"{reverse('routines:my_weekly_report')}?week={week_start.isoformat()}")
        made += 1
    return made


def monthly(now: datetime) -> int:
    today = timezone.localdate(now)
    reminder_day = today.replace(day=settings.ROUTINES_MONTHLY_REMINDER_DAY)
    if now < _at(reminder_day, settings.ROUTINES_WEEKLY_REMINDER_AT):
        return 0
    month = expected.month_of(today.replace(day=1) - timedelta(days=1))[0]
    if today > expected.monthly_deadline(month):
        return 0
    month_end = expected.month_of(month)[1]
    owed = Unit.objects.filter(Q(pk__in=owing_units(month_end).values("pk")) | Q(
        pk__in=DailyCheck.objects.filter(day__range=(month, month_end)).values("unit_id")))
    missing = owed.exclude(Exists(MonthlyMinutes.objects.filter(unit=OuterRef("pk"), month=month)))
    made = 0
    for appointment in _holders(filing.PRINCIPAL_POSTS, today, missing):
        inbox.schedule(appointment.person.account, "monthly_minutes", f"monthly:{appointment.unit_id}:{month}",
                       _at(reminder_day, settings.ROUTINES_WEEKLY_REMINDER_AT), _("上月安全调度会议纪要尚未提交"),
                       _("%(unit)s %(month)s 的安全调度会议纪要还没有提交。") % {
                           "unit": appointment.unit.name, "month": month.strftime("%Y-%m")},
                       url=f"{reverse('routines:my_monthly_minutes')}?month={month.strftime('%Y-%m')}")
        made += 1
    return made


def missing_streaks(now: datetime) -> int:
    """Tell each station and county account of the units in its area owing a check on each of the last
    ``ROUTINES_MISSING_DAYS_ALERT`` days and filing none of them."""
    today = timezone.localdate(now)
    if now < _at(today, settings.ROUTINES_WEEKLY_REMINDER_AT):
        return 0
    days = settings.ROUTINES_MISSING_DAYS_ALERT
    first, last = today - timedelta(days=days), today - timedelta(days=1)
    streak = owing_units(first)
    for n in range(1, days):
        streak = streak.filter(pk__in=owing_units(first + timedelta(days=n)).values("pk"))
    streak = streak.exclude(Exists(DailyCheck.objects.filter(unit=OuterRef("pk"), day__range=(first, last))))
    counts: dict[int, int] = {}
    for station_id, county_id in streak.values_list("station_id", "county_id"):
        for node_id in {station_id, county_id} - {None}:
            counts[node_id] = counts.get(node_id, 0) + 1
    if not counts:
        return 0
    made = 0
    for user in User.objects.filter(jurisdiction_id__in=counts, role__in=REGULATOR_ROLES, is_active=True):
        n = counts[user.jurisdiction_id]
        inbox.schedule(user, "missing_checks", f"missing:{user.jurisdiction_id}:{today}",
                       _at(today, settings.ROUTINES_WEEKLY_REMINDER_AT),
                       ngettext("%(n)d 家单位连续 %(days)d 天未填报每日安全检查",
                                "%(n)d 家单位连续 %(days)d 天未填报每日安全检查", n) % {"n": n, "days": days},
                       _("截至 %(day)s，辖区内 %(n)d 家单位连续 %(days)d 天应检未检，请督促落实日管控。") % {
                           "day": last.isoformat(), "n": n, "days": days},
                       url=reverse("routines:daily_check_list"))
        made += 1
    return made


def schedule_due(now: datetime | None = None) -> int:
    """One run of the beat task: schedule whatever is due now (idempotent); returns how many were looked at."""
    now = now or timezone.now()
    return daily(now) + weekly(now) + monthly(now) + missing_streaks(now)
