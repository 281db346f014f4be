"""The filed records as PDFs and a unit's month as one archive PDF (issue 11 item 10; inspections/routines/
documents.py): each reads back with pypdf — unit, date, items, the signer as 签字, 补录 when late, every amendment
with its reason and both the original and the corrected text, the seal — and every CJK string we look for comes
back, so no glyph was dropped (WeasyPrint leaves out a character its fonts lack, and pypdf would read U+FFFD)."""

import io
import re
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from inspections.routines import archives, documents, expected, filing
from inspections.routines.choices import ItemResult
from inspections.routines.models import ArchiveJob
from jurisdictions.models import AuditEvent
from portal.kit import jobs
from portal.kit.models import OutboxMessage
from tests import factories
from tests.factories import logged_in
from units.models import Unit


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def today():
    return timezone.localdate()


def pdf_text(content: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "\ufffd" not in text
    return re.sub(r"\s+", "", text), len(reader.pages)


def pdf_images(content: bytes) -> int:
    """Distinct images: WeasyPrint shares one resource dictionary across pages, so each page lists them all."""
    return len({image.data for page in PdfReader(io.BytesIO(content)).pages for image in page.images})


def png(name="现场.png"):
    return SimpleUploadedFile(name, factories.png_bytes(320, 240), content_type="image/png")


@pytest.fixture
def records(staffed):
    """A zero-risk check today; a check two days ago (补录) with an 异常 item and its photo and a 无此项 item; the
    report of that day's week, corrected once; the minutes of that day's month with a decision, its place
    corrected — so that day's month holds one of each."""
    unit, people = staffed["unit"], staffed["people"]
    items = filing.items_for(unit, today()).items
    zero = filing.file_daily_check(by=staffed["officer"], unit=unit)
    bad, absent = items[0], items[1]
    day = today() - timedelta(days=2)
    hazard = filing.file_daily_check(
        by=staffed["officer"], unit=unit, day=day, note="二号梯已停梯待修",
        results={bad.position: {"r": ItemResult.ABNORMAL, "note": "层门门锁啮合不足7毫米",
                                "responsible": people["director"]},
                 absent.position: {"r": ItemResult.NOT_APPLICABLE}},
        photos={bad.position: [png()]})
    report = filing.file_weekly_report(by=staffed["director"], unit=unit, week_start=expected.week_of(day)[0],
                                       assessment="运行平稳", next_focus="电梯门锁", findings_summary="按清单排查")
    filing.amend(by=staffed["director"], record=report, changes={"assessment": "运行平稳，二号梯门锁需关注"},
                 reason="漏写门锁情况")
    minutes = filing.file_monthly_minutes(
        by=staffed["principal"], unit=unit, month=day.replace(day=1),
        held_at=timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(hours=9),
        location="二楼会议室", recorder=people["officer"], attendees=[people["director"], people["officer"]],
        decisions=[{"content": "更换二号梯层门门锁", "owner": people["director"], "due_on": day + timedelta(days=10)}],
        problems="门锁磨损", measures="更换门锁")
    filing.amend(by=staffed["principal"], record=minutes, changes={"location": "三楼会议室"}, reason="地点写错")
    return {**staffed, "zero": zero, "hazard": hazard, "bad": bad, "absent": absent, "report": report,
            "minutes": minutes, "items": items, "day": day}


def test_a_zero_risk_check_reads_back_with_unit_date_items_and_signer(records):
    check, unit = records["zero"], records["unit"]
    text, pages = pdf_text(documents.daily_check_pdf(check))
    assert "每日特种设备安全检查记录" in text and unit.name in text and unit.uscc in text
    assert f"{today().year}年{today().month}月{today().day}日" in text
    for heading in ("序号", "检查项目", "检查内容和标准", "结果", "问题及处理", "总体结论", "零风险报告", "安全员签字"):
        assert heading in text
    for item in records["items"]:
        assert re.sub(r"\s+", "", item.risk_item) in text
    assert text.count("正常") >= len(records["items"])
    assert records["people"]["officer"].name in text and "提交时间" in text
    assert check.seal in text and "核验记录" in text
    assert "补录" not in text and pages <= 2


def test_a_check_with_an_abnormal_item_shows_it_its_hazard_and_its_photo_and_is_marked_late(records):
    check = records["hazard"]
    pdf = documents.daily_check_pdf(check)
    text, _pages = pdf_text(pdf)
    day = today() - timedelta(days=2)
    assert f"{day.year}年{day.month}月{day.day}日" in text
    assert "补录" in text and "有隐患" in text and "无此项" in text and "异常" in text
    assert "层门门锁啮合不足7毫米" in text and "二号梯已停梯待修" in text
    (finding,) = filing.findings_of(check)
    assert f"已登记隐患#{finding.pk}" in text and "待整改" in text
    assert "共检查" in text and "异常1项" in text and "无此项1项" in text
    assert pdf_images(pdf) == 1


def test_a_weekly_report_shows_the_corrected_text_and_the_original_with_the_reason(records):
    report, director = records["report"], records["people"]["director"]
    text, pages = pdf_text(documents.weekly_report_pdf(report))
    assert "每周特种设备安全排查治理报告" in text and records["unit"].name in text
    start, end = expected.week_of(report.week_start)
    assert f"{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月{end.day}日" in text
    assert "安全总监签字" in text and director.name in text
    assert "更正记录" in text and "漏写门锁情况" in text
    assert "运行平稳，二号梯门锁需关注" in text  # as it reads now
    assert text.count("运行平稳") >= 2  # and the original beside it
    assert "总监评估意见" in text and "电梯门锁" in text and "按清单排查" in text
    assert "应检" in text and "其中补录" in text and str(report.figures["daily_due"]) in text
    assert ("补录" in text.replace("其中补录", "")) == report.late and pages == 1


def test_minutes_show_the_meeting_the_decision_and_the_corrected_place(records):
    minutes, people = records["minutes"], records["people"]
    text, pages = pdf_text(documents.monthly_minutes_pdf(minutes))
    assert "每月特种设备安全调度会议纪要" in text and records["unit"].name in text
    assert f"{records['day'].year}年{records['day'].month}月" in text
    assert "三楼会议室" in text and "二楼会议室" in text and "地点写错" in text
    assert "主要负责人签字" in text and people["principal"].name in text
    assert people["officer"].name in text and people["director"].name in text
    assert "决议事项" in text and "更换二号梯层门门锁" in text and "未完成" in text
    assert "门锁磨损" in text and "更换门锁" in text and pages <= 2


def test_the_monthly_archive_holds_the_cover_every_day_the_detailed_checks_and_the_records(records):
    unit, check = records["unit"], records["hazard"]
    month = records["day"].replace(day=1)
    pdf = documents.archive_pdf(unit, month)
    text, pages = pdf_text(pdf)
    assert "特种设备安全日管控、周排查、月调度记录" in text and unit.name in text and unit.uscc in text
    assert f"{month.year}年{month.month}月" in text and "本月统计" in text and "生成时间" in text
    assert "一、每日安全检查记录" in text and "二、每周安全排查治理报告" in text and "三、每月安全调度会议纪要" in text
    assert f"#{check.chain_seq}{check.seal[:documents.SEAL_SHORT]}" in text and "有隐患" in text
    assert "层门门锁啮合不足7毫米" in text and "逐项" in text and "二号梯已停梯待修" in text
    assert "未填报" in text  # the days of the month before the check that nobody filed
    assert "每周特种设备安全排查治理报告" in text and "漏写门锁情况" in text and "运行平稳，二号梯门锁需关注" in text
    assert "每月特种设备安全调度会议纪要" in text and "更换二号梯层门门锁" in text and "地点写错" in text
    assert records["people"]["officer"].name in text and records["people"]["principal"].name in text
    assert pdf_images(pdf) == 1 and pages >= 4


def test_an_archive_without_reports_or_minutes_says_so(staffed):
    unit = staffed["unit"]
    day = today() - timedelta(days=3)
    filing.file_daily_check(by=staffed["officer"], unit=unit, day=day)
    text, _pages = pdf_text(documents.archive_pdf(unit, day.replace(day=1)))
    assert "本月没有提交的每周安全排查治理报告" in text and "本月没有提交的每月安全调度会议纪要" in text
    assert "零风险报告" in text and "补录" in text


# --- The pages -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "key"), [("routines:daily_check_pdf", "hazard"),
                                           ("routines:weekly_report_pdf", "report"),
                                           ("routines:monthly_minutes_pdf", "minutes")])
