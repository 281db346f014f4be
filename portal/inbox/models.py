"""The in-app inbox: notifications a user reads, and reminders waiting for their time (docs/architecture.md
§Inbox and reminders).

A reminder is a row with a due time, never a far-future Celery ETA message: Redis hands an unacknowledged
ETA message to another worker after the visibility timeout, so a reminder parked in the broker for days
would fire twice. Delivering one turns it into a notification (and a mail where the account has an
address). Both are kept as the record of who was told what and when: a trigger refuses DELETE.
"""

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One message in a user's inbox. ``dedupe_key`` makes telling the same thing twice a no-op."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications",
                                  verbose_name=_("接收人"))
    kind = models.SlugField(_("类别"), max_length=40)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    dedupe_key = models.CharField(_("去重键"), max_length=250, null=True, blank=True)
    created_at = models.DateTimeField(_("通知时间"), default=timezone.now)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [
            models.Index(fields=["recipient", "-id"], name="notification_inbox_idx"),
            # The top bar counts these on every page.
            models.Index(fields=["recipient"], name="notification_unread_idx",
                         condition=models.Q(read_at__isnull=True)),
        ]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedupe_key"], name="notification_once"),
        ]
        triggers = [pgtrigger.Protect(name="notification_never_deleted", operation=pgtrigger.Delete)]

    def __str__(self):
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Reminder(models.Model):
    """A notification to be delivered at ``due_at``. (recipient, kind, key) is the idempotency key: whoever
    schedules the same reminder again (a rerun, a second beat) gets the existing row."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reminders",
                                  verbose_name=_("接收人"))
    kind = models.SlugField(_("类别"), max_length=40)
    key = models.CharField(_("提醒键"), max_length=200)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    due_at = models.DateTimeField(_("提醒时间"))
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    emailed = models.BooleanField(_("已发邮件"), default=False)

    class Meta:
        verbose_name = _("提醒")
        verbose_name_plural = _("提醒")
        indexes = [
            # What the minutely delivery reads: only the rows still waiting, by due time.
            models.Index(fields=["due_at"], name="reminder_due_idx", condition=models.Q(delivered_at__isnull=True)),
        ]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "kind", "key"], name="reminder_once_per_key"),
        ]
        triggers = [pgtrigger.Protect(name="reminder_never_deleted", operation=pgtrigger.Delete)]

    def __str__(self):
        return f"{self.kind}:{self.key}"
