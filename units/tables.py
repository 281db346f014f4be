import django_tables2 as tables
from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.kit.tables import SECONDARY, Table
from units.choices import ApplicationStatus, EquipmentStatus, NotificationStatus
from units.models import Application, Equipment, Unit, WorkNotification


class UnitTable(Table):
    name = tables.Column(linkify=True, verbose_name=_("单位名称"))
    uscc = tables.Column(verbose_name=_("统一社会信用代码"), attrs=SECONDARY)
    kinds = tables.Column(verbose_name=_("单位类别"), orderable=False, accessor="get_kinds_display", attrs=SECONDARY)
    jurisdiction = tables.Column(
        verbose_name=_("所属辖区"), accessor="jurisdiction__name", order_by=("jurisdiction__code",), attrs=SECONDARY
    )
    status = tables.Column(verbose_name=_("状态"))
    risk_grade = tables.Column(verbose_name=_("风险等级"), attrs=SECONDARY)

    class Meta:
        model = Unit
        fields = ("name", "uscc", "kinds", "jurisdiction", "status", "risk_grade")
        order_by = ("name",)


class PendingUnitTable(Table):
    """The 待确认单位 work list: units that signed themselves up, oldest first."""

    name = tables.Column(linkify=True, verbose_name=_("单位名称"))
    uscc = tables.Column(verbose_name=_("统一社会信用代码"), attrs=SECONDARY)
    kinds = tables.Column(verbose_name=_("单位类别"), orderable=False, accessor="get_kinds_display", attrs=SECONDARY)
    jurisdiction = tables.Column(
        verbose_name=_("属地市场监管所"), accessor="jurisdiction__name", order_by=("jurisdiction__code",),
        attrs=SECONDARY,
    )
    contact_person = tables.Column(verbose_name=_("联系人"), attrs=SECONDARY)
    created_at = tables.DateTimeColumn(verbose_name=_("注册时间"))
    actions = tables.TemplateColumn(
        template_name="units/_pending_unit_actions.html", verbose_name=_("操作"), orderable=False
    )
    export_exclude = ("actions",)

    class Meta:
        model = Unit
        fields = ("name", "uscc", "kinds", "jurisdiction", "contact_person", "created_at", "actions")
        order_by = ("created_at",)


class EquipmentTable(Table):
    code = tables.Column(linkify=True, verbose_name=_("设备代码"), empty_values=())
    unit = tables.Column(linkify=True, verbose_name=_("使用单位"), order_by=("unit__name",), attrs=SECONDARY)
    category = tables.Column(verbose_name=_("设备类别"), accessor="category__name", order_by=("category__code",),
                             attrs=SECONDARY)
    equipment_type = tables.Column(verbose_name=_("设备品种"), accessor="equipment_type__name",
                                   order_by=("equipment_type__code",))
    status = tables.Column(verbose_name=_("状态"))
    registration_number = tables.Column(verbose_name=_("使用登记证编号"), attrs=SECONDARY)
    next_inspection_on = tables.DateColumn(verbose_name=_("下次定期检验日期"), attrs=SECONDARY)

    class Meta:
        model = Equipment
        fields = ("code", "unit", "category", "equipment_type", "status", "registration_number",
                  "next_inspection_on")
        order_by = ("-id",)

    def render_code(self, value, record):
        return value or _("出厂编号 %(number)s") % {"number": record.factory_number or "—"}

    def value_code(self, value):
        return value


class InspectionDueTable(EquipmentTable):
    """Periodic inspection lists (docs/domain.md §Periodic inspection): soonest first, with the days left or overdue."""

    location = tables.Column(verbose_name=_("安装使用地点"), attrs=SECONDARY)
    # Many rows share a date; the id keeps page boundaries stable.
    next_inspection_on = tables.DateColumn(verbose_name=_("下次定期检验日期"), order_by=("next_inspection_on", "id"),
                                           attrs=SECONDARY)
    days = tables.Column(verbose_name=_("距检验日期"), accessor="next_inspection_on", orderable=False,
                         empty_values=())
    # The overdue list also holds equipment never registered: its empty number cell says so.
    registration_number = tables.Column(verbose_name=_("使用登记证编号"), empty_values=(), attrs=SECONDARY)

    class Meta(EquipmentTable.Meta):
        fields = ("code", "unit", "category", "equipment_type", "location", "registration_number",
                  "next_inspection_on", "days")
        exclude = ("status",)
        order_by = ("next_inspection_on",)

    def render_registration_number(self, value, record):
        if record.status == EquipmentStatus.UNREGISTERED:
            return format_html('<span class="badge text-bg-warning" data-testid="unregistered">{}</span>',
                               EquipmentStatus.UNREGISTERED.label)
        return value or "—"

    def value_registration_number(self, value, record):
        return str(EquipmentStatus.UNREGISTERED.label) if record.status == EquipmentStatus.UNREGISTERED else value

    def render_days(self, value):
        days = (value - timezone.localdate()).days
        if days < 0:
            return _("已超期 %(n)d 天") % {"n": -days}
        return _("今天到期") if days == 0 else _("还有 %(n)d 天") % {"n": days}


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


class ApplicationTable(Table):
    id = tables.Column(linkify=True, verbose_name=_("受理编号"))  # numbers follow filing order, as ids do
    kind = tables.Column(verbose_name=_("申请类型"))
    unit = tables.Column(accessor="unit__name", verbose_name=_("使用单位"), order_by=("unit__name",), attrs=SECONDARY)
    equipment_count = tables.Column(verbose_name=_("设备台数"), attrs=SECONDARY)
    status = tables.Column(verbose_name=_("状态"))
    submitted_at = tables.DateTimeColumn(verbose_name=_("提交时间"), attrs=SECONDARY)
    due_on = tables.Column(verbose_name=_("办理期限"), attrs=SECONDARY)
    decision_number = tables.Column(verbose_name=_("决定书编号"), attrs=SECONDARY)

    class Meta:
        model = Application
        fields = ("id", "kind", "unit", "equipment_count", "status", "submitted_at", "due_on", "decision_number")

    def render_id(self, value, record):
        return record.number

    def value_id(self, value, record):
        return record.number

    def render_due_on(self, value, record):
        return format_html("{} {}", formats.date_format(value, "SHORT_DATE_FORMAT"), due_badge(record))

    def value_due_on(self, value):
        return value


# --- Work notifications (告知; 000 §二(二)) ------------------------------------------------------------

class NotificationTable(Table):
    """``can_acknowledge`` (a predicate on a row) is set by the view from the access spine."""

    id = tables.Column(linkify=True, verbose_name=_("编号"))
    kind = tables.Column(verbose_name=_("告知类型"))
    notifier = tables.Column(accessor="notifier__name", verbose_name=_("施工单位"), order_by=("notifier__name",),
                             attrs=SECONDARY)
    site_unit = tables.Column(accessor="site_unit__name", verbose_name=_("使用单位"), order_by=("site_unit__name",),
                              attrs=SECONDARY)
    equipment_type = tables.Column(accessor="equipment_type__name", verbose_name=_("设备品种"),
                                   order_by=("equipment_type__code",), attrs=SECONDARY)
    site_address = tables.Column(verbose_name=_("施工地点"), attrs=SECONDARY)
    planned_start = tables.DateColumn(verbose_name=_("计划开工日期"), attrs=SECONDARY)
    status = tables.Column(verbose_name=_("状态"))
    submitted_at = tables.DateTimeColumn(verbose_name=_("告知时间"), attrs=SECONDARY)
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
