import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from inspections.supervision.inspection_choices import DirectiveStatus, InspectionStatus, ReferralStatus
from inspections.supervision.models import Directive, Inspection, Referral
from portal.kit.tables import SECONDARY, Table

INSPECTION_BADGES = {InspectionStatus.IN_PROGRESS: "text-bg-warning", InspectionStatus.COMPLETED: "text-bg-success"}
DIRECTIVE_BADGES = {DirectiveStatus.ISSUED: "text-bg-warning", DirectiveStatus.REPORTED: "text-bg-info",
                    DirectiveStatus.ACCEPTED: "text-bg-success", DirectiveStatus.OVERDUE: "text-bg-danger"}
REFERRAL_BADGES = {ReferralStatus.OPEN: "text-bg-danger", ReferralStatus.FILED: "text-bg-warning",
                   ReferralStatus.CLOSED: "text-bg-success"}


def badge(classes: dict, record, testid: str) -> str:
    return format_html('<span class="badge {}" data-testid="{}">{}</span>', classes.get(record.status, ""), testid,
                       record.get_status_display())


class InspectionTable(Table):
    started_at = tables.DateTimeColumn(linkify=True, verbose_name=_("检查时间"), format="Y-m-d H:i")
    unit_name = tables.Column(verbose_name=_("被检查单位"))
    kind = tables.Column(verbose_name=_("检查类别"))
    authority = tables.Column(accessor="authority__name", verbose_name=_("实施检查的部门"),
                              order_by=("authority__code",), attrs=SECONDARY)
    disposition = tables.Column(verbose_name=_("处理措施"), attrs=SECONDARY)
    status = tables.Column(verbose_name=_("状态"))

    class Meta:
        model = Inspection
        fields = ("started_at", "unit_name", "kind", "authority", "disposition", "status")
        order_by = ("-id",)

    def render_started_at(self, value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")

    def value_started_at(self, value):
        return self.render_started_at(value)

    def render_status(self, record):
        return badge(INSPECTION_BADGES, record, "inspection-status")

    def value_status(self, record):
        return record.get_status_display()


class DirectiveTable(Table):
    number = tables.Column(linkify=True, verbose_name=_("指令书编号"))
    unit = tables.Column(accessor="unit__name", verbose_name=_("被检查单位"), order_by=("unit__name",))
    authority = tables.Column(accessor="authority__name", verbose_name=_("下达机关"), order_by=("authority__code",),
                              attrs=SECONDARY)
    issued_at = tables.DateColumn(verbose_name=_("下达日期"), attrs=SECONDARY)
    deadline = tables.DateColumn(verbose_name=_("整改期限"), order_by=("deadline", "id"))
    status = tables.Column(verbose_name=_("状态"))

    class Meta:
        model = Directive
        fields = ("number", "unit", "authority", "issued_at", "deadline", "status")
        order_by = ("-id",)

    def render_status(self, record):
        return badge(DIRECTIVE_BADGES, record, "directive-status")

    def value_status(self, record):
        return record.get_status_display()


class ReferralTable(Table):
    directive = tables.Column(accessor="directive__number", linkify=lambda record: record.get_absolute_url(),
                              verbose_name=_("指令书编号"), order_by=("directive__number",))
    unit = tables.Column(accessor="unit__name", verbose_name=_("单位"), order_by=("unit__name",))
    created_at = tables.DateColumn(verbose_name=_("移送时间"))
    case_number = tables.Column(verbose_name=_("案件编号"), attrs=SECONDARY)
    outcome = tables.Column(verbose_name=_("处理结果"), attrs=SECONDARY)
    status = tables.Column(verbose_name=_("状态"))

    class Meta:
        model = Referral
        fields = ("directive", "unit", "created_at", "case_number", "outcome", "status")
        order_by = ("-id",)

    def render_status(self, record):
        return badge(REFERRAL_BADGES, record, "referral-status")

    def value_status(self, record):
        return record.get_status_display()
