"""The plan and campaign tasks open in the signed-in county's or station's area, for the inbox's 待办
(portal.inbox.todos): one aggregate query. The city publishes the tasks; the county and its stations carry them
out (000 §三(一)(二), §四; docs/domain.md §Annual plan)."""

from __future__ import annotations

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from inspections.supervision.models import PlanTask
from inspections.supervision.querysets import LIVE_TASKS
from jurisdictions import access
from jurisdictions.duties import Duty, Tier
from portal.inbox.todos import Todo

CARRIED_OUT_BY = (Tier.COUNTY, Tier.STATION)


def tasks_to_do(user) -> list[Todo]:
    node = getattr(user, "jurisdiction", None)
    if not access.is_regulator(user) or node is None or node.tier not in CARRIED_OUT_BY:
        return []
    if not access.can(user, Duty.INSPECT, node):
        return []
    today = timezone.localdate()
    found = (PlanTask.objects.filter(LIVE_TASKS, done_on__isnull=True, **{f"{node.tier}_id": node.pk})
             .aggregate(open=Count("pk"), due=Min("due_on"), overdue=Count("pk", filter=Q(due_on__lt=today))))
    if not found["open"]:
        return []
    title = ngettext("%(open)d 项监督检查任务待完成", "%(open)d 项监督检查任务待完成", found["open"]) % found
    if found["overdue"]:
        title += ngettext("（%(overdue)d 项已逾期）", "（%(overdue)d 项已逾期）", found["overdue"]) % found
    return [Todo(title=title, url=f"{reverse('plans:task_list')}?state={'overdue' if found['overdue'] else 'open'}",
                 kind="plan_task", due=found["due"])]
