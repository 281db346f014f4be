"""Every write of the inbox (docs/architecture.md §Inbox and reminders).

Apps tell a user something now with ``notify`` or at a time with ``schedule``; the beat task
``portal.inbox.tasks.deliver_reminders`` calls ``deliver_due`` every minute. Both are idempotent on their
key, so a rerun, a redelivered task or a second beat process tells nobody twice. Reading a notification is
not a security event and writes none.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from jurisdictions.models import User
from portal.inbox.models import Notification, Reminder

logger = logging.getLogger(__name__)

TITLE_MAX = 200


def _path(url: str) -> str:
    """Links stay inside the portal: a path, never another host (an open redirect from the inbox)."""
    url = url or ""
    if url and not (url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None)):
        raise ValueError(f"an inbox link must be a path inside the portal, not {url!r}")
    return url


def _dedupe_key(kind: str, key: str | None) -> str | None:
    return f"{kind}:{key}" if key else None


def schedule(recipient: User, kind: str, key: str, due_at: datetime, title: str, body: str = "",
             url: str = "") -> Reminder:
    """A reminder for ``recipient`` at ``due_at``, or the one already scheduled under (recipient, kind, key).

    ``key`` names the occasion, e.g. ``daily:unit42:2026-12-01``; scheduling it again changes nothing, so a
    caller may schedule from every run of its own beat task. Delivered by ``deliver_due`` once ``due_at``
    has passed, as a notification under the same (kind, key).
    """
    reminder, _created = Reminder.objects.get_or_create(
        recipient=recipient, kind=kind, key=key,
        defaults={"due_at": due_at, "title": title[:TITLE_MAX], "body": body, "url": _path(url)})
    return reminder


def notify(recipient: User, kind: str, title: str, body: str = "", url: str = "",
           key: str | None = None) -> Notification:
    """An in-app notification now. With a ``key``, the same (kind, key) told twice is one notification."""
    fields = {"kind": kind, "title": title[:TITLE_MAX], "body": body, "url": _path(url)}
    dedupe_key = _dedupe_key(kind, key)
    if dedupe_key is None:
        return Notification.objects.create(recipient=recipient, **fields)
    notification, _created = Notification.objects.get_or_create(recipient=recipient, dedupe_key=dedupe_key,
                                                                defaults=fields)
    return notification


def deliver_due(now: datetime | None = None, batch: int = 500) -> int:
    """Deliver every reminder due by ``now``: a notification each, and a mail to an active account with an
    address. Returns how many were delivered.

    Each batch is claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` and marked delivered in the same
    transaction, so two runs at once (two beat processes, a redelivered task) share the rows instead of
    both taking them. Mail is sent after that transaction commits: a crash in between loses a mail, never
    sends one twice, and the in-app notification — the record — is already there. A mail that fails is
    logged and the reminder keeps ``emailed`` false. Call it outside a transaction.
    """
    now = now or timezone.now()
    delivered = 0
    while True:
        with transaction.atomic():
            due = list(Reminder.objects.select_for_update(skip_locked=True, of=("self",))
                       .filter(delivered_at__isnull=True, due_at__lte=now)
                       .select_related("recipient").order_by("due_at", "pk")[:batch])
            if not due:
                break
            Notification.objects.bulk_create([
                Notification(recipient=r.recipient, kind=r.kind, title=r.title, body=r.body, url=r.url,
                             dedupe_key=_dedupe_key(r.kind, r.key), created_at=now)
                for r in due], ignore_conflicts=True)
            Reminder.objects.filter(pk__in=[r.pk for r in due]).update(delivered_at=now)
        _mail(due)
        delivered += len(due)
        if len(due) < batch:
            break
    return delivered


def _mail(reminders: list[Reminder]) -> None:
    sent = []
    for reminder in reminders:
        account = reminder.recipient
        if not (account.is_active and account.email):
            continue
        try:
            send_mail(reminder.title, reminder.body, None, [account.email])
        except Exception:  # mail is a courtesy; the notification in the inbox is the record
            logger.warning("reminder mail failed for reminder %s", reminder.pk)
            continue
        sent.append(reminder.pk)
    if sent:
        Reminder.objects.filter(pk__in=sent).update(emailed=True)


# --- Reading -----------------------------------------------------------------------------------------

def inbox_of(user: User) -> QuerySet[Notification]:
    """The user's notifications, newest first (``notification_inbox_idx``)."""
    return Notification.objects.filter(recipient=user).order_by("-id")


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(user: User, pk: int) -> Notification:
    """The user's notification ``pk``, marked read; anyone else's answers 404 like a missing one."""
    try:
        notification = inbox_of(user).get(pk=pk)
    except Notification.DoesNotExist as exc:
        raise Http404 from exc
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def mark_all_read(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
