"""Background jobs: one row per long piece of work a user asked for (an Excel import, the national
workbook), run by a Celery task while the page polls its progress (docs/architecture.md §Background work).

A job belongs to its creator: only they open it (``JobQuerySet.owned_by``), anyone else reads 404
(docs/security.md §Uploads, §Personal information). While the task runs, its transaction is invisible to other
connections, so the rows done go through the cache (``report_progress``) and the page reads them
back (``progress``). The pages are in ``portal.kit.views`` (upload, status fragment, job list, file).
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.kit.models import generated_name

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
OPEN = (QUEUED, RUNNING)
PROGRESS_TTL = 3600


class JobStatus(models.TextChoices):
    """The states every job goes through; a job's own ``Status`` names them in its words and may add more."""

    QUEUED = QUEUED, _("排队中")
    RUNNING = RUNNING, _("运行中")
    DONE = DONE, _("已完成")
    FAILED = FAILED, _("失败")


class StatusField(models.CharField):
    """A CharField whose choices are the model's ``Status``, so each job labels its states itself.

    Deconstructs as a plain CharField: to migrations it is one (their models carry the choices as given).
    """

    def contribute_to_class(self, cls, name, **kwargs):
        if hasattr(cls, "Status"):
            self.choices = cls.Status.choices
        super().contribute_to_class(cls, name, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs


def job_file_path(instance, filename):
    """A generated name under the job's ``file_dir``: the user's file name is kept on the row, never on disk."""
    return generated_name(instance.file_dir, instance.file_suffix)


class JobQuerySet(models.QuerySet):
    def owned_by(self, user):
        """The one lookup a job page starts from: a job is its creator's alone."""
        return self.filter(created_by=user)

    def open(self):
        return self.filter(status__in=OPEN)


class BackgroundJob(models.Model):
    """Status, progress (``done`` of ``total``), the job's file, its owner and when it ran.

    ``claim`` and ``finish`` are the task's two writes: a redelivered task finds the job no longer
    waiting and does nothing, so the tasks are idempotent.
    """

    Status = JobStatus

    status = StatusField(_("状态"), max_length=16, default=QUEUED)
    total = models.PositiveIntegerField(_("总行数"), default=0)
    done = models.PositiveIntegerField(_("已完成行数"), default=0)
    file = models.FileField(_("文件"), upload_to=job_file_path, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("创建人"))
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    file_dir = "jobs"
    file_suffix = ""

    class Meta:
        abstract = True

    @property
    def is_open(self) -> bool:
        """Queued or running: its page keeps polling."""
        return self.status in OPEN

    @property
    def progress_key(self) -> str:
        return f"job-progress:{self._meta.label_lower}:{self.pk}"

    @property
    def progress(self) -> int:
        """Rows done so far, read from the cache while the task's transaction is still open."""
        if self.status == RUNNING:
            return cache.get(self.progress_key, self.done)
        return self.done

    @property
    def percent(self) -> int:
        return int(self.progress * 100 / self.total) if self.total else 0

    def report_progress(self, done: int) -> None:
        cache.set(self.progress_key, done, PROGRESS_TTL)

    @classmethod
    def claim(cls, pk: int, waiting=(QUEUED,)):
        """The job, marked running, when it is still ``waiting``; ``None`` when another delivery took it."""
        with transaction.atomic():
            job = cls.objects.select_for_update().select_related("created_by").get(pk=pk)
            if job.status not in waiting:
                return None
            job.status = RUNNING
            cls.objects.filter(pk=pk).update(status=RUNNING)
        return job

    def finish(self, status: str, **fields) -> None:
        """Record the outcome, and when, in one UPDATE (inside the task's transaction when it saves)."""
        type(self).objects.filter(pk=self.pk).update(status=status, finished_at=timezone.now(), **fields)

    def forget_progress(self) -> None:
        """Once the outcome is committed (or the task died), the row's ``done`` is the truth."""
        cache.delete(self.progress_key)
