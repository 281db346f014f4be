import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def generated_name(folder: str, suffix: str) -> str:
    """Where a stored file goes: ``<folder>/<year>/<month>/<uuid><suffix>``. Every ``upload_to`` of the portal
    names its file so: the user's file name stays on the row, never on disk (docs/security.md §Uploads)."""
    return f"{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


def upload_path(instance, filename):
    """A generated name under the model's ``upload_folder``, with the upload's extension."""
    return generated_name(instance.upload_folder, Path(filename).suffix.lower())


class StoredUpload(models.Model):
    """A photo or PDF a user handed in with a step of some workflow (a rectification's evidence, a directive's
    report, a 三书一函's scan): checked and re-encoded on the way in (``findings.services.check_uploads``), kept
    under a generated name in ``upload_folder`` and served only through a scoped, audited download
    (docs/security.md §Uploads). Each concrete model adds the object and step it belongs to and its append-only
    trigger."""

    upload_folder = "uploads"

    file = models.FileField(_("文件"), upload_to=upload_path)
    original_name = models.CharField(_("原文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        abstract = True

    def __str__(self):
        return self.original_name

    @property
    def is_pdf(self) -> bool:
        return Path(self.file.name).suffix.lower() == ".pdf"


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
