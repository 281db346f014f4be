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


class Period(models.TextChoices):
    """A unit that patrols more than once a day files one check per half-day (docs/domain.md §Self-check records)."""

    FULL = "full", _("全天")
    AM = "am", _("上午")
    PM = "pm", _("下午")


class ItemResult(models.TextChoices):
    NORMAL = "normal", _("正常")
    ABNORMAL = "abnormal", _("异常")
    NOT_APPLICABLE = "na", _("无此项")


class CheckResult(models.TextChoices):
    """总体结论: every item 正常 is a 零风险报告 (Order 74 Art. 142); any 异常 is 有隐患."""

    ZERO_RISK = "zero_risk", _("零风险报告")
    NORMAL = "normal", _("正常")
    HAZARD = "hazard", _("有隐患")


class ExemptionKind(models.TextChoices):
    """Seed 002 附件 6: 停产 → nothing expected; 办理停用 → nothing for that equipment; 临时停用 → adjusted."""

    PRODUCTION_STOPPED = "production_stopped", _("停产停业")
    EQUIPMENT_SUSPENDED = "equipment_suspended", _("设备停用")
    TEMPORARY_STOP = "temporary_stop", _("临时停用")
