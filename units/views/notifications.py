"""Work notifications 告知 (000 §二(二)): a production unit tells the city before it installs, alters or
repairs equipment at a usage unit; the city acknowledges, the county sees the notices in its area,
the notifier follows its own. Writes go through ``units.services``.
"""

from __future__ import annotations

from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.utils.translation import gettext_lazy

from jurisdictions import access
from jurisdictions.duties import Duty
from portal.kit.forms import ConfirmForm
from portal.kit.views import ConfirmActionView, ScopedDetailView, ScopedFormView, ScopedListView
from units import services
from units.choices import NotificationStatus, UnitKind
from units.filters import NotificationFilter
from units.forms import NotificationForm
from units.models import Unit, WorkNotification
from units.tables import NotificationTable


def notifying_unit(user) -> Unit | None:
    """The production unit an enterprise account may notify for, if any."""
    if not access.is_enterprise(user):
        return None
    units = Unit.objects.filter(kinds__contains=[UnitKind.PRODUCTION]).order_by("pk")
    return access.scope(units, user, Duty.KEEP_RECORDS).first()


class NotificationListView(ScopedListView):
    """The city's list to acknowledge, the county's to read, the notifier's own: one scope, three views."""

    queryset = WorkNotification.objects.select_related("notifier", "site_unit", "equipment_type")
    table_class = NotificationTable
    filterset_class = NotificationFilter
    title = gettext_lazy("安装改造修理告知")
    export_name = gettext_lazy("安装改造修理告知")
    empty_hint = gettext_lazy("施工单位在安装、改造、修理特种设备前提交的书面告知会列在这里；"
                              "施工单位从设备或单位页面提交告知，设区的市级监管部门确认。")

    def base_queryset(self):
        waiting = Case(When(status=NotificationStatus.SUBMITTED, then=Value(0)), default=Value(1),
                       output_field=IntegerField())
        return super().base_queryset().annotate(waiting=waiting).order_by("waiting", "-submitted_at", "-pk")

    def get_table(self, **kwargs):
        table = super().get_table(**kwargs)
        user = self.request.user
        table.can_acknowledge = lambda record: access.can(user, Duty.ACCEPT_NOTIFICATIONS, record)
        return table

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if notifying_unit(self.request.user) is not None:
            context["create_url_name"] = "units:notification_create"
        return context


class NotificationCreateView(ScopedFormView):
    """Only an enterprise whose unit is a production unit finds this page."""

    form_class = NotificationForm
    duty = Duty.KEEP_RECORDS
    audience = access.ENTERPRISES
    title = gettext_lazy("提交安装改造修理告知")
    success_message = gettext_lazy("告知已提交，设区的市级市场监管部门将予以确认。")

    def get_object(self):
        unit = notifying_unit(self.request.user)
        if unit is None:
            raise Http404
        return unit

    def save(self, form):
        d = form.cleaned_data
        return services.submit_notification(by=self.request.user, notifier=self.object, kind=d["kind"],
                                            site_uscc=d["site_uscc"], equipment_type=d["equipment_type"],
                                            site_address=d["site_address"], planned_start=d["planned_start"],
                                            description=d["description"])


class NotificationDetailView(ScopedDetailView):
    queryset = WorkNotification.objects.select_related(
        "notifier", "site_unit", "equipment_type", "equipment__equipment_type", "submitted_by", "acknowledged_by",
        "jurisdiction",
    )
    template_name = "units/notification_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        notification = self.object
        context["can_acknowledge"] = (notification.status == NotificationStatus.SUBMITTED
                                      and access.can(self.request.user, Duty.ACCEPT_NOTIFICATIONS, notification))
        return context


class NotificationAcknowledgeView(ConfirmActionView):
    queryset = WorkNotification.objects.all()
    duty = Duty.ACCEPT_NOTIFICATIONS
    form_class = ConfirmForm
    danger = False
    title = gettext_lazy("确认告知")
    question = gettext_lazy("确认已收到该安装改造修理告知？")
    button = gettext_lazy("确认")
    done_message = gettext_lazy("告知已确认。")

    def perform(self, form):
        services.acknowledge_notification(by=self.request.user, notification=self.object)
