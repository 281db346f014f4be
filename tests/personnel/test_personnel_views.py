"""The personnel pages as their users meet them (seed 002 附件 1–11; docs/security.md §Personal information).

Every page, list, export and PDF shows ID and phone numbers masked; only the audited reveal and the
audited full national export (built by a worker, sealed on disk) show them whole, and only to roles
holding REVEAL_PERSONAL_INFO. Search
by the full ID number goes through the blind index and stays inside the searcher's scope. The
staffed-rate page counts what the campaign counts, without one query per row, and bad input on the
phone form comes back as a Chinese message beside its field, never as a 500.
"""

import csv
import io
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from jurisdictions.models import AuditEvent, Jurisdiction
from personnel import documents, exports, services
from personnel.choices import Post
from personnel.models import Appointment, ExportJob, Person
from tests import factories
from tests.factories import logged_in, node
from units.choices import UnitKind, UnitStatus
from units.models import Unit

ID_NUMBER = "360426199101010071"
ID_MASKED = "360426********0071"
PHONE = "13800138000"
PHONE_MASKED = "138****8000"
X_ID_NUMBER = "11010519491231002X"
TODAY = timezone.localdate()
START = TODAY - timedelta(days=30)
USAGE_POSTS = (Post.PRINCIPAL, Post.SAFETY_DIRECTOR, Post.SAFETY_OFFICER)
COUNTY = "620102"  # 城关区, the world fixture's county
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def entered(world):
    """The unit's own enterprise account enters 张三 as its principal on the phone form's service."""
    appointment = services.appoint_new_person(
        by=world["users"]["enterprise"], unit=world["unit"], name="张三", id_number=ID_NUMBER, phone=PHONE,
        post=Post.PRINCIPAL, started_on=START, covers="1–3 号客梯")
    return {**world, "appointment": appointment, "person": appointment.person}


def assert_only_masked(text: str) -> None:
    assert ID_MASKED in text and PHONE_MASKED in text
    assert ID_NUMBER not in text, "the full ID number leaked"
    assert PHONE not in text, "the full phone number leaked"


def listed(response) -> list[Person]:
    return [row.record for row in response.context["table"].page.object_list]


def events(kind: str, **detail) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(kind=kind, **{f"detail__{k}": v for k, v in detail.items()}))


