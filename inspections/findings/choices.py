from django.db import models
from django.utils.translation import gettext_lazy as _


class Origin(models.TextChoices):
    """What raised the finding (docs/domain.md §Findings): the unit's own self-check, or a regulator's inspection."""

    SELF_CHECK = "self_check", _("自查隐患")
    INSPECTION = "inspection", _("监督检查")


class HazardLevel(models.TextChoices):
    """一般 / 重大: the seed names no finer scale for special-equipment hazards (docs/domain.md §Findings)."""

    GENERAL = "general", _("一般隐患")
    MAJOR = "major", _("重大隐患")


class Status(models.TextChoices):
    OPEN = "open", _("待整改")
    RECTIFIED = "rectified", _("已整改待验证")
    CLOSED = "closed", _("已销号")


# Still awaiting someone: the states in which a finding can be overdue.
PENDING = (Status.OPEN, Status.RECTIFIED)


class Step(models.TextChoices):
    """One move of the lifecycle, as the timeline names it."""

    RAISED = "raised", _("发现")
    RECTIFIED = "rectified", _("整改")
    VERIFIED = "verified", _("验证销号")
    REJECTED = "rejected", _("验证未通过")
