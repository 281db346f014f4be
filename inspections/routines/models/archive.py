"""A unit's monthly archive PDF built by a worker (``inspections.routines.archives``; docs/architecture.md
§Background work): a big unit's month is dozens of pages, longer to lay out than a request should wait."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jurisdictions.models import Placed
from portal.kit import jobs
from portal.kit.jobs import BackgroundJob
from units.models import Unit


class ArchiveJob(Placed, BackgroundJob):
    """One build of ``unit``'s month for the account that asked (a job is its creator's alone, like every job).

    ``chain_length`` is the length of the unit's seal chain when it was asked for: a record or amendment filed
    since makes the file out of date, and the next request builds a new one. The file is removed after
    ``ROUTINES_ARCHIVE_RETENTION_HOURS``; the row stays."""

    class Status(models.TextChoices):
        QUEUED = jobs.QUEUED, _("排队中")
        RUNNING = jobs.RUNNING, _("生成中")
        DONE = jobs.DONE, _("已生成")
        FAILED = jobs.FAILED, _("生成失败")
        EXPIRED = "expired", _("已过期删除")

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("单位"))
    month = models.DateField(_("月份"))
    chain_length = models.PositiveIntegerField(_("记录条数"), default=0)
    error = models.CharField(_("错误"), max_length=500, blank=True)

    unit_path = "unit"
    file_dir = "archives"
    file_suffix = ".pdf"

    class Meta:
        verbose_name = _("月度记录档案")
        verbose_name_plural = _("月度记录档案")
        indexes = [models.Index(fields=["created_by", "unit", "month", "-id"], name="archivejob_lookup_idx")]

    def __str__(self):
        return _("%(unit)s %(month)s 月度记录档案") % {"unit": self.unit, "month": self.month.strftime("%Y-%m")}

    def get_absolute_url(self):
        """The archive's own URL: it serves this job's file while the job is current."""
        return reverse("routines:unit_archive_pdf", args=[self.unit_id, f"{self.month:%Y-%m}"])