def test_each_record_downloads_as_an_audited_pdf_in_chinese(records, name, key):
    county = records["users"]["county"]
    client = logged_in(county)
    client.cookies["django_language"] = "en"
    response = client.get(reverse(name, args=[records[key].pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert unquote(response["Content-Disposition"]).endswith(".pdf")
    text, _pages = pdf_text(response.content)
    assert records["unit"].name in text and "签字" in text
    assert AuditEvent.objects.filter(kind="download", user=county).exists()


def test_the_archive_downloads_for_a_month_and_refuses_a_month_that_is_no_month(records):
    client = logged_in(records["users"]["station"])
    month = records["day"].strftime("%Y-%m")
    response = client.get(reverse("routines:unit_archive_pdf", args=[records["unit"].pk, month]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert records["unit"].name in pdf_text(response.content)[0]
    later = (today().replace(day=28) + timedelta(days=5)).strftime("%Y-%m")
    for wrong in ("2026-13", "1999-01", "last", later):
        assert client.get(reverse("routines:unit_archive_pdf", args=[records["unit"].pk, wrong])).status_code == 404


def test_the_record_and_unit_pages_link_their_pdfs(records):
    Unit.objects.filter(pk=records["unit"].pk).update(reviewed_by=records["users"]["station"])
    client = logged_in(records["users"]["enterprise"])
    for key, name in (("hazard", "daily_check_pdf"), ("report", "weekly_report_pdf"),
                      ("minutes", "monthly_minutes_pdf")):
        page = client.get(records[key].get_absolute_url()).content.decode()
        assert reverse(f"routines:{name}", args=[records[key].pk]) in page
    unit_page = client.get(records["unit"].get_absolute_url()).content.decode()
    assert reverse("routines:unit_archive_pdf", args=[records["unit"].pk, today().strftime("%Y-%m")]) in unit_page


# --- A big month is built by a worker ---------------------------------------------------------------

def test_a_big_month_is_built_by_a_worker_and_then_served_until_a_new_record_is_filed(records, settings):
    settings.ROUTINES_ARCHIVE_INLINE_ROWS = 0
    unit, station = records["unit"], records["users"]["station"]
    client = logged_in(station)
    url = reverse("routines:unit_archive_pdf", args=[unit.pk, records["day"].strftime("%Y-%m")])

    waiting = client.get(url)
    assert waiting.status_code == 200 and waiting["Content-Type"].startswith("text/html")
    job = ArchiveJob.objects.get()
    assert job.created_by == station and job.status == jobs.QUEUED and job.chain_length == archives.chain_length(unit)
    assert OutboxMessage.objects.filter(task=archives.TASK, args=[job.pk]).count() == 1
    assert reverse("routines:archive_job", args=[job.pk]) in waiting.content.decode()
    assert client.get(url).status_code == 200 and ArchiveJob.objects.count() == 1  # asking again waits for it

    archives.build(job.pk)
    archives.build(job.pk)  # a redelivered message finds it built
    job.refresh_from_db()
    assert job.status == jobs.DONE and job.file
    status = client.get(reverse("routines:archive_job", args=[job.pk])).content.decode()
    assert "hx-trigger" not in status and job.get_absolute_url() in status

    served = client.get(url)
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"
    assert served["Cache-Control"] == "private, no-store"
    text, _pages = pdf_text(b"".join(served.streaming_content))
    assert unit.name in text and "层门门锁啮合不足7毫米" in text
    assert AuditEvent.objects.filter(kind="download", user=station).exists()

    filing.amend(by=records["director"], record=records["report"], changes={"next_focus": "锅炉水位"}, reason="补充")
    assert client.get(url)["Content-Type"].startswith("text/html")
    assert ArchiveJob.objects.filter(status=jobs.QUEUED).count() == 1


def test_a_failed_build_says_so_and_the_next_request_builds_anew(records, settings, monkeypatch):
    settings.ROUTINES_ARCHIVE_INLINE_ROWS = 0
    client = logged_in(records["users"]["enterprise"])
    url = reverse("routines:unit_archive_pdf", args=[records["unit"].pk, records["day"].strftime("%Y-%m")])
    client.get(url)
    job = ArchiveJob.objects.get()
    monkeypatch.setattr(documents, "archive_pdf", lambda *a, **k: 1 / 0)
    archives.build(job.pk)
    job.refresh_from_db()
    assert job.status == jobs.FAILED and job.error
    assert "重新生成" in client.get(reverse("routines:archive_job", args=[job.pk])).content.decode()
    client.get(url)
    assert ArchiveJob.objects.filter(status=jobs.QUEUED).exclude(pk=job.pk).count() == 1


def test_built_archives_are_deleted_after_the_retention_time(records, settings):
    settings.ROUTINES_ARCHIVE_INLINE_ROWS = 0
    job = archives.request_archive(by=records["users"]["county"], unit=records["unit"],
                                   month=records["day"].replace(day=1))
    archives.build(job.pk)
    job.refresh_from_db()
    path = job.file.path
    assert archives.purge() == 0
    later = timezone.now() + timedelta(hours=settings.ROUTINES_ARCHIVE_RETENTION_HOURS + 1)
    assert archives.purge(now=later) == 1
    job.refresh_from_db()
    assert job.status == ArchiveJob.Status.EXPIRED and not job.file and not Path(path).exists()


def test_a_small_month_renders_at_once_and_a_big_one_waits(records, settings):
    month = records["day"].replace(day=1)
    rows = archives.size(records["unit"], month)
    in_month = [c for c in (records["zero"], records["hazard"]) if c.day.replace(day=1) == month]
    assert rows == len(in_month) + len(records["hazard"].positions)
    settings.ROUTINES_ARCHIVE_INLINE_ROWS = rows
    assert archives.renders_inline(records["unit"], month)
    settings.ROUTINES_ARCHIVE_INLINE_ROWS = rows - 1
    assert not archives.renders_inline(records["unit"], month)
