"""No page or export completes a masked ID number (issue 8 item 2; docs/security.md §Personal information).

A masked number ``620102********9429`` hides exactly the holder's birth date, so a page that also
shows 出生日期, or a certificate number that is the ID number itself (TSG Z6001 numbers operators'
certificates so), hands the full, check-valid number to anyone who may open it — a county inspector
or a station, who hold no reveal right and leave no reveal record. Every page and export such a role
reaches for a person is read here as text; every date and eight-digit run on it is tried as the
hidden middle of every masked number on it, and no try may give the real number.
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from itertools import chain

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from jurisdictions.duties import Role
from personnel import exports
from personnel import services as personnel
from portal.kit.identifiers import validate_id_number
from portal.kit.samples import make_id_number
from tests import factories

BORN = date(1965, 2, 19)
ID_NUMBER = make_id_number("620102", BORN, 942)
MASKED = re.compile(r"(\d{6})\*{8}(\d{3}[\dX])")
DATES = re.compile(r"(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})")
EIGHT = re.compile(r"(?<!\d)(\d{8})(?!\d)")
FULL = re.compile(r"(?<![\dA-Z])(\d{17}[\dX])(?![\dA-Z])")


def reconstructions(text: str) -> set[str]:
    """Every check-valid number one gets by filling a masked number shown in ``text`` with a date or
    an eight-digit run shown in it, plus any whole number it shows."""
    middles = set(EIGHT.findall(text)) | {f"{y}{int(m):02d}{int(d):02d}" for y, m, d in DATES.findall(text)}
    found = set(FULL.findall(text))
    for head, tail in MASKED.findall(text):
        found |= {head + middle + tail for middle in middles}
    return {number for number in found if check_valid(number)}


def check_valid(number: str) -> bool:
    """GB 11643's check character and a real birth date (the portal's own validation)."""
    try:
        validate_id_number(number)
    except ValidationError:
        return False
    return True


def test_the_reconstruction_finds_what_the_old_person_page_gave_away():
    """The check itself: a masked number beside its holder's birth date is a full number."""
    masked = f"{ID_NUMBER[:6]}********{ID_NUMBER[-4:]}"
    page = f"居民身份证号码 {masked} 性别 / 出生日期 男 / {BORN:%Y}年{BORN.month}月{BORN.day}日"
    assert ID_NUMBER in reconstructions(page)
    assert ID_NUMBER in reconstructions(f"证书编号 {ID_NUMBER}")
    assert reconstructions(f"{masked} 2026年12月1日") == set()


@pytest.fixture
def staffed(world):
    """A safety officer whose 安全管理 certificate is numbered by her ID number, trained and assessed,
    at the world's unit (城关区 酒泉路), with a county inspector and the station inspector to read her."""
    today = timezone.localdate()
    enterprise, county = world["users"]["enterprise"], world["users"]["county"]
    appointment = personnel.appoint_new_person(by=enterprise, unit=world["unit"], name="韩梅", id_number=ID_NUMBER,
                                               phone="13912345678", post="safety_officer",
                                               started_on=today - timedelta(days=30))
    person = appointment.person
    personnel.add_certificate(by=enterprise, person=person, item_code="A", number=ID_NUMBER,
                              issued_by="兰州市市场监督管理局", issued_on=today - timedelta(days=365),
                              expires_on=today + timedelta(days=20))
    personnel.record_training(by=enterprise, unit=world["unit"], held_on=today - timedelta(days=3), content="年度培训",
                              hours=4, trainer="兰州市特检院", passed=[person])
    personnel.record_assessment(by=county, person=person, assessed_on=today, score=88, result="passed")
    readers = {"county inspector": factories.regulator("620102", Role.INSPECTOR, username="county-inspector"),
               "station": world["users"]["station"]}
    return {**world, "person": person, "appointment": appointment, "readers": readers}


