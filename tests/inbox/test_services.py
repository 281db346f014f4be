"""The inbox's services (docs/architecture.md §Inbox and reminders): reminders are rows with a due time,
delivered once however often delivery runs; notifications are told once per key and read by their
recipient alone."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.inbox import services
from portal.inbox.models import Notification, Reminder

NOW = timezone.now()


def remind(account, key="daily:unit42:2026-12-01", due_at=NOW, **fields):
    return services.schedule(account, "daily-check", key, due_at, fields.get("title", "今日日管控尚未填报"),
                             fields.get("body", "城关测试电梯有限公司今天的每日安全检查记录尚未填报。"),
                             fields.get("url", "/units/42/"))


def test_schedule_is_idempotent_on_recipient_kind_and_key(accounts):
    account, other = accounts
    first = remind(account)
    again = remind(account, title="another title", due_at=NOW + timedelta(hours=3))
    assert again.pk == first.pk and again.title == "今日日管控尚未填报" and again.due_at == NOW
    assert remind(other).pk != first.pk  # the key is per recipient
    assert services.schedule(account, "weekly-report", first.key, NOW, "周排查").pk != first.pk  # and per kind
    assert Reminder.objects.count() == 3


def test_a_link_must_stay_inside_the_portal(accounts):
    for url in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        with pytest.raises(ValueError):
            remind(accounts[0], key=url, url=url)
        with pytest.raises(ValueError):
            services.notify(accounts[0], "test", "标题", url=url)


def test_deliver_due_delivers_each_due_reminder_once(accounts, outbox):
    account, _ = accounts
    due = remind(account)
    later = remind(account, key="daily:unit42:2026-12-02", due_at=NOW + timedelta(days=1))

    assert services.deliver_due(now=NOW) == 1
    assert services.deliver_due(now=NOW) == 0
    assert services.deliver_due(now=NOW + timedelta(minutes=1)) == 0

    (notification,) = Notification.objects.filter(recipient=account)
    assert (notification.kind, notification.title, notification.url) == ("daily-check", due.title, due.url)
    assert notification.body == due.body and notification.read_at is None
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.delivered_at == NOW and due.emailed and later.delivered_at is None
    assert len(outbox) == 1

    assert services.deliver_due(now=NOW + timedelta(days=1)) == 1
    assert Notification.objects.filter(recipient=account).count() == 2


def test_deliver_due_works_in_batches(accounts, outbox):
    account, _ = accounts
    for n in range(7):
        remind(account, key=f"daily:unit{n}:2026-12-01")
    assert services.deliver_due(now=NOW, batch=3) == 7
    assert Notification.objects.count() == 7 and len(outbox) == 7
    assert not Reminder.objects.filter(delivered_at__isnull=True).exists()


def test_mail_goes_only_to_active_accounts_with_an_address(accounts, outbox):
    with_mail, without_mail = accounts
    remind(with_mail)
    remind(without_mail)
    inactive = type(with_mail).objects.create_user("inbox-inactive", email="left@example.com", password=None,
                                                   is_active=False)
    remind(inactive)

    assert services.deliver_due(now=NOW) == 3
    (message,) = outbox
    assert message.to == ["anquan@example.com"]
    assert message.subject == "今日日管控尚未填报" and "城关测试电梯有限公司" in message.body
    assert dict(Reminder.objects.values_list("recipient__username", "emailed")) == {
        "inbox-with-mail": True, "inbox-without-mail": False, "inbox-inactive": False}
    assert Notification.objects.count() == 3  # in-app always


def test_a_failed_mail_is_logged_and_the_notification_still_made(accounts, outbox, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise OSError("smtp down")

    monkeypatch.setattr(services, "send_mail", broken)
    reminder = remind(accounts[0])
    assert services.deliver_due(now=NOW) == 1
    reminder.refresh_from_db()
    assert reminder.delivered_at and not reminder.emailed
    assert Notification.objects.filter(recipient=accounts[0]).exists()
    assert "reminder mail failed" in caplog.text
    assert services.deliver_due(now=NOW) == 0  # not retried: a mail is a courtesy, never sent twice


def test_notify_with_a_key_tells_once(accounts):
    account, _ = accounts
    first = services.notify(account, "certificate-expiry", "证书到期", key="certificate7:90")
    assert services.notify(account, "certificate-expiry", "证书到期", key="certificate7:90").pk == first.pk
    services.notify(account, "note", "无键通知")
    services.notify(account, "note", "无键通知")
    assert Notification.objects.filter(recipient=account).count() == 3


def test_a_reminder_and_a_notification_of_the_same_occasion_are_one(accounts):
    account, _ = accounts
    services.notify(account, "daily-check", "今日日管控尚未填报", key="daily:unit42:2026-12-01")
    remind(account)
    assert services.deliver_due(now=NOW) == 1
    assert Notification.objects.filter(recipient=account).count() == 1


def test_unread_count_and_mark_read(accounts, django_assert_num_queries):
    account, other = accounts
    first = services.notify(account, "note", "一")
    services.notify(account, "note", "二")
    services.notify(other, "note", "三")
    with django_assert_num_queries(1):
        assert services.unread_count(account) == 2

    assert services.mark_read(account, first.pk).read_at is not None
    assert services.unread_count(account) == 1
    read_at = Notification.objects.get(pk=first.pk).read_at
    services.mark_read(account, first.pk)
    assert Notification.objects.get(pk=first.pk).read_at == read_at  # reading again keeps the first time

    assert services.mark_all_read(account) == 1
    assert services.unread_count(account) == 0 and services.unread_count(other) == 1


def test_a_user_cannot_mark_another_users_notification(accounts):
    account, other = accounts
    theirs = services.notify(other, "note", "别人的")
    with pytest.raises(Http404):
        services.mark_read(account, theirs.pk)
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_reminders_and_notifications_are_never_deleted(accounts):
    notification = services.notify(accounts[0], "note", "存档")
    reminder = remind(accounts[0])
    for queryset in (Notification.objects.filter(pk=notification.pk), Reminder.objects.filter(pk=reminder.pk)):
        with pytest.raises(DatabaseError), transaction.atomic():
            queryset.delete()
        assert queryset.exists()


def test_delivery_claims_only_undelivered_rows_and_skips_locked_ones(accounts):
    """The claim names the partial index's condition (``reminder_due_idx``) and skips rows another run holds."""
    remind(accounts[0])
    with CaptureQueriesContext(connection) as ctx:
        services.deliver_due(now=NOW)
    claim = next(q["sql"] for q in ctx.captured_queries if "FOR UPDATE" in q["sql"])
    assert "SKIP LOCKED" in claim and '"delivered_at" IS NULL' in claim
