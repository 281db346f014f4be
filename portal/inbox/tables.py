import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.inbox.models import Notification
from portal.kit.tables import SECONDARY, Table

BODY_PREVIEW = 60


class TodoTable(Table):
    """The 待办 rows (``portal.inbox.todos.Todo``, not models): what to do, linked to where it is done."""

    title = tables.Column(verbose_name=_("待办事项"), orderable=False)
    due = tables.DateColumn(verbose_name=_("期限"), orderable=False)

    class Meta:
        attrs = {"class": "table table-sm align-middle", "data-testid": "todo-table"}

    def render_title(self, value, record):
        link = format_html('<a href="{}">{}</a>', record.url, value)
        if record.overdue:
            return format_html('{} <span class="badge text-bg-danger">{}</span>', link, gettext("已逾期"))
        return link


class NotificationTable(Table):
    title = tables.Column(verbose_name=_("内容"), orderable=False)
    created_at = tables.DateTimeColumn(verbose_name=_("通知时间"), orderable=False, attrs=SECONDARY)

    class Meta:
        model = Notification
        fields = ("title", "created_at")
        attrs = {"class": "table table-sm align-middle", "data-testid": "notification-table"}

    def render_title(self, value, record):
        """Opening the link marks the notification read (``inbox:notification_open``); an unread one is bold."""
        link = format_html('<a class="{}" href="{}">{}</a>', "" if record.read_at else "fw-bold",
                           reverse("inbox:notification_open", args=[record.pk]), value)
        if record.read_at is None:
            link = format_html('{} <span class="badge text-bg-primary">{}</span>', link, gettext("未读"))
        body = record.body if len(record.body) <= BODY_PREVIEW else record.body[:BODY_PREVIEW] + "…"
        return format_html('{}<div class="small text-muted text-break">{}</div>', link, body) if body else link
