"""A unit's monthly archive PDF (``documents.archive_pdf``): rendered at once when the month is small, else built by
a worker into a stored file (docs/architecture.md §Background work).

Measured (CPU time of one process, WeasyPrint 70): a month of a unit with 49 daily items checked morning and
afternoon, a hazard in one check in seven with two phone photos each, is 37 pages and ~4 s to lay out plus ~2.5 s
to thumbnail its 44 photos — too long for a request. A unit with 8 items checked once a day and two hazards is
11 pages (the weekly reports and the minutes are most of them) and ~1.3 s, and waits for no worker. ``size``
counts the daily part's table rows in the database (46 and 452 in these two; each row costs ~9 ms): up to
``ROUTINES_ARCHIVE_INLINE_ROWS`` the page renders the archive itself, beyond it asks for an ``ArchiveJob``.

A job serves its file while the unit's seal chain is as long as when it was asked for: any record or amendment
filed since makes a new one. (What the chain does not cover — a hazard's state, a decision done — is as of the
build time printed on the cover.) Tasks take the job's key and are idempotent: a redelivered message finds the
job no longer queued and does nothing.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Func, IntegerField, Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from inspections.routines import documents, expected
from inspections.routines.models import ArchiveJob, DailyCheck, UnitChain
from jurisdictions import access
from jurisdictions.duties import Duty
from jurisdictions.models import User
from portal.kit import jobs, outbox
from units.models import Unit

logger = logging.getLogger(__name__)
TASK = "inspections.routines.tasks.build_archive"


def size(unit: Unit, month: date) -> int:
    """How many rows the archive's daily part holds — one per check, and every item of each check with
    exceptions — in one query. The weekly reports and the minutes add about a page each whatever the unit."""
    start, end = expected.month_of(month)
    items = Func("positions", function="cardinality", output_field=IntegerField())
    found = DailyCheck.objects.filter(unit=unit, day__range=(start, end)).aggregate(
        checks=Count("id"), detailed=Sum(items, filter=~Q(exceptions={})))
    return (found["checks"] or 0) + (found["detailed"] or 0)


def renders_inline(unit: Unit, month: date) -> bool:
    return size(unit, month) <= settings.ROUTINES_ARCHIVE_INLINE_ROWS


def chain_length(unit: Unit) -> int:
    return UnitChain.objects.filter(unit=unit).values_list("length", flat=True).first() or 0


def request_archive(*, by: User, unit: Unit, month: date) -> ArchiveJob:
    """The ``by``'s archive of ``unit``'s month: the one being built, the built one still current, or a new job."""
    with transaction.atomic():
        unit = access.get_or_404(Unit.objects.all(), by, Duty.VIEW, pk=unit.pk)
        User.objects.select_for_update().get(pk=by.pk)  # one request at a time per account
        length = chain_length(unit)
        latest = (ArchiveJob.objects.owned_by(by).filter(unit=unit, month=month).order_by("-id").first())
        if latest is not None and (latest.is_open or (latest.status == jobs.DONE and latest.chain_length == length)):
            return latest
        job = ArchiveJob(created_by=by, unit=unit, month=month, chain_length=length)
        job.place_with(unit)
        job.save()
        outbox.enqueue(TASK, job.pk, dedup_key=f"routines-archive:{job.pk}")
        return job


def build(job_pk: int) -> None:
    job = ArchiveJob.claim(job_pk)
    if job is None:
        return
    try:
        user = job.created_by
        if not user.is_active or not access.can(user, Duty.VIEW, job.unit):
            raise PermissionError(_("申请人账号已停用或已无权查看该单位。"))
        with translation.override(settings.DOCUMENT_LANGUAGE):
            content = documents.archive_pdf(job.unit, job.month)
        job.file.save("archive.pdf", ContentFile(content), save=False)
        job.finish(jobs.DONE, done=1, total=1, file=job.file.name)
    except Exception as exc:
        logger.exception("archive %s failed", job.pk)
        message = str(exc) if isinstance(exc, PermissionError) else _("生成过程中出错，请重新生成。")
        job.finish(jobs.FAILED, error=message[:500])
    finally:
        job.forget_progress()


def purge(now=None) -> int:
    """Delete archive files older than ``ROUTINES_ARCHIVE_RETENTION_HOURS``; the job rows stay."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.ROUTINES_ARCHIVE_RETENTION_HOURS)
    purged = 0
    for job in ArchiveJob.objects.filter(status=jobs.DONE, finished_at__lt=cutoff):
        job.file.delete(save=False)
        ArchiveJob.objects.filter(pk=job.pk).update(status=ArchiveJob.Status.EXPIRED, file="")
        purged += 1
    return purged
