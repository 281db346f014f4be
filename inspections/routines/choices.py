from django.db import models
from django.utils.translation import gettext_lazy as _

from personnel.choices import Post


class RiskCategory(models.TextChoices):
    """The six row categories of the risk control list's public template (docs/domain.md §Risk control list)."""

    PERSONNEL = "personnel", _("人员")
    MANAGEMENT = "management", _("管理")
    EQUIPMENT = "equipment", _("设备")
    SAFETY_DEVICES = "safety_devices", _("安全附件、仪表和安全保护装置")
    ENVIRONMENT = "environment", _("环境")
    DYNAMIC = "dynamic", _("动态风险")


class Frequency(models.TextChoices):
    """日管控 / 周排查 / 月调度 (Order 74 Art. 142–144): how often the row is checked."""

    DAILY = "daily", _("每日")
    WEEKLY = "weekly", _("每周")
    MONTHLY = "monthly", _("每月")


# The usage unit's posts of Order 74 that a row may name: personnel's own choices, narrowed.
RESPONSIBLE_POSTS = (Post.SAFETY_OFFICER, Post.SAFETY_DIRECTOR, Post.PRINCIPAL)
RESPONSIBLE_POST_CHOICES = [(p.value, p.label) for p in RESPONSIBLE_POSTS]
