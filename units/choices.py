from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    """Seed 002 distinguishes production, usage and filling units; one unit may be several."""

    PRODUCTION = "production", _("生产单位")
    USAGE = "usage", _("使用单位")
    FILLING = "filling", _("充装单位")


class UnitStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    ACTIVE = "active", _("正常")
    REJECTED = "rejected", _("已驳回")
    STOPPED = "stopped", _("停产停业")


class RiskGrade(models.TextChoices):
    """分级分类: SAMR credit-risk classes A–D (DOMAIN.md §7), A lowest risk."""

    A = "A", _("A 级（低风险）")
    B = "B", _("B 级（一般风险）")
    C = "C", _("C 级（较高风险）")
    D = "D", _("D 级（高风险）")
