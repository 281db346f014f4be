"""The 使用登记证 and the decision as PDFs (DESIGN §3.6): the text read back with pypdf is the Chinese we
put in, nothing dropped for a missing glyph, one page, and fast once warm."""

import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfReader

from portal.kit.pdf import chinese_date
from units import documents, services
from units.models import EquipmentType

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


def decided(world, *, approve=True, reason="设备代码与产品合格证不一致"):
    unit, city = world["unit"], world["users"]["city"]
    equipment = services.add_equipment(by=None, unit=unit, equipment_type=EquipmentType.objects.get(code="3110"),
                                       code="311023010202500001", location="城关区酒泉路1号 1号楼东侧")
    application = services.submit_application(
        by=world["users"]["enterprise"], unit=unit, kind="register", equipment=[equipment],
        documents=[("form", SimpleUploadedFile("a.pdf", PDF)),
                   ("product_certificate", SimpleUploadedFile("b.pdf", PDF))])
    services.accept_application(by=city, application=application)
    if approve:
        services.approve_application(by=city, application=application)
    else:
        services.reject_application(by=city, application=application, reason=reason)
    application.refresh_from_db()
    equipment.refresh_from_db()
    return application, equipment


def test_certificate_carries_unit_code_and_number_in_chinese_without_lost_glyphs(world):
    _application, equipment = decided(world)
    unit = world["unit"]
    documents.certificate_pdf(equipment)  # warm-up: fonts loaded and subset once per process
    started = time.perf_counter()
    pdf = documents.certificate_pdf(equipment)
    elapsed = time.perf_counter() - started
    print(f"\n使用登记证 rendered in {elapsed * 1000:.0f} ms after warm-up")

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
        chinese_date(timezone.localdate()),
    ):
        assert expected in body, expected
    assert not any(mark in text for mark in MISSING_GLYPHS)
    assert fonts and all("CJK" in f for f in fonts), fonts
    assert elapsed < 1.0, f"certificate took {elapsed:.2f}s after warm-up"


def test_approval_decision_is_numbered_and_lists_the_equipment(world):
    application, equipment = decided(world)
    text, pages, _fonts = read(documents.decision_pdf(application))
    body = flat(text)
    assert pages == 1
    for expected in ("兰州市市场监督管理局", application.decision_number, "准予特种设备使用登记决定书",
                     world["unit"].name, equipment.code, equipment.registration_number, "决定准予使用登记"):
        assert expected in body, expected
    assert not any(mark in text for mark in MISSING_GLYPHS)


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
