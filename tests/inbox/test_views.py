"""The inbox page, the bell in the top bar and opening a notification (docs/architecture.md §Inbox and
reminders). The access matrix (tests/test_access_matrix.py) covers every role; these cover what each sees."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inspections.findings import services as findings
from portal.inbox import context_processors, services, todos
from portal.inbox.models import Notification
from portal.inbox.todos import Todo
from tests import factories
from tests.factories import logged_in
from units.choices import UnitStatus
from units.models import Unit

INBOX = reverse("inbox:inbox")


@pytest.fixture
def provider():
    """A provider an app would register in its ``ready``: one to-do for the enterprise account only."""
    def waiting(user):
        if user.username != "enterprise":
            return []
        return [Todo(title="今日日管控待填报", url="/routines/", kind="daily-check", due=timezone.localdate())]

    todos.register(waiting)
    yield waiting
    todos.unregister(waiting)


def test_a_providers_todos_appear_on_the_inbox(world, provider):
    page = logged_in(world["users"]["enterprise"]).get(INBOX).content.decode()
    assert "今日日管控待填报" in page and 'href="/routines/"' in page
    assert "今日日管控待填报" not in logged_in(world["users"]["county"]).get(INBOX).content.decode()


def test_registering_twice_lists_once(provider):
    todos.register(provider)
    assert todos.providers().count(provider) == 1


def test_the_apps_providers_list_the_work_waiting(world):
    """An open finding is the enterprise's to rectify; a sign-up waits for the station and the regulators above."""
    enterprise = world["users"]["enterprise"]
    findings.raise_finding(by=enterprise, unit=world["unit"], description="轿厢应急照明不亮",
                           due_on=timezone.localdate() + timedelta(days=3))
    page = logged_in(enterprise).get(INBOX).content.decode()
    assert "1 项隐患待整改" in page and f'href="{reverse("findings:finding_list")}?status=open"' in page
    assert "1 项隐患待整改" not in logged_in(world["users"]["other_enterprise"]).get(INBOX).content.decode()

    signed_up = factories.unit("620102001", name="自助注册待确认单位")
    Unit.objects.filter(pk=signed_up.pk).update(status=UnitStatus.PENDING)
    assert "1 家自助注册单位待确认" in logged_in(world["users"]["station"]).get(INBOX).content.decode()
    assert "自助注册单位待确认" not in logged_in(world["users"]["other_county"]).get(INBOX).content.decode()


def test_overdue_todos_come_first_and_are_marked(world, provider):
    def late(user):
        return [Todo(title="逾期的待办", url="/", kind="test", due=timezone.localdate() - timedelta(days=2))]

    todos.register(late)
    try:
        listed = todos.todos_for(world["users"]["enterprise"])
        assert [t.title for t in listed] == ["逾期的待办", "今日日管控待填报"]
        page = logged_in(world["users"]["enterprise"]).get(INBOX).content.decode()
        assert page.index("逾期的待办") < page.index("今日日管控待填报") and "已逾期" in page
    finally:
        todos.unregister(late)


def test_notifications_are_listed_newest_first_and_paginated(world):
    user = world["users"]["county"]
    for n in range(55):
        services.notify(user, "note", f"第{n:02d}条通知")
    response = logged_in(user).get(INBOX)
    table = response.context["notification_table"]
    assert table.paginator.count == 55 and len(table.page.object_list) == 50
    page = response.content.decode()
    assert "第54条通知" in page and "第04条通知" not in page
    assert "第04条通知" in logged_in(user).get(INBOX, {"page": 2}).content.decode()


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(world):
    user = world["users"]["enterprise"]
    notification = services.notify(user, "note", "去看看本单位", url=world["unit"].get_absolute_url())
    client = logged_in(user)
    assert 'data-testid="inbox-unread"' in client.get(INBOX).content.decode()

    response = client.get(reverse("inbox:notification_open", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == world["unit"].get_absolute_url()
    assert Notification.objects.get(pk=notification.pk).read_at is not None
    assert 'data-testid="inbox-unread"' not in client.get(INBOX).content.decode()


def test_a_notification_without_a_link_opens_the_inbox(world):
    notification = services.notify(world["users"]["county"], "note", "无链接")
    response = logged_in(world["users"]["county"]).get(reverse("inbox:notification_open", args=[notification.pk]))
    assert response["Location"] == INBOX


def test_a_user_cannot_open_anothers_notification(world):
    theirs = services.notify(world["users"]["enterprise"], "note", "别人的通知", url="/")
    response = logged_in(world["users"]["other_enterprise"]).get(reverse("inbox:notification_open",
                                                                         args=[theirs.pk]))
    assert response.status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert "别人的通知" not in logged_in(world["users"]["other_enterprise"]).get(INBOX).content.decode()


def test_mark_all_read_is_a_post_for_the_users_own_notifications(world):
    user, other = world["users"]["county"], world["users"]["station"]
    services.notify(user, "note", "一")
    services.notify(user, "note", "二")
    services.notify(other, "note", "三")
    client = logged_in(user)
    assert 'data-testid="mark-all-read"' in client.get(INBOX).content.decode()
    assert client.get(reverse("inbox:mark_all_read")).status_code == 405
    response = client.post(reverse("inbox:mark_all_read"), follow=True)
    assert response.redirect_chain == [(INBOX, 302)]
    assert "已将 2 条通知标为已读。" in response.content.decode()
    assert services.unread_count(user) == 0 and services.unread_count(other) == 1
    anonymous = Client().post(reverse("inbox:mark_all_read"))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))
    assert services.unread_count(other) == 1


def test_the_bell_counts_unread_in_one_query(world):
    user = world["users"]["county"]
    for n in range(3):
        services.notify(user, "note", f"通知{n}")
    request = RequestFactory().get("/")
    request.user = user
    count = context_processors.unread(request)["inbox_unread"]
    with CaptureQueriesContext(connection) as ctx:
        assert count() == 3 and count() == 3
    assert len(ctx.captured_queries) == 1

    page = logged_in(user).get(reverse("dashboard:home")).content.decode()
    assert 'data-testid="inbox-bell"' in page and 'data-testid="inbox-unread">3<' in page


def test_the_bell_costs_an_anonymous_visitor_nothing(db, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert context_processors.unread(request) == {}


def test_the_inbox_page_costs_the_same_queries_for_few_and_many_rows(world):
    user = world["users"]["enterprise"]
    findings.raise_finding(by=user, unit=world["unit"], description="一项隐患", due_on=timezone.localdate())
    services.notify(user, "note", "一条")
    client = logged_in(user)
    client.get(INBOX)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(INBOX).status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    for n in range(20):
        services.notify(user, "note", f"更多{n}")
        findings.raise_finding(by=user, unit=world["unit"], description=f"更多隐患{n}", due_on=timezone.localdate())
    assert queries() == few
