import django_tables2 as tables
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from units.choices import ApplicationStatus, NotificationStatus
from units.models import Application, Unit, WorkNotification


class UnitTable(tables.Table):
    name = tables.Column(linkify=True, verbose_name=_("单位名称"))
    uscc = tables.Column(verbose_name=_("统一社会信用代码"))
    kinds = tables.Column(verbose_name=_("单位类别"), orderable=False, accessor="get_kinds_display")
    jurisdiction = tables.Column(
        verbose_name=_("所属辖区"), accessor="jurisdiction__name", order_by=("jurisdiction__code",)
    )
    status = tables.Column(verbose_name=_("状态"))
    risk_grade = tables.Column(verbose_name=_("风险等级"))

    class Meta:
        model = Unit
        fields = ("name", "uscc", "kinds", "jurisdiction", "status", "risk_grade")
        order_by = ("name",)


# --- Use registration (000 §二(二)) --------------------------------------------------------------------

def due_state(application: Application) -> tuple[str, str] | None:
    """The warning an open application shows: overdue, or due within REGISTRATION_DUE_WARNING_DAYS."""
    if application.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.ACCEPTED):
        return None
    days = (application.due_on - timezone.localdate()).days
    if days < 0:
        return "danger", _("已超期 %(n)d 天") % {"n": -days}
    if days == 0:
        return "warning", _("今天到期")
    if days <= settings.REGISTRATION_DUE_WARNING_DAYS:
        return "warning", _("%(n)d 天内到期") % {"n": days}
    return None


def due_badge(application: Application) -> str:
    state = due_state(application)
    if state is None:
        return ""
    return format_html('<span class="badge text-bg-{}" data-testid="due-badge">{}</span>', *state)


class ApplicationTable(tables.Table):
    id = tables.Column(linkify=True, verbose_name=_("申请编号"))
    kind = tables.Column(verbose_name=_("申请类型"))
    unit = tables.Column(accessor="unit__name", verbose_name=_("使用单位"), order_by=("unit__name",))
    equipment_count = tables.Column(verbose_name=_("设备台数"))
    status = tables.Column(verbose_name=_("状态"))
    submitted_at = tables.DateTimeColumn(verbose_name=_("提交时间"), format="Y-m-d H:i")
    due_on = tables.Column(verbose_name=_("办理期限"))
    decision_number = tables.Column(verbose_name=_("决定书编号"))

    class Meta:
        model = Application
        fields = ("id", "kind", "unit", "equipment_count", "status", "submitted_at", "due_on", "decision_number")

    def render_id(self, value):
        return f"#{value}"

    def render_due_on(self, value, record):
        return format_html("{} {}", value.isoformat(), due_badge(record))

    def value_due_on(self, value):
        return value.isoformat()


# --- Work notifications (告知; 000 §二(二)) ------------------------------------------------------------

class NotificationTable(tables.Table):
    """``can_acknowledge`` (a predicate on a row) is set by the view from the access spine."""

    id = tables.Column(linkify=True, verbose_name=_("编号"))
    kind = tables.Column(verbose_name=_("告知类型"))
    notifier = tables.Column(accessor="notifier__name", verbose_name=_("施工单位"), order_by=("notifier__name",))
    site_unit = tables.Column(accessor="site_unit__name", verbose_name=_("使用单位"), order_by=("site_unit__name",))
    equipment_type = tables.Column(accessor="equipment_type__name", verbose_name=_("设备品种"),
                                   order_by=("equipment_type__code",))
    site_address = tables.Column(verbose_name=_("施工地点"))
    planned_start = tables.DateColumn(verbose_name=_("计划开工日期"), format="Y-m-d")
    status = tables.Column(verbose_name=_("状态"))
    submitted_at = tables.DateTimeColumn(verbose_name=_("告知时间"), format="Y-m-d H:i")
    actions = tables.Column(verbose_name=_("操作"), empty_values=(), orderable=False)
    export_exclude = ("actions",)
    can_acknowledge = None

    class Meta:
        model = WorkNotification
        fields = ("id", "kind", "notifier", "site_unit", "equipment_type", "site_address", "planned_start", "status",
                  "submitted_at", "actions")

    def render_id(self, value):
        return f"#{value}"

    def render_actions(self, record):
        if record.status == NotificationStatus.SUBMITTED and self.can_acknowledge and self.can_acknowledge(record):
            return format_html('<a class="btn btn-sm btn-outline-primary" href="{}">{}</a>',
                               reverse("units:notification_acknowledge", args=[record.pk]), _("确认"))
        return "—"