def workbook_rows(content: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def cells_text(rows) -> str:
    return "\n".join("\t".join("" if v is None else str(v) for v in row) for row in rows)


def pdf_text(pdf: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    return text.replace(" ", "").replace("\n", ""), len(reader.pages)


# --- 1. Masking on every HTML page --------------------------------------------------------------------

def _unit_staff(w):
    return reverse("personnel:unit_staff", args=[w["unit"].pk])


def _person_detail(w):
    return reverse("personnel:person_detail", args=[w["person"].pk])


def _person_edit(w):
    return reverse("personnel:person_edit", args=[w["person"].pk])


def _person_list(w):
    return reverse("personnel:person_list")


@pytest.mark.parametrize(("who", "url"), [
    ("enterprise", _unit_staff),
    ("county", _unit_staff),
    ("enterprise", _person_detail),
    ("county", _person_detail),
    ("enterprise", _person_edit),
    ("county", _person_list),
    ("enterprise", _person_list),
], ids=["staff-enterprise", "staff-county", "detail-enterprise", "detail-county", "edit-enterprise",
        "list-county", "list-enterprise"])
def test_pages_show_the_numbers_masked_and_never_whole(entered, who, url):
    response = logged_in(entered["users"][who]).get(url(entered))
    assert response.status_code == 200
    body = response.content.decode()
    assert "张三" in body
    assert_only_masked(body)  # the whole body: text, attributes, hidden inputs alike


@pytest.mark.parametrize("who", ["enterprise", "county"])
def test_the_unit_page_panel_answers_htmx_alone_and_masked(entered, who):
    response = logged_in(entered["users"][who]).get(_unit_staff(entered), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="staff-panel"' in body and "<html" not in body  # the panel, not a whole page
    assert "张三" in body
    assert_only_masked(body)


# --- 2. Masked exports ----------------------------------------------------------------------------------

def test_the_person_list_xlsx_export_is_masked_and_audited(entered):
    response = logged_in(entered["users"]["county"]).get(_person_list(entered), {"_export": "xlsx"})
    assert response.status_code == 200
    rows = workbook_rows(response.content)
    assert len(rows) == 2  # header and 张三
    text = cells_text(rows)
    assert "张三" in text
    assert_only_masked(text)
    (event,) = events(AuditEvent.Kind.EXPORT, view="PersonListView")
    assert (event.detail["format"], event.detail["rows"]) == ("xlsx", 1)


def test_the_person_list_csv_export_is_masked_and_audited(entered):
    response = logged_in(entered["users"]["enterprise"]).get(_person_list(entered), {"_export": "csv"})
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 2 and "张三" in rows[1]
    assert_only_masked(text)
    (event,) = events(AuditEvent.Kind.EXPORT, view="PersonListView")
    assert (event.detail["format"], event.detail["rows"]) == ("csv", 1)


def test_an_export_searched_by_the_full_id_number_audits_the_search_hashed(entered):
    """The export's audit event records the filter it ran; a searched ID number reaches it (and the
    export's URL) only as its keyed hash, the GET being redirected like the search form's POST."""
    response = logged_in(entered["users"]["county"]).get(_person_list(entered), {"_export": "csv", "q": ID_NUMBER},
                                                         follow=True)
    assert ID_NUMBER not in response.redirect_chain[0][0]
    assert "张三" in response.content.decode("utf-8-sig")
    (event,) = events(AuditEvent.Kind.EXPORT, view="PersonListView")
    assert event.detail["rows"] == 1
    assert set(event.detail["filter"]) == {"idx"}
    assert ID_NUMBER not in str(event.detail) and ID_MASKED not in str(event.detail)


def ask_and_build(client, **data):
    """Ask for the workbook as the page does, build it as the worker would, download it."""
    response = client.post(reverse("personnel:national_export"), {"full": "", **data})
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    job = ExportJob.objects.latest("id")
    exports.build(job.pk)
    page = client.get(reverse("personnel:national_export"))
    assert 'data-testid="export-download"' in page.content.decode()
    return client.get(reverse("personnel:national_export_download", args=[job.pk]))


def test_the_national_export_is_masked_with_the_platform_columns_and_audited(entered):
    county = entered["users"]["county"]
    response = ask_and_build(logged_in(county))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "no-store" in response["Cache-Control"]
    rows = workbook_rows(response.content)
    assert rows[0] == documents.NATIONAL_COLUMNS
    assert len(rows) == 2
    row = dict(zip(documents.NATIONAL_COLUMNS, rows[1], strict=True))
    assert (row["单位名称"], row["人员类别"], row["姓名"]) == (entered["unit"].name, "主要负责人", "张三")
    assert (row["居民身份证号码"], row["手机号码"]) == (ID_MASKED, PHONE_MASKED)
    assert row["行政区划代码"] == COUNTY
    assert_only_masked(cells_text(rows))
    requested, downloaded = events(AuditEvent.Kind.EXPORT, view="national_export")
    assert (requested.detail["stage"], downloaded.detail["stage"]) == ("requested", "download")
    assert (downloaded.detail["rows"], downloaded.detail["full"], downloaded.user) == (1, False, county)
    assert not events(AuditEvent.Kind.FULL_REVEAL)


def test_the_stored_workbook_is_sealed_and_only_its_asker_downloads_it(entered):
    county = entered["users"]["county"]
    ask_and_build(logged_in(county), full="True", reason="上报总局平台")
    job = ExportJob.objects.get()
    with job.file.open("rb") as handle:
        stored = handle.read()
    assert ID_NUMBER.encode() not in stored and b"PK" not in stored[:8], "the file on disk must be sealed"
    url = reverse("personnel:national_export_download", args=[job.pk])
    for other in ("city", "other_county", "province"):
        assert logged_in(entered["users"][other]).get(url).status_code == 404


# --- 3. The full national export ---------------------------------------------------------------------------

def test_the_county_leader_downloads_the_full_export_with_a_reason_and_it_is_audited(entered):
    county = entered["users"]["county"]
    response = ask_and_build(logged_in(county), full="True", reason="上报总局平台")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "no-store" in response["Cache-Control"]
    rows = workbook_rows(response.content)
    assert rows[0] == documents.NATIONAL_COLUMNS
    row = dict(zip(documents.NATIONAL_COLUMNS, rows[1], strict=True))
    assert (row["姓名"], row["居民身份证号码"], row["手机号码"]) == ("张三", ID_NUMBER, PHONE)
    requested, downloaded = events(AuditEvent.Kind.FULL_REVEAL, view="national_export")
    assert requested.user == downloaded.user == county
    assert (requested.detail["full"], requested.detail["reason"]) == (True, "上报总局平台")
    assert downloaded.detail["rows"] == 1


def test_the_station_inspector_cannot_ask_for_the_full_export(entered):
    station = logged_in(entered["users"]["station"])
    page = station.get(reverse("personnel:national_export"))
    assert page.status_code == 200 and page.context["can_full"] is False
    assert 'data-testid="request-full"' not in page.content.decode()
    response = station.post(reverse("personnel:national_export"), {"full": "True", "reason": "上报总局平台"})
    assert response.status_code == 404
    assert not ExportJob.objects.exists()
    assert not events(AuditEvent.Kind.FULL_REVEAL)


@pytest.mark.parametrize("reason", ["", "   ", "查"])
def test_the_full_export_without_a_reason_shows_the_form_error_and_queues_nothing(entered, reason):
    response = logged_in(entered["users"]["county"]).post(reverse("personnel:national_export"),
                                                          {"full": "True", "reason": reason})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    assert 'data-field-error="reason"' in response.content.decode()
    assert not ExportJob.objects.exists()
    assert not events(AuditEvent.Kind.FULL_REVEAL)


def test_one_export_at_a_time_per_user(entered):
    client = logged_in(entered["users"]["county"])
    assert client.post(reverse("personnel:national_export"), {"full": ""}).status_code == 302
    again = client.post(reverse("personnel:national_export"), {"full": ""})
    assert again.status_code == 200 and "正在生成" in again.content.decode()
    assert ExportJob.objects.count() == 1


def test_generated_files_are_deleted_after_the_retention_period(entered, settings):
    ask_and_build(logged_in(entered["users"]["county"]))
    job = ExportJob.objects.get()
    assert exports.purge(now=timezone.now() + timedelta(hours=settings.EXPORT_RETENTION_HOURS - 1)) == 0
    assert exports.purge(now=timezone.now() + timedelta(hours=settings.EXPORT_RETENTION_HOURS + 1)) == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.EXPIRED and not job.file
    url = reverse("personnel:national_export_download", args=[job.pk])
    assert logged_in(entered["users"]["county"]).get(url).status_code == 404


def test_a_regulator_disabled_before_the_build_gets_no_file(entered):
    county = entered["users"]["county"]
    logged_in(county).post(reverse("personnel:national_export"), {"full": ""})
    type(county).objects.filter(pk=county.pk).update(is_active=False)
    exports.build(ExportJob.objects.get().pk)
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.FAILED and not job.file and "停用" in job.error


# --- 4. The unit's staff PDF --------------------------------------------------------------------------------

def test_the_staff_pdf_names_the_person_with_the_numbers_masked_on_one_page(entered):
    response = logged_in(entered["users"]["enterprise"]).get(
        reverse("personnel:unit_staff_pdf", args=[entered["unit"].pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text, pages = pdf_text(response.content)
    assert pages == 1
    assert "张三" in text and entered["unit"].name in text and "主要负责人" in text
    assert_only_masked(text)


# --- 5. The reveal page --------------------------------------------------------------------------------------

def _reveal(person):
    return reverse("personnel:person_reveal", args=[person.pk])


def test_the_reveal_page_first_asks_for_a_reason(entered):
    response = logged_in(entered["users"]["county"]).get(_reveal(entered["person"]))
    assert response.status_code == 200
    assert "reason" in response.context["form"].fields
    assert not response.context.get("full")
    body = response.content.decode()
    assert 'name="reason"' in body and ID_NUMBER not in body and PHONE not in body
    assert not events(AuditEvent.Kind.FULL_REVEAL)


def test_a_reveal_with_a_reason_shows_the_full_numbers_uncached_and_is_audited_once(entered):
    county, person = entered["users"]["county"], entered["person"]
    response = logged_in(county).post(_reveal(person), {"reason": "监督抽查考核核对身份"})
    assert response.status_code == 200
    body = response.content.decode()
    assert ID_NUMBER in body and PHONE in body
    assert "no-store" in response["Cache-Control"]
    (event,) = events(AuditEvent.Kind.FULL_REVEAL)
    assert (event.user, event.object_id) == (county, str(person.pk))
    assert event.detail["reason"] == "监督抽查考核核对身份"
    assert ID_NUMBER not in str(event.detail) and ID_NUMBER not in event.object_repr


@pytest.mark.parametrize("reason", ["", "  ", "查"])
def test_a_reveal_without_a_reason_shows_a_form_error_and_records_nothing(entered, reason):
    response = logged_in(entered["users"]["county"]).post(_reveal(entered["person"]), {"reason": reason})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    body = response.content.decode()
    assert ID_NUMBER not in body and PHONE not in body
    assert not events(AuditEvent.Kind.FULL_REVEAL)


def test_the_station_inspector_cannot_reveal(entered):
    response = logged_in(entered["users"]["station"]).post(_reveal(entered["person"]), {"reason": "核对"})
    assert response.status_code == 404
    assert not events(AuditEvent.Kind.FULL_REVEAL)


# --- 6. Search by the full ID number, inside scope ---------------------------------------------------------

def test_the_county_finds_the_person_by_the_full_id_number(entered):
    factories.person(entered["unit"], name="李四")  # someone else at the same unit
    response = logged_in(entered["users"]["county"]).get(_person_list(entered), {"q": ID_NUMBER}, follow=True)
    assert response.status_code == 200
    assert listed(response) == [entered["person"]]


def test_a_lowercase_x_finds_the_person_whose_number_ends_in_x(entered):
    person = factories.person(entered["unit"], name="王五", id_number=X_ID_NUMBER)
    response = logged_in(entered["users"]["county"]).get(_person_list(entered), {"q": X_ID_NUMBER.lower()},
                                                         follow=True)
    assert listed(response) == [person]


def test_another_county_searching_the_same_number_finds_nothing(entered):
    response = logged_in(entered["users"]["other_county"]).get(_person_list(entered), {"q": ID_NUMBER}, follow=True)
    assert response.status_code == 200
    assert listed(response) == []
    assert ID_MASKED not in response.content.decode()


def test_an_enterprise_never_sees_another_units_people(entered):
    other = logged_in(entered["users"]["other_enterprise"])
    for params in ({}, {"q": ID_NUMBER}, {"q": "张三"}):
        response = other.get(_person_list(entered), params, follow=True)
        assert response.status_code == 200
        assert entered["person"] not in listed(response)
        assert ID_MASKED not in response.content.decode()
    exported = other.get(_person_list(entered), {"_export": "csv"})
    assert "张三" not in exported.content.decode("utf-8-sig")
    assert other.get(_person_detail(entered)).status_code == 404
    assert other.get(_unit_staff(entered)).status_code == 404
    assert other.post(_reveal(entered["person"]), {"reason": "核对身份"}).status_code == 404
    assert not events(AuditEvent.Kind.FULL_REVEAL)


# --- 7. The staffed-rate page --------------------------------------------------------------------------------

def staff_fully(by, unit: Unit) -> None:
    for post in USAGE_POSTS:
        services.appoint_new_person(by=by, unit=unit, name=f"{post.label}人员", id_number=factories.new_id_number(),
                                    phone="13912345678", post=post, started_on=START)


def supervised_in_county() -> int:
    return Unit.objects.filter(county=node(COUNTY), status__in=(UnitStatus.ACTIVE, UnitStatus.STOPPED)).count()


@pytest.fixture
def two_units(world):
    """world["unit"] (usage, station 620102001) fully staffed and a second usage unit in 城关区 with nobody."""
    Unit.objects.filter(pk=world["unit"].pk).update(kinds=[UnitKind.USAGE])
    world["unit"].refresh_from_db()
    second = factories.unit("620102002", name="张掖路测试锅炉有限公司", kinds=[UnitKind.USAGE])
    staff_fully(world["users"]["county"], world["unit"])
    return {**world, "second": second}


def test_the_county_staffing_page_counts_staffed_over_due(two_units):
    response = logged_in(two_units["users"]["county"]).get(reverse("personnel:staffing"))
    assert response.status_code == 200
    overall = response.context["overall"]
    assert response.context["node"] == node(COUNTY)
    assert overall.due == supervised_in_county() == 2
    assert (overall.staffed, overall.exempt, overall.unstaffed, overall.percent) == (1, 0, 1, 50.0)
    assert 'data-testid="staffed-count">1 / 2<' in response.content.decode()
    by_station = {r.code: r for r in response.context["children"]}
    assert (by_station["620102001"].staffed, by_station["620102001"].due) == (1, 1)
    assert (by_station["620102002"].staffed, by_station["620102002"].due) == (0, 1)


def test_a_stopped_unit_is_exempt_and_leaves_the_denominator(two_units):
    Unit.objects.filter(pk=two_units["second"].pk).update(status=UnitStatus.STOPPED)
    overall = logged_in(two_units["users"]["county"]).get(reverse("personnel:staffing")).context["overall"]
    assert (overall.total, overall.exempt, overall.due, overall.staffed, overall.percent) == (2, 1, 1, 1, 100.0)


def test_the_county_drills_down_to_a_station_and_another_county_may_not(two_units):
    station = Jurisdiction.objects.get(pk=two_units["unit"].station_id)
    url = reverse("personnel:staffing")
    response = logged_in(two_units["users"]["county"]).get(url, {"node": station.pk})
    assert response.status_code == 200
    assert response.context["node"] == station
    assert (response.context["overall"].staffed, response.context["overall"].due) == (1, 1)
    assert [n.code for n in response.context["crumbs"]] == [COUNTY, station.code]
    assert logged_in(two_units["users"]["other_county"]).get(url, {"node": station.pk}).status_code == 404


# --- 8. No query per row -----------------------------------------------------------------------------------------

def add_staffed_units(n: int, by) -> None:
    """``n`` units spread over 城关区's stations, each with one person in one post (so none is staffed)."""
    stations = list(node(COUNTY).get_children().order_by("code").values_list("code", flat=True))
    for i in range(n):
        kinds = [UnitKind.USAGE, UnitKind.FILLING] if i % 3 == 0 else [UnitKind.USAGE]
        unit = factories.unit(stations[i % len(stations)], kinds=kinds)
        services.appoint_new_person(by=by, unit=unit, name=f"批量人员{i}", id_number=factories.new_id_number(),
                                    phone=f"137{i:08d}", post=(Post.PRINCIPAL, Post.SAFETY_OFFICER)[i % 2],
                                    started_on=START)


def count_queries(client, url: str):
    assert client.get(url).status_code == 200  # warm-up: session, content types
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def table_size(response) -> int:
    return response.context["table"].page.paginator.count


def units_counted(response) -> int:
    return response.context["overall"].total


@pytest.mark.parametrize(("name", "size"), [
    ("personnel:staffing", units_counted),
    ("personnel:staffing_units", table_size),
    ("personnel:person_list", table_size),
])
def test_personnel_pages_run_the_same_queries_at_2_and_at_30_rows(world, name, size):
    county = world["users"]["county"]
    client, url = logged_in(county), reverse(name)
    add_staffed_units(2, county)
    few, response = count_queries(client, url)
    shown = size(response)
    add_staffed_units(28, county)
    many, response = count_queries(client, url)
    assert size(response) == shown + 28
    assert many == few, f"{few} queries at 2 rows, {many} at 30"


# --- 9. Bad input never 500s ---------------------------------------------------------------------------------------

def _appointment_new(w):
    return reverse("personnel:appointment_new", args=[w["unit"].pk])


GOOD = {"post": Post.SAFETY_OFFICER, "name": "李四", "id_number": X_ID_NUMBER, "phone": "13900001111",
        "started_on": START.isoformat(), "covers": "", "education": "", "title": ""}


@pytest.mark.parametrize(("field", "value", "message"), [
    ("id_number", "360426910101007", "15 位旧版身份证号码"),
    ("id_number", "360426199101010072", "校验位错误"),
    ("phone", "12800138000", "手机号码应为 11 位数字"),
    ("phone", "1380013800", "手机号码应为 11 位数字"),
    ("post", Post.QUALITY_SAFETY_DIRECTOR, "有效的选项"),
    ("started_on", (TODAY + timedelta(days=1)).isoformat(), "任职日期不能晚于今天"),
], ids=["legacy-15-digit-id", "bad-check-digit", "phone-outside-plan", "phone-too-short", "post-unit-lacks",
        "future-start"])
def test_the_appoint_form_puts_a_chinese_error_beside_the_field_and_saves_nothing(world, field, value, message):
    response = logged_in(world["users"]["enterprise"]).post(_appointment_new(world), {**GOOD, field: value})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field], errors
    assert any(message in e for e in errors[field]), errors[field]
    assert f'data-field-error="{field}"' in response.content.decode()
    assert not Person.objects.filter(unit=world["unit"]).exists()
    assert not Appointment.objects.filter(unit=world["unit"]).exists()


def test_the_appoint_form_saves_good_input(world):
    """The baseline the cases above vary: the same post, with nothing wrong, is saved."""
    response = logged_in(world["users"]["enterprise"]).post(_appointment_new(world), GOOD)
    assert response.status_code == 302
    assert response["Location"] == _unit_staff(world)
    appointment = Appointment.objects.get(unit=world["unit"])
    assert (appointment.post, appointment.person.name, appointment.person.id_masked) == (
        Post.SAFETY_OFFICER, "李四", "110105********002X")


def test_ending_an_appointment_before_it_started_is_a_field_error(entered):
    appointment = entered["appointment"]
    response = logged_in(entered["users"]["enterprise"]).post(
        reverse("personnel:appointment_end", args=[appointment.pk]),
        {"ended_on": (START - timedelta(days=1)).isoformat(), "reason": "resigned"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["ended_on"]
    assert "离任日期不能早于任职日期" in errors["ended_on"][0]
    appointment.refresh_from_db()
    assert appointment.ended_on is None


def test_the_form_warns_whom_a_new_principal_replaces_and_the_history_records_it(entered):
    client = logged_in(entered["users"]["enterprise"])
    url = reverse("personnel:appointment_new", args=[entered["unit"].pk])
    page = client.get(url, {"post": Post.PRINCIPAL})
    assert 'data-testid="replacing"' in page.content.decode() and "张三" in page.content.decode()
    assert 'data-testid="replacing"' not in client.get(url, {"post": Post.SAFETY_OFFICER}).content.decode()
    response = client.post(url, {"post": Post.PRINCIPAL, "name": "李四", "id_number": X_ID_NUMBER,
                                 "phone": "13900139000", "started_on": TODAY.isoformat()})
    assert response.status_code == 302
    staff = client.get(reverse("personnel:unit_staff", args=[entered["unit"].pk])).content.decode()
    history = staff[staff.index("任职变更记录"):]
    assert "张三" in history and "更换" in history and "李四" in history


def test_the_enterprise_dashboard_loads_its_staff_panel(entered):
    page = logged_in(entered["users"]["enterprise"]).get(reverse("dashboard:home")).content.decode()
    assert f'hx-get="{reverse("personnel:unit_staff", args=[entered["unit"].pk])}"' in page


def test_a_staffed_unit_with_a_failed_officer_in_post_is_on_the_regulators_list(two_units):
    unit, county = two_units["unit"], two_units["users"]["county"]
    client = logged_in(county)
    before = {u.pk for u in listed(client.get(reverse("personnel:staffing_units")))}
    assert unit.pk not in before and two_units["second"].pk in before
    officer = Appointment.objects.get(unit=unit, post=Post.SAFETY_OFFICER).person
    services.record_assessment(by=county, person=officer, assessed_on=TODAY, score=40, result="failed")
    after = {u.pk for u in listed(client.get(reverse("personnel:staffing_units")))}
    assert after == before | {unit.pk}
    flagged = client.get(reverse("personnel:staffing_units"), {"flagged": "true"})
    assert [u.pk for u in listed(flagged)] == [unit.pk]


def test_an_appointment_document_must_be_what_its_name_says(world):
    Unit.objects.filter(pk=world["unit"].pk).update(kinds=[UnitKind.USAGE])
    response = logged_in(world["users"]["enterprise"]).post(
        reverse("personnel:appointment_new", args=[world["unit"].pk]),
        {"post": Post.PRINCIPAL, "name": "张三", "id_number": ID_NUMBER, "phone": PHONE,
         "started_on": TODAY.isoformat(), "document": SimpleUploadedFile("任命.pdf", b"MZ\x90\x00 not a pdf")})
    assert response.status_code == 200
    assert "内容与扩展名不符" in str(response.context["form"].errors["document"])
    assert not Person.objects.exists()
