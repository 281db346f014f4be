import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from inspections.supervision.models import Recommendation
from inspections.supervision.recommendation_choices import Status
from portal.kit.tables import SECONDARY, Table

STATUS_BADGES = {Status.REGISTERED: "text-bg-secondary", Status.ASSIGNED: "text-bg-warning",
                 Status.IN_PROGRESS: "text-bg-info", Status.REPLIED: "text-bg-primary",
                 Status.ARCHIVED: "text-bg-success"}


def overdue_days(recommendation: Recommendation) -> int:
    return (timezone.localdate() - recommendation.reply_due_on).days


def status_badges(recommendation: Recommendation) -> str:
    """The state, and beside it 逾期 N 天 while the reply is past its deadline."""
    badge = format_html('<span class="badge {}" data-testid="recommendation-status">{}</span>',
                        STATUS_BADGES.get(recommendation.status, "text-bg-secondary"),
                        recommendation.get_status_display())
    if recommendation.is_overdue:
        badge = format_html('{} <span class="badge text-bg-danger" data-testid="overdue-badge">{}</span>', badge,
                            gettext("逾期 %(n)d 天") % {"n": overdue_days(recommendation)})
    return badge


class RecommendationTable(Table):
    document_number = tables.Column(linkify=True, verbose_name=_("文号"))
    kind = tables.Column(verbose_name=_("类别"))
    issuer = tables.Column(verbose_name=_("发文机关"), attrs=SECONDARY)
    case_name = tables.Column(verbose_name=_("案件名称"), orderable=False)
    jurisdiction = tables.Column(accessor="jurisdiction__name", verbose_name=_("承办单位"),
                                 order_by=("jurisdiction__code",))
    received_on = tables.DateColumn(verbose_name=_("收文日期"), attrs=SECONDARY)
    reply_due_on = tables.DateColumn(verbose_name=_("回复期限"), order_by=("reply_due_on", "id"))
    status = tables.Column(verbose_name=_("状态"))

    class Meta:
        model = Recommendation
        fields = ("document_number", "kind", "issuer", "case_name", "jurisdiction", "received_on", "reply_due_on",
                  "status")
        order_by = ("-id",)

    def render_case_name(self, value):
        return value if len(value) <= 30 else value[:30] + "…"

    def value_case_name(self, value):
        return value

    def render_status(self, record):
        return status_badges(record)

    def value_status(self, record):
        if record.is_overdue:
            return gettext("%(status)s，逾期 %(n)d 天") % {"status": record.get_status_display(),
                                                      "n": overdue_days(record)}
        return record.get_status_display()
