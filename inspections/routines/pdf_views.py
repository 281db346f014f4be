"""The filed records as PDF downloads (``documents``): each record, and a unit's month as one archive, for whoever
sees the unit; out of scope is a 404 like a missing id. Each leaves as an audited, uncached ``ScopedFileView``
download in ``settings.DOCUMENT_LANGUAGE`` — the records are official ones, whatever the page's language.

A big unit's month is built by a worker (``archives``): the archive's URL then answers with a page that follows
the job and links the same URL again, which serves the built file once it is there."""

from __future__ import annotations

from datetime import date

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.routines import archives, documents, expected
from inspections.routines.models import ArchiveJob, DailyCheck, MonthlyMinutes, WeeklyReport
from portal.kit import jobs
from portal.kit.views import JobStatusView, ScopedFileView, record_download
from units.models import Unit


class DailyCheckPdfView(ScopedFileView):
    queryset = DailyCheck.objects.select_related("unit", "signer", "risk_version__risk_list")

    def get_filename(self, check) -> str:
        return _("每日安全检查记录-%(uscc)s-%(day)s.pdf") % {"uscc": check.unit.uscc,
                                                      "day": f"{check.day:%Y%m%d}-{check.period}"}

    def render(self, check) -> bytes:
        return documents.daily_check_pdf(check)


class WeeklyReportPdfView(ScopedFileView):
    queryset = WeeklyReport.objects.select_related("unit", "signer")

    def get_filename(self, report) -> str:
        return _("每周安全排查治理报告-%(uscc)s-%(week)s.pdf") % {"uscc": report.unit.uscc,
                                                          "week": f"{report.week_start:%Y%m%d}"}

    def render(self, report) -> bytes:
        return documents.weekly_report_pdf(report)


class MonthlyMinutesPdfView(ScopedFileView):
    queryset = MonthlyMinutes.objects.select_related("unit", "signer", "recorder")

    def get_filename(self, minutes) -> str:
        return _("每月安全调度会议纪要-%(uscc)s-%(month)s.pdf") % {"uscc": minutes.unit.uscc,
                                                          "month": f"{minutes.month:%Y%m}"}

    def render(self, minutes) -> bytes:
        return documents.monthly_minutes_pdf(minutes)


def archive_month(unit: Unit, text: str) -> date:
    """The month ``YYYY-MM`` names, when the unit was on the books by its end and it has begun; else a 404."""
    try:
        month = date.fromisoformat(f"{text}-01")
    except ValueError as exc:
        raise Http404 from exc
    if month > timezone.localdate() or expected.month_of(month)[1] < expected.on_books_from(unit):
        raise Http404
    return month


class UnitArchivePdfView(ScopedFileView):
    """A unit's month of 日管控、周排查、月调度 in one PDF (``documents.archive_pdf``): rendered here when the month is
    small, else the built file of the reader's current ``ArchiveJob``, or the page that waits for it."""

    queryset = Unit.objects.all()
    template_name = "routines/archive_job.html"

    def get_object(self):
        unit = super().get_object()
        self.month = archive_month(unit, self.kwargs["month"])
        return unit

    def get_filename(self, unit) -> str:
        return _("月度检查记录档案-%(uscc)s-%(month)s.pdf") % {"uscc": unit.uscc, "month": f"{self.month:%Y%m}"}

    def render(self, unit) -> bytes:
        return documents.archive_pdf(unit, self.month)

    def get(self, request, *args, **kwargs):
        unit = self.object
        if archives.renders_inline(unit, self.month):
            return super().get(request, *args, **kwargs)
        job = archives.request_archive(by=request.user, unit=unit, month=self.month)
        if job.status == jobs.DONE:
            try:
                handle = job.file.open("rb")
            except (FileNotFoundError, ValueError) as exc:
                raise Http404 from exc
            filename = self.get_filename(unit)
            record_download(request, unit, filename)
            response = FileResponse(handle, as_attachment=True, filename=filename, content_type=self.content_type)
        else:
            response = render(request, self.template_name, {"unit": unit, "month": self.month, "object": job})
        response["Cache-Control"] = "private, no-store"
        return response


class ArchiveJobStatusView(JobStatusView):
    """The state of the reader's own archive job, polled by its page while it is being built."""

    queryset = ArchiveJob.objects.select_related("unit")
    template_name = "routines/_archive_job.html"
