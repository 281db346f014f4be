"""The self-check records awaiting the signed-in account, for the inbox's 待办 (portal.inbox.todos).

What an account owes follows its person's posts today (``personnel.services.posts_held``): the officer today's
daily check, the director last week's report until its deadline, the principal last month's minutes until
theirs. A handful of queries, whatever the unit's size.
"""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.routines import expected, filing
from inspections.routines.models import MonthlyMinutes, WeeklyReport
from jurisdictions import access
from personnel import services as personnel
from portal.inbox.todos import Todo
from units.services import unit_of


def self_check_records(user) -> list[Todo]:
    if not access.is_enterprise(user):
        return []
    unit = unit_of(user)
    if unit is None:
        return []
    today = timezone.localdate()
    posts = personnel.posts_held(user, unit, today)
    if not posts:
        return []
    todos = []
    if posts & filing.OFFICER_POSTS and expected.ledger(unit, today, today, today=today).states[today] == \
            expected.Day.TODAY:
        todos.append(Todo(title=_("提交今日每日安全检查记录"), url=reverse("routines:my_daily_check"),
                          kind="daily_check", due=today))
    if posts & filing.DIRECTOR_POSTS:
        week_start = expected.week_of(today)[0] - timedelta(days=7)
        deadline = expected.weekly_deadline(week_start)
        if today <= deadline and not WeeklyReport.objects.filter(unit=unit, week_start=week_start).exists() \
                and expected.ledger(unit, week_start, week_start + timedelta(days=6), today=today).owes_any():
            todos.append(Todo(title=_("提交上周安全排查治理报告"), due=deadline, kind="weekly_report",
                              url=f"{reverse('routines:my_weekly_report')}?week={week_start.isoformat()}"))
    if posts & filing.PRINCIPAL_POSTS:
        month = expected.month_of(today.replace(day=1) - timedelta(days=1))[0]
        deadline = expected.monthly_deadline(month)
        if today <= deadline and not MonthlyMinutes.objects.filter(unit=unit, month=month).exists() \
                and expected.ledger(unit, month, expected.month_of(month)[1], today=today).owes_any():
            todos.append(Todo(title=_("提交上月安全调度会议纪要"), due=deadline, kind="monthly_minutes",
                              url=f"{reverse('routines:my_monthly_minutes')}?month={month.strftime('%Y-%m')}"))
    return todos
