"""The inbox page (待办 and 通知), opening a notification, and marking all read.

A notification belongs to its recipient alone: every read goes through ``services.inbox_of(user)``, so
another user's id answers 404 exactly like a missing one (docs/access.md §404, not 403). No jurisdiction
scope applies: the rows are the account's own, whatever its role.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import TemplateView
from django_tables2 import RequestConfig

from portal.inbox import services, todos
from portal.inbox.tables import NotificationTable, TodoTable
from portal.kit.views import PER_PAGE


class InboxView(LoginRequiredMixin, TemplateView):
    template_name = "inbox/inbox.html"
    title = gettext_lazy("待办与通知")

    def get_context_data(self, **kwargs):
        user = self.request.user
        unread_only = self.request.GET.get("unread") == "1"
        notifications = services.inbox_of(user)
        if unread_only:
            notifications = notifications.filter(read_at__isnull=True)
        notification_table = NotificationTable(notifications)
        RequestConfig(self.request, paginate={"per_page": PER_PAGE}).configure(notification_table)
        items = todos.todos_for(user)
        return {**super().get_context_data(**kwargs), "title": self.title, "todos": items,
                "todo_table": TodoTable(items), "notification_table": notification_table,
                "unread_only": unread_only}


class NotificationOpenView(LoginRequiredMixin, View):
    """GET marks the notification read and goes where it points: opening is reading."""

    def get(self, request, pk):
        notification = services.mark_read(request.user, pk)
        url = notification.url
        if not (url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()})):
            url = reverse("inbox:inbox")
        return redirect(url)


class MarkAllReadView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        marked = services.mark_all_read(request.user)
        if marked:
            done = ngettext("已将 %(n)d 条通知标为已读。", "已将 %(n)d 条通知标为已读。", marked)
            messages.success(request, done % {"n": marked})
        return redirect("inbox:inbox")
