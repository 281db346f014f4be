"""Enterprise sign-up in a real browser: the anonymous station picker, the pending dashboard, the
station confirming from its work list (000 §四) with the 营业执照 and masked phone in view, and a
rejected sign-up corrected and resubmitted, with no page tripping the CSP."""

import random
import re

import pytest
from playwright.sync_api import expect

from jurisdictions.models import AuditEvent
from portal.kit.samples import make_uscc
from tests import factories
from tests.e2e.browser import SCREENSHOTS, browser_page, log_in
from units import services
from units.choices import UnitStatus
from units.models import Unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LICENCE = {"name": "营业执照.png", "mimeType": "image/png", "buffer": factories.png_bytes(320, 200)}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_enterprise_signs_up_picking_its_station_and_the_station_confirms(live_server, world):
    uscc = make_uscc("620102", random.Random(4242))
    with browser_page(live_server.url) as (page, console):
        page.goto("/accounts/login/")
        page.get_by_test_id("signup-link").click()
        page.get_by_label("统一社会信用代码").fill(uscc)
        page.get_by_label("单位名称").fill("浏览器注册测试电梯有限公司")
        page.get_by_label("使用单位").check()
        page.get_by_label("地址").fill("兰州市城关区酒泉路 8 号")
        page.get_by_label("法定代表人").fill("赵六")
        page.get_by_label("联系人").fill("钱七")
        page.get_by_label("联系电话").fill("13912345678")
        page.get_by_label("营业执照").set_input_files(LICENCE)
        page.get_by_label("属地市场监管所").fill("酒泉路")
        page.locator("[data-pick]", has_text="酒泉路").first.click()
        expect(page.get_by_label("属地市场监管所")).to_have_value(re.compile("酒泉路.*（城关区）"))
        page.get_by_label("用户名").fill("browser-signup")
        page.get_by_label("姓名").fill("钱七")
        page.locator("#id_password").fill(factories.PASSWORD)
        page.locator("#id_password_confirm").fill(factories.PASSWORD)
        page.screenshot(path=SCREENSHOTS / "signup-form.png", full_page=True)
        page.get_by_role("button", name="提交注册").click()
        expect(page.get_by_role("alert")).to_contain_text("待属地市场监管所确认")

        log_in(page, "browser-signup")
        expect(page.get_by_test_id("unit-pending")).to_contain_text("待属地市场监管所确认")
        console.assert_clean()

    unit = Unit.objects.get(uscc=uscc)
    assert unit.status == UnitStatus.PENDING and unit.jurisdiction.code == "620102001"

    with browser_page(live_server.url) as (page, console):
        log_in(page, "station")
        page.get_by_role("link", name="待确认单位").click()
        page.get_by_role("link", name="确认", exact=True).click()
        page.get_by_label("审核意见").fill("已核实营业执照")
        page.get_by_test_id("confirm").click()
        expect(page.get_by_test_id("unit-review")).to_contain_text("已核实营业执照")
        console.assert_clean()

    unit.refresh_from_db()
    assert unit.status == UnitStatus.ACTIVE


def test_a_rejected_sign_up_is_corrected_resubmitted_and_then_confirmed(live_server, world):
    uscc = make_uscc("620102", random.Random(4343))
    unit, _user = services.signup_unit(
        uscc=uscc, name="浏览器驳回测试电梯公司", kinds=["usage"], jurisdiction=factories.node("620102001"),
        username="browser-rejected", display_name="孙八", password=factories.PASSWORD, address="兰州市城关区",
        legal_representative="孙八", contact_person="孙八", contact_phone="13812345678",
        licence=factories.licence_upload())

    with browser_page(live_server.url) as (page, console):
        log_in(page, "station")
        page.get_by_role("link", name="待确认单位").click()
        page.get_by_role("link", name="驳回", exact=True).click()
        expect(page.get_by_test_id("contact-phone")).to_have_text("138****5678")
        page.get_by_label("驳回理由").fill("单位名称与营业执照不符，应为“浏览器驳回测试电梯有限公司”")
        page.get_by_test_id("confirm").click()
        expect(page.get_by_role("alert").first).to_contain_text("已驳回")
        console.assert_clean()

    with browser_page(live_server.url) as (page, console):
        log_in(page, "browser-rejected")
        expect(page.get_by_test_id("unit-rejected")).to_contain_text("单位名称与营业执照不符")
        page.get_by_test_id("unit-resubmit").click()
        expect(page.get_by_test_id("rejection")).to_contain_text("单位名称与营业执照不符")
        expect(page.get_by_label("单位名称")).to_have_value("浏览器驳回测试电梯公司")
        page.get_by_label("单位名称").fill("浏览器驳回测试电梯有限公司")
        page.get_by_label("联系电话").fill("13987654321")
        page.get_by_label("营业执照").set_input_files({**LICENCE, "name": "营业执照-更正.png"})
        page.screenshot(path=SCREENSHOTS / "signup-resubmit.png", full_page=True)
        page.get_by_test_id("resubmit").click()
        expect(page.get_by_role("alert").first).to_contain_text("已重新提交")
        page.goto("/")
        expect(page.get_by_test_id("unit-pending")).to_contain_text("待属地市场监管所确认")
        console.assert_clean()

    with browser_page(live_server.url) as (page, console):
        log_in(page, "station")
        page.get_by_role("link", name="待确认单位").click()
        expect(page.locator("table")).to_contain_text("浏览器驳回测试电梯有限公司")
        page.get_by_role("link", name="确认", exact=True).click()
        expect(page.get_by_test_id("contact-phone")).to_have_text("139****4321")
        expect(page.get_by_test_id("previous-rejection")).to_contain_text("单位名称与营业执照不符")
        image = page.get_by_test_id("licence-image")
        expect(image).to_be_visible()
        # Visible is not loaded: wait for the scan to arrive before measuring it.
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
        assert image.evaluate("img => img.naturalWidth") == 320
        assert "/media/" not in page.content() and "13987654321" not in page.content()
        page.screenshot(path=SCREENSHOTS / "signup-confirm-licence.png", full_page=True)
        page.get_by_label("审核意见").fill("已核对更正后的营业执照并电话核实")
        page.get_by_test_id("confirm").click()
        expect(page.get_by_test_id("unit-review")).to_contain_text("已核对更正后的营业执照")
        console.assert_clean()

    unit.refresh_from_db()
    assert (unit.status, unit.name) == (UnitStatus.ACTIVE, "浏览器驳回测试电梯有限公司")
    events = AuditEvent.objects.filter(object_type="units.Unit", object_id=str(unit.pk)).order_by("pk")
    actions = list(events.exclude(kind=AuditEvent.Kind.DOWNLOAD).values_list("detail__action", flat=True))
    assert actions == ["signup_unit", "reject_unit", "resubmit_unit", "confirm_unit"]
    # The station's look at the scan is on record too.
    assert events.filter(kind=AuditEvent.Kind.DOWNLOAD, detail__file__startswith="营业执照-").exists()
