"""The whole path in one browser scenario: an enterprise signs up (station picked with the picker), the
station confirms it, the enterprise enters an elevator and applies for use registration with its PDFs,
the city accepts and approves, and the enterprise downloads the 使用登记证 and finds in it its name, the
equipment code and the certificate number the page showed. No page trips the CSP."""

import io
import random
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader, PdfWriter

from portal.kit.samples import make_uscc
from tests import factories
from tests.e2e.browser import SCREENSHOTS, browser_page, log_in
from units.choices import ApplicationStatus, EquipmentStatus, UnitStatus
from units.models import Application, Equipment, Unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UNIT_NAME = "全流程测试电梯有限公司"
USERNAME = "full-path-enterprise"
ACCEPTANCE_NUMBER = re.compile(r"^（兰州）特设受〔\d{4}〕第\d+号$")
CODE = "311062010202600007"  # 3110 曳引驱动乘客电梯 · maker 62010 · 2026 · serial 00007


def pdf_file(path, text: str):
    """A small but well-formed one-page PDF."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": text})
    with path.open("wb") as fh:
        writer.write(fh)
    return path


@pytest.fixture
def uploads(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return {"form": pdf_file(tmp_path / "使用登记表.pdf", "form"),
            "certificate": pdf_file(tmp_path / "产品合格证.pdf", "product certificate")}


def test_signup_to_certificate_download(live_server, world, uploads, tmp_path):
    uscc = make_uscc("620102", random.Random(20261124))

    # 1. The enterprise signs up, picking its station.
    with browser_page(live_server.url) as (page, console):
        page.goto("/accounts/login/")
        page.get_by_test_id("signup-link").click()
        expect(page).to_have_url(re.compile(r"/signup/$"))
        page.get_by_label("统一社会信用代码").fill(uscc)
        page.get_by_label("单位名称").fill(UNIT_NAME)
        page.get_by_label("使用单位").check()
        page.get_by_label("地址").fill("兰州市城关区酒泉路 18 号")
        page.get_by_label("法定代表人").fill("孙八")
        page.get_by_label("联系人").fill("周九")
        page.get_by_label("联系电话").fill("13812345678")
        page.get_by_label("营业执照").set_input_files(
            {"name": "营业执照.png", "mimeType": "image/png", "buffer": factories.png_bytes()})
        page.get_by_label("属地市场监管所").fill("酒泉路")
        page.locator("[data-pick]", has_text="酒泉路").first.click()
        expect(page.get_by_label("属地市场监管所")).to_have_value(re.compile("酒泉路.*（城关区）"))
        page.get_by_label("用户名").fill(USERNAME)
        page.get_by_label("姓名").fill("周九")
        page.locator("#id_password").fill(factories.PASSWORD)
        page.locator("#id_password_confirm").fill(factories.PASSWORD)
        page.get_by_role("button", name="提交注册").click()
        expect(page.get_by_role("alert")).to_contain_text("待属地市场监管所确认")
        console.assert_clean()

    # 2. The station confirms the unit.
    with browser_page(live_server.url) as (page, console):
        log_in(page, "station")
        page.get_by_role("link", name="待确认单位").click()
        page.get_by_role("row", name=re.compile(UNIT_NAME)).get_by_role("link", name="确认", exact=True).click()
        page.get_by_label("审核意见").fill("已核实营业执照")
        page.get_by_test_id("confirm").click()
        expect(page.get_by_test_id("unit-review")).to_contain_text("已核实营业执照")
        console.assert_clean()

    # 3. The enterprise enters the elevator and applies for use registration with the PDFs.
    with browser_page(live_server.url) as (page, console):
        log_in(page, USERNAME)
        page.locator("#sidebar").get_by_role("link", name="特种设备").click()
        page.get_by_role("link", name="新增").click()
        page.get_by_label("设备品种").select_option(label="3110 曳引驱动乘客电梯")
        page.get_by_label("设备代码").fill(CODE)
        page.get_by_label("安装使用地点").fill("2号楼西侧")
        page.get_by_role("button", name="保存").click()
        expect(page.get_by_role("alert")).to_contain_text("设备已录入")

        page.locator("#sidebar").get_by_role("link", name="使用登记申请").click()
        page.get_by_role("link", name="新增").click()
        page.get_by_label(re.compile(f"曳引驱动乘客电梯 {CODE}")).check()
        page.get_by_label("申请事由").fill("新装电梯投入使用")
        page.get_by_label("特种设备使用登记表").set_input_files(uploads["form"])
        page.get_by_label("产品合格证").set_input_files(uploads["certificate"])
        page.get_by_role("button", name="提交申请").click()
        expect(page.get_by_test_id("application-status")).to_have_text("待受理")
        expect(page.get_by_test_id("documents")).to_contain_text("使用登记表.pdf")
        expect(page.get_by_test_id("documents")).to_contain_text("产品合格证.pdf")
        application_url = page.url
        console.assert_clean()

    # 4. The city accepts and approves.
    with browser_page(live_server.url) as (page, console):
        log_in(page, "city")
        page.locator("#sidebar").get_by_role("link", name="使用登记办理").click()
        page.get_by_role("row", name=re.compile(UNIT_NAME)).get_by_role("link", name=ACCEPTANCE_NUMBER).click()
        page.get_by_role("link", name="受理").click()
        page.get_by_test_id("confirm").click()
        expect(page.get_by_test_id("application-status")).to_have_text("已受理")
        page.get_by_role("link", name="准予办理").click()
        page.get_by_test_id("confirm").click()
        expect(page.get_by_test_id("application-status")).to_have_text("已办结")
        console.assert_clean()

    # 5. The enterprise downloads its certificate.
    with browser_page(live_server.url) as (page, console):
        log_in(page, USERNAME)
        page.goto(application_url)
        expect(page.get_by_test_id("application-status")).to_have_text("已办结")
        link = page.get_by_test_id("certificate-pdf")
        expect(link).to_contain_text("梯11甘A")
        number = link.inner_text().strip()
        page.screenshot(path=SCREENSHOTS / "full-path-approved.png", full_page=True)
        with page.expect_download() as info:
            link.click()
        download = info.value
        assert download.suggested_filename == f"使用登记证-{number}.pdf"
        saved = tmp_path / "certificate.pdf"
        download.save_as(saved)
        console.assert_clean()

    pdf = saved.read_bytes()
    assert pdf.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert UNIT_NAME in text and CODE in text and number in text, text

    unit = Unit.objects.get(uscc=uscc)
    elevator = Equipment.objects.get(code=CODE)
    application = Application.objects.get(unit=unit)
    assert unit.status == UnitStatus.ACTIVE and unit.jurisdiction.code == "620102001"
    assert elevator.unit_id == unit.pk and elevator.status == EquipmentStatus.IN_USE
    assert elevator.registration_number == number
    assert application.status == ApplicationStatus.APPROVED and application.documents.count() == 2
