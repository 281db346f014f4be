"""The 使用登记证 and the decision as PDFs (docs/architecture.md §Documents): the text read back with pypdf is the
Chinese we put in, nothing dropped for a missing glyph, and laid out after GB/T 9704-2012 as measured on the page
(pdfplumber): header centred, one page, the signature and seal with the body's last line."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfReader

from jurisdictions import access
from portal.kit.pdf import document_date
from tests import pdflayout
from tests.pdflayout import PAGE_CENTRE
from units import documents, services
from units.models import Equipment, EquipmentType

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MISSING_GLYPHS = ("\ufffd", "□", "\u25a1", "\u2610")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def read(pdf: bytes) -> tuple[str, int, set[str]]:
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    return text, len(reader.pages), fonts


def flat(text: str) -> str:
    return text.replace(" ", "").replace("\n", "")


ISSUER = "兰州市市场监督管理局"
# A reason of three clauses: on the first layout the 署名 and date fell alone onto page 2 under it.
THREE_CLAUSE_REASON = "设备代码与产品合格证不一致，且未提交定期检验报告；使用地点与申请表填写不符，请核实后重新申请。"


def decided(world, *, approve=True, reason="设备代码与产品合格证不一致", count=1):
    unit, city = world["unit"], world["users"]["city"]
    elevator = EquipmentType.objects.get(code="3110")
    equipment = [services.add_equipment(by=access.COMMAND_LINE,
                                        unit=unit, equipment_type=elevator, code=f"3110230102025{n:05d}",
                                        location=f"城关区酒泉路1号 {n}号楼东侧") for n in range(1, count + 1)]
    application = services.submit_application(
        by=world["users"]["enterprise"], unit=unit, kind="register", equipment=equipment,
        documents=[("form", SimpleUploadedFile("a.pdf", PDF)),
                   ("product_certificate", SimpleUploadedFile("b.pdf", PDF))])
    services.accept_application(by=city, application=application)
    if approve:
        services.approve_application(by=city, application=application)
    else:
        services.reject_application(by=city, application=application, reason=reason)
    application.refresh_from_db()
    for e in equipment:
        e.refresh_from_db()
    return application, equipment[0]


def assert_closing_with_the_body(pdf: bytes, issued_on: str, last_words: str) -> list[pdflayout.Line]:
    """GB/T 9704-2012 §7.3.5: the 署名 and 成文日期 stand on the page holding the body's last line, under it,
    with the seal area over them."""
    found = pdflayout.lines(pdf)
    name, date = pdflayout.signature(found, ISSUER, issued_on)
    body_end = pdflayout.last(found, last_words)
    assert name.page == body_end.page, f"署名 on page {name.page}, the body ends on page {body_end.page}"
    assert body_end.top < name.top < date.top
    seal = pdflayout.last(found, "（盖章）")
    assert seal.page == name.page and body_end.top < seal.top < name.top
    return found


def assert_header_centred(found: list[pdflayout.Line]) -> None:
    header = pdflayout.first(found, ISSUER)
    assert header.page == 1 and abs(header.centre - PAGE_CENTRE) <= 2, f"header centred at {header.centre:.1f} mm"


def test_certificate_carries_unit_code_and_number_in_chinese_without_lost_glyphs(world):
    _application, equipment = decided(world)
    unit = world["unit"]
    pdf = documents.certificate_pdf(equipment)
    text, pages, fonts = read(pdf)
    body = flat(text)
    assert pages == 1
    for expected in (
        "兰州市市场监督管理局",
        "特种设备使用登记证",
        unit.name,
        unit.uscc,
        equipment.code,
        equipment.registration_number,
        "电梯",
        "曳引驱动乘客电梯",
        "城关区酒泉路1号",
        "登记机关",
        document_date(timezone.localdate()),
    ):
        assert expected in body, expected
    assert not any(mark in text for mark in MISSING_GLYPHS)
    assert fonts and all("CJK" in f for f in fonts), fonts


def test_certificate_is_one_page_with_centred_header_and_a_seal_over_the_signature(world):
    _application, equipment = decided(world)
    pdf = documents.certificate_pdf(equipment)
    assert pdflayout.page_count(pdf) == 1
    found = assert_closing_with_the_body(pdf, document_date(equipment.registered_on), "登记机关")
    assert_header_centred(found)


def test_a_certificate_with_every_row_filled_keeps_its_note_on_the_one_page(world):
    """The demo's certificates (factory number given, a long place of use) ran the 注 onto a page 2."""
    _application, equipment = decided(world)
    Equipment.objects.filter(pk=equipment.pk).update(
        factory_number="DEMO-1-03-2025-000123",
        location="城关区酒泉路街道示例路1号示例大厦B座地下二层东侧主厂房货运通道")
    equipment.refresh_from_db()
    pdf = documents.certificate_pdf(equipment)
    assert pdflayout.page_count(pdf) == 1
    assert pdflayout.last(pdflayout.lines(pdf), "应当依法办理相应手续。")


