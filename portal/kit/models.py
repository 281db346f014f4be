from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """A task that must not be lost, written in the same transaction as the business data it follows.

    A relay (beat task ``relay_outbox``) hands pending rows to Celery with ``SKIP LOCKED``, so a
    broker outage delays work instead of losing it, and a request never waits on the broker
    (docs/security.md §Reliability). ``dedup_key`` makes enqueueing the same side effect twice a no-op.
    """

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    dedup_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("待投递任务")
        verbose_name_plural = _("待投递任务")
        indexes = [
            models.Index(fields=["created_at"], name="outbox_pending_idx", condition=models.Q(sent_at__isnull=True)),
        ]

    def __str__(self):
        return f"{self.task}{self.args}"


class DocumentCounter(models.Model):
    """Gap-free serials per prefix and year (document and certificate numbers, docs/security.md §Reliability).

    ``portal.kit.numbering.next_serial`` locks the row inside the caller's transaction, so a rolled
    back approval gives its number back and two concurrent approvals never share one.
    """

    prefix = models.CharField(max_length=64)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("文书编号计数")
        verbose_name_plural = _("文书编号计数")
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="document_counter_unique")]

    def __str__(self):
        return f"{self.prefix}〔{self.year}〕{self.last}"
