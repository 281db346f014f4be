"""The national-platform workbook as a background job (seed 002 附件 11; docs/architecture.md §Background work,
§Documents).

A regulator asks for it (audited, with the reason when the numbers are full); the outbox hands the
job to a worker, which builds the workbook under the asker's scope *at build time*, seals it with
``portal.kit.crypto`` and stores it. Only the asker downloads it, each download audited, until the
hourly purge removes it. Tasks take the job's key and are idempotent: a redelivered message finds
the job no longer queued and does nothing.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jurisdictions import access
from jurisdictions.audit import record
from jurisdictions.duties import Duty
from jurisdictions.models import AuditEvent, User
from personnel import documents
from personnel.models import ExportJob
from portal.kit import crypto, jobs, outbox

logger = logging.getLogger(__name__)

FILE_PURPOSE = "personnel.national_export"
TASK = "personnel.tasks.build_national_export"


def _event(full: bool) -> str:
    return AuditEvent.Kind.FULL_REVEAL if full else AuditEvent.Kind.EXPORT


def request_export(*, by: User, full: bool, reason: str = "") -> ExportJob:
    reason = (reason or "").strip()
    if not access.is_regulator(by) or not access.can(by, Duty.VIEW):
        raise ValidationError(_("您没有导出权限。"))
    if full:
        if not access.can(by, Duty.REVEAL_PERSONAL_INFO):
            raise ValidationError(_("您没有查看完整身份信息的权限。"))
        if len(reason) < 2:
            raise ValidationError({"reason": _("请填写查看原因。")})
    with transaction.atomic():
        User.objects.select_for_update().get(pk=by.pk)  # one request at a time per user
        if ExportJob.objects.owned_by(by).open().exists():
            raise ValidationError(_("您已有一个导出正在生成，请等待其完成后再申请。"))
        job = ExportJob(created_by=by, full=full, reason=reason[:200])
        job.place(by.jurisdiction)
        job.save()
        record(_event(full), user=by, obj=job, detail={"view": "national_export", "stage": "requested",
                                                       "full": full, "reason": reason[:200]})
        outbox.enqueue(TASK, job.pk, dedup_key=f"national-export:{job.pk}")
        return job


def build(job_pk: int) -> None:
    job = ExportJob.claim(job_pk)
    if job is None:
        return
    user = job.created_by
    try:
        if not user.is_active or (job.full and not access.can(user, Duty.REVEAL_PERSONAL_INFO)):
            raise PermissionError(_("申请人账号已停用或已无相应权限。"))
        content, rows = documents.national_workbook(user, full=job.full, progress=job.report_progress)
        job.file.save("export.xlsx.sealed", ContentFile(crypto.encrypt_bytes(content, FILE_PURPOSE)), save=False)
        job.finish(jobs.DONE, done=rows, file=job.file.name)
    except Exception as exc:
        logger.exception("national export %s failed", job.pk)
        message = str(exc) if isinstance(exc, PermissionError) else _("生成过程中出错，请重新申请。")
        job.finish(jobs.FAILED, error=message[:500])
    finally:
        job.forget_progress()


def open_export(*, by: User, job: ExportJob) -> bytes:
    """The workbook for its creator, each download audited like the request."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().owned_by(by).get(pk=job.pk)
        if job.status != ExportJob.Status.DONE or not job.file:
            raise ValidationError(_("该导出文件不可下载（%(s)s）。") % {"s": job.get_status_display()})
        if job.full and not access.can(by, Duty.REVEAL_PERSONAL_INFO):
            raise ValidationError(_("您已没有查看完整身份信息的权限。"))
        with job.file.open("rb") as handle:
            content = crypto.decrypt_bytes(handle.read(), FILE_PURPOSE)
        record(_event(job.full), user=by, obj=job, detail={"view": "national_export", "stage": "download",
                                                           "full": job.full, "rows": job.done})
        return content


def purge(now=None) -> int:
    """Delete generated files older than ``EXPORT_RETENTION_HOURS``; the job rows stay as the record."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.EXPORT_RETENTION_HOURS)
    purged = 0
    for job in ExportJob.objects.filter(status=ExportJob.Status.DONE, finished_at__lt=cutoff):
        job.file.delete(save=False)
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.EXPIRED, file="")
        purged += 1
    return purged