def texts_for(user, staffed) -> dict[str, str]:
    """What ``user`` is shown of the person: pages, the htmx panel, the PDF, every list export and
    the masked national workbook."""
    client = Client()
    client.force_login(user)
    unit, person = staffed["unit"], staffed["person"]
    pages = {
        "person page": reverse("personnel:person_detail", args=[person.pk]),
        "person edit form": reverse("personnel:person_edit", args=[person.pk]),
        "further post form": reverse("personnel:appointment_create", args=[person.pk]),
        "end of term form": reverse("personnel:appointment_end", args=[staffed["appointment"].pk]),
        "people list": reverse("personnel:person_list"),
        "people by post": reverse("personnel:person_list") + "?post=safety_officer",
        "certificates": reverse("personnel:certificate_list"),
        "certificates expiring": reverse("personnel:certificate_list") + "?expiring=30",
        "trainings": reverse("personnel:training_list"),
        "assessments": reverse("personnel:assessment_list"),
        "staff page": reverse("personnel:unit_staff", args=[unit.pk]),
        "unit page": unit.get_absolute_url(),
        "unit history": reverse("units:unit_history", args=[unit.pk]),
    }
    shown = {}
    for what, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (what, response.status_code)
        shown[what] = response.content.decode()
    shown["staff panel (htmx)"] = client.get(pages["staff page"], HTTP_HX_REQUEST="true").content.decode()
    pdf = client.get(reverse("personnel:unit_staff_pdf", args=[unit.pk]))
    shown["staff PDF"] = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    for what in ("people list", "certificates", "trainings", "assessments"):
        url = pages[what]
        shown[f"{what} csv"] = client.get(url, {"_export": "csv"}).content.decode("utf-8-sig")
        shown[f"{what} xlsx"] = workbook_text(client.get(url, {"_export": "xlsx"}).content)
    job = exports.request_export(by=user, full=False)
    exports.build(job.pk)
    download = client.get(reverse("personnel:national_export_download", args=[job.pk]))
    assert download.status_code == 200
    shown["national workbook (masked)"] = workbook_text(download.content)
    return shown


def workbook_text(content: bytes) -> str:
    sheets = load_workbook(io.BytesIO(content), read_only=True).worksheets
    rows = chain.from_iterable(sheet.iter_rows(values_only=True) for sheet in sheets)
    return "\n".join(" ".join("" if v is None else str(v) for v in row) for row in rows)


@pytest.mark.parametrize("reader", ["county inspector", "station"])
def test_no_page_or_export_a_non_revealing_role_reaches_completes_the_masked_id_number(staffed, settings, tmp_path,
                                                                                     reader):
    settings.MEDIA_ROOT = tmp_path
    shown = texts_for(staffed["readers"][reader], staffed)
    masked = f"{ID_NUMBER[:6]}********{ID_NUMBER[-4:]}"
    assert masked in shown["person page"] and masked in shown["staff PDF"]  # the pages do show the person
    leaks = {what: sorted(reconstructions(text) & {ID_NUMBER}) for what, text in shown.items()}
    assert {what: found for what, found in leaks.items() if found} == {}
    # Taken together, too: nothing one page shows completes a number another page masks.
    assert ID_NUMBER not in reconstructions("\n".join(shown.values()))


def test_the_birth_date_is_shown_in_the_audited_reveal_only(staffed):
    client = Client()
    client.force_login(staffed["users"]["county"])
    person = staffed["person"]
    page = client.get(reverse("personnel:person_detail", args=[person.pk])).content.decode()
    assert "出生日期" not in page and "1965" not in page
    revealed = client.post(reverse("personnel:person_reveal", args=[person.pk]), {"reason": "监督抽查考核核对身份"})
    assert ID_NUMBER in revealed.content.decode() and "1965年2月19日" in revealed.content.decode()


def test_a_get_search_by_the_full_number_is_redirected_to_its_hash_before_any_link_repeats_it(staffed):
    client = Client()
    client.force_login(staffed["readers"]["station"])
    people = reverse("personnel:person_list")
    response = client.get(people, {"q": ID_NUMBER, "post": "safety_officer"})
    assert response.status_code == 302
    assert ID_NUMBER not in response["Location"] and "idx=" in response["Location"]
    assert "post=safety_officer" in response["Location"]
    page = client.get(response["Location"])
    assert [row.record for row in page.context["table"].page.object_list] == [staffed["person"]]
    assert ID_NUMBER not in page.content.decode()
    assert client.get(people, {"q": "韩梅"}).status_code == 200  # a name stays a plain GET search


def test_a_certificate_number_matches_whole_only_so_it_cannot_be_guessed_digit_by_digit(staffed):
    client = Client()
    client.force_login(staffed["readers"]["station"])
    certificates = reverse("personnel:certificate_list")

    def found(q):
        return len(client.get(certificates, {"q": q}).context["table"].page.object_list)

    assert found(ID_NUMBER[:8]) == 0 and found(ID_NUMBER[:14]) == 0
    assert found(ID_NUMBER) == 1