def test_approval_decision_is_numbered_and_lists_the_equipment(world):
    application, equipment = decided(world)
    text, pages, _fonts = read(documents.decision_pdf(application))
    body = flat(text)
    assert pages == 1
    for expected in ("兰州市市场监督管理局", application.decision_number, "准予特种设备使用登记决定书",
                     world["unit"].name, equipment.code, equipment.registration_number, "决定准予使用登记"):
        assert expected in body, expected
    assert not any(mark in text for mark in MISSING_GLYPHS)


def test_approval_decision_is_one_page_with_centred_header_and_the_seal_with_the_body(world):
    application, _equipment = decided(world)
    pdf = documents.decision_pdf(application)
    assert pdflayout.page_count(pdf) == 1
    found = assert_closing_with_the_body(pdf, document_date(timezone.localtime(application.decided_at).date()),
                                         "显著位置。")
    assert_header_centred(found)
    assert abs(pdflayout.first(found, application.decision_number).centre - PAGE_CENTRE) <= 2


def test_rejection_decision_keeps_authority_and_date_on_its_one_page(world):
    application, _equipment = decided(world, approve=False, reason=THREE_CLAUSE_REASON)
    pdf = documents.decision_pdf(application)
    assert pdflayout.page_count(pdf) == 1
    found = assert_closing_with_the_body(pdf, document_date(timezone.localtime(application.decided_at).date()),
                                         "提起行政诉讼。")
    assert_header_centred(found)


def test_a_long_rejection_carries_its_last_paragraph_onto_the_signature_page(world):
    """Twelve pieces of equipment and a 500-character reason run past one page; the page with the 署名 then also
    holds the appeal clause above it (no page with the signature alone, GB/T 9704-2012 §7.3.5.5)."""
    reason = (THREE_CLAUSE_REASON * 12)[:500]
    application, _equipment = decided(world, approve=False, reason=reason, count=12)
    pdf = documents.decision_pdf(application)
    assert pdflayout.page_count(pdf) >= 2
    assert_closing_with_the_body(pdf, document_date(timezone.localtime(application.decided_at).date()),
                                 "提起行政诉讼。")


def test_rejection_decision_gives_the_reason(world):
    application, equipment = decided(world, approve=False)
    body = flat(read(documents.decision_pdf(application))[0])
    for expected in (application.decision_number, "不予特种设备使用登记决定书", "设备代码与产品合格证不一致",
                     "行政复议", equipment.code):
        assert expected in body, expected
    assert equipment.registration_number == ""


def test_decision_titles_name_the_matter():
    from units.models import Application

    assert documents.matter_of(Application(kind="register")) == "使用登记"
    assert documents.matter_of(Application(kind="change")) == "变更登记"
    assert documents.matter_of(Application(kind="deregister")) == "注销登记"
