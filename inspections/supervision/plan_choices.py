from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PlanStatus(models.TextChoices):
    """The annual routine plan (Order 57 Art. 7): drawn as a draft, approved by the city's leader, then published
    and locked (docs/domain.md §Annual plan)."""

    DRAFT = "draft", _("草稿")
    APPROVED = "approved", _("已审批")
    PUBLISHED = "published", _("已发布")


class TaskResult(models.TextChoices):
    """What a planned or campaign inspection came to, as the 一公开 page shows it (Order 57 Art. 8)."""

    NO_PROBLEM = "no_problem", _("未发现问题")
    RECTIFY = "rectify", _("责令整改")
    OTHER = "other", _("其他")


class TaskState(models.TextChoices):
    """Derived from the dates: a task is done once its inspection is on record, overdue while open past its due
    date."""

    OPEN = "open", _("待检查")
    OVERDUE = "overdue", _("已逾期")
    DONE = "done", _("已完成")


def task_state_q(state: str, today) -> Q:
    return {TaskState.DONE: Q(done_on__isnull=False),
            TaskState.OVERDUE: Q(done_on__isnull=True, due_on__lt=today),
            TaskState.OPEN: Q(done_on__isnull=True, due_on__gte=today)}[TaskState(state)]


# The strata of the draw: the key units (重点单位 or the top grade) and the grades below it; a unit not yet graded
# is drawn as the lowest grade.
KEY = "key"
STRATUM_LABELS = {KEY: _("重点单位"), "D": _("D 级"), "C": _("C 级"), "B": _("B 级"), "A": _("A 级及未评定")}
