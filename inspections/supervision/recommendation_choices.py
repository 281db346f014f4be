"""The choices of the 三书一函 (docs/domain.md §Recommendations)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """Which of the four instruments (000 §五(三)): who sent it decides its name."""

    JUDICIAL = "judicial", _("司法建议书")
    PROCURATORIAL = "procuratorial", _("检察建议书")
    SUPERVISORY = "supervisory", _("监察建议书")
    POLICE = "police", _("公安提示函")


class Status(models.TextChoices):
    REGISTERED = "registered", _("已登记")
    ASSIGNED = "assigned", _("已交办")
    IN_PROGRESS = "in_progress", _("办理中")
    REPLIED = "replied", _("已回复")
    ARCHIVED = "archived", _("已归档")


# Awaiting the reply: the states in which an instrument can be overdue.
AWAITING_REPLY = (Status.REGISTERED, Status.ASSIGNED, Status.IN_PROGRESS)
# Still someone's work: what the 待办 and the open-work index read.
OPEN = (*AWAITING_REPLY, Status.REPLIED)
# May still be sent on to another jurisdiction: handling has not begun.
ROUTABLE = (Status.REGISTERED, Status.ASSIGNED)


class Stage(models.TextChoices):
    """What an instrument waits for from the jurisdiction handling it: the 待办's three lines and the list's filter."""

    TO_HANDLE = "to_handle", _("待办理")
    TO_REPLY = "to_reply", _("待回复")
    TO_ARCHIVE = "to_archive", _("待归档")


STAGES = {
    Stage.TO_HANDLE: models.Q(status__in=(Status.REGISTERED, Status.ASSIGNED)),
    Stage.TO_REPLY: models.Q(status=Status.IN_PROGRESS),
    Stage.TO_ARCHIVE: models.Q(status=Status.REPLIED),
}


class ReplyKind(models.TextChoices):
    """How the regulator answered (docs/domain.md §Recommendations: 回复类型)."""

    ADOPTED = "adopted", _("采纳并整改")
    PARTLY = "partly", _("部分采纳")
    EXPLAINED = "explained", _("说明情况")


class Rectification(models.TextChoices):
    """Where the loophole the instrument names stands when the reply goes out (整改情况)."""

    DONE = "done", _("已整改到位")
    ONGOING = "ongoing", _("正在整改")
    NOT_NEEDED = "not_needed", _("无需整改")


class Step(models.TextChoices):
    """One move of an instrument, as its timeline names it."""

    REGISTERED = "registered", _("登记")
    ROUTED = "routed", _("交办")
    MEASURES = "measures", _("办理措施")
    REPLIED = "replied", _("回复")
    ARCHIVED = "archived", _("归档")
    ESCALATED = "escalated", _("逾期督办")
