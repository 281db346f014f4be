import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from inspections.findings.choices import HazardLevel, Status
from inspections.findings.models import Finding
from portal.kit.tables import SECONDARY, Table

STATUS_BADGES = {Status.OPEN: "text-bg-warning", Status.RECTIFIED: "text-bg-info", Status.CLOSED: "text-bg-success"}


def overdue_days(finding: Finding) -> int:
    return (timezone.localdate() - finding.due_on).days


def status_badges(finding: Finding) -> str:
    """The state, and beside it 逾期 N 天 while the finding is open or awaiting verification past its due date."""
    badge = format_html('<span class="badge {}" data-testid="finding-status">{}</span>',
                        STATUS_BADGES.get(finding.status, "text-bg-secondary"), finding.get_status_display())
    if finding.is_overdue:
        badge = format_html('{} <span class="badge text-bg-danger" data-testid="overdue-badge">{}</span>', badge,
                            gettext("逾期 %(n)d 天") % {"n": overdue_days(finding)})
    return badge


class FindingTable(Table):
    id = tables.Column(linkify=True, verbose_name=_("编号"))
    unit = tables.Column(accessor="unit__name", verbose_name=_("单位"), order_by=("unit__name",), attrs=SECONDARY)
    description = tables.Column(verbose_name=_("问题描述"), orderable=False)
    hazard_level = tables.Column(verbose_name=_("隐患级别"), attrs=SECONDARY)
    status = tables.Column(verbose_name=_("状态"))
    due_on = tables.DateColumn(verbose_name=_("整改期限"), order_by=("due_on", "id"))
    responsible = tables.Column(accessor="responsible__name", verbose_name=_("整改责任人"), orderable=False,
                                attrs=SECONDARY)
    raised_at = tables.DateTimeColumn(verbose_name=_("发现时间"), attrs=SECONDARY)

    class Meta:
        model = Finding
        fields = ("id", "unit", "description", "hazard_level", "status", "due_on", "responsible", "raised_at")
        order_by = ("-id",)

    def render_id(self, value):
        return f"#{value}"

    def render_description(self, value):
        return value if len(value) <= 40 else value[:40] + "…"

    def value_description(self, value):
        return value

    def render_hazard_level(self, value, record):
        if record.hazard_level == HazardLevel.MAJOR:
            return format_html('<span class="badge text-bg-danger">{}</span>', value)
        return value

    def value_hazard_level(self, value):
        return value

    def render_status(self, record):
        return status_badges(record)

    def value_status(self, record):
        if record.is_overdue:
            return gettext("%(status)s，逾期 %(n)d 天") % {"status": record.get_status_display(),
                                                      "n": overdue_days(record)}
        return record.get_status_display()



