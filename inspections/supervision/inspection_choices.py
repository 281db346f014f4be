"""The choices of the inspection records, the 安全监察指令书 and the penalty referrals (docs/domain.md §Inspection
record, §Directive)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class InspectionKind(models.TextChoices):
    """Order 57's four kinds of inspection (docs/domain.md §Inspection record)."""

    ROUTINE = "routine", _("常规监督检查")
    SPECIAL = "special", _("专项监督检查")
    POST_LICENCE = "post_licence", _("证后监督检查")
    OTHER = "other", _("其他监督检查")


class InspectionStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("检查中")
    COMPLETED = "completed", _("已完成")


class ItemResult(models.TextChoices):
    COMPLIANT = "compliant", _("符合")
    NON_COMPLIANT = "non_compliant", _("不符合")
    NOT_APPLICABLE = "na", _("不适用")


class Disposition(models.TextChoices):
    """处理措施 of the record (docs/domain.md §Inspection record: 下达指令书 / 查封 / 扣押 / 其他); none when nothing
    was found."""

    NONE = "none", _("未发现问题，无需处理")
    DIRECTIVE = "directive", _("下达安全监察指令书")
    SEAL = "seal", _("查封")
    DETAIN = "detain", _("扣押")
    OTHER = "other", _("其他")


class DirectiveStatus(models.TextChoices):
    ISSUED = "issued", _("待整改")
    REPORTED = "reported", _("已报告待复查")
    ACCEPTED = "accepted", _("复查合格")
    OVERDUE = "overdue", _("逾期未整改")


# The enterprise still owes its rectification report.
AWAITING_REPORT = (DirectiveStatus.ISSUED, DirectiveStatus.OVERDUE)
OPEN_DIRECTIVE = (DirectiveStatus.ISSUED, DirectiveStatus.REPORTED, DirectiveStatus.OVERDUE)


class DirectiveStep(models.TextChoices):
    ISSUED = "issued", _("下达")
    REPORTED = "reported", _("整改报告")
    ACCEPTED = "accepted", _("复查合格")
    SENT_BACK = "sent_back", _("复查不合格，退回整改")
    OVERDUE = "overdue", _("逾期未整改，移送处罚")


class ReferralStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    FILED = "filed", _("已立案")
    CLOSED = "closed", _("已办结")


class ReferralOutcome(models.TextChoices):
    """How the penalty case ended (Order 57 Art. 36: refusing a directive is fined)."""

    PENALISED = "penalised", _("给予行政处罚")
    NOT_PENALISED = "not_penalised", _("不予行政处罚")
    RECTIFIED = "rectified", _("已整改，不予立案")
