"""Enterprise sign-up in a real browser: the anonymous station picker, the pending dashboard, and the
station confirming from its work list (000 §四), with no page tripping the CSP."""

import random
import re

import pytest
from playwright.sync_api import expect

from portal.kit.samples import make_uscc
from tests import factories
from tests.e2e.browser import SCREENSHOTS, browser_page, log_in
from units.choices import UnitStatus
from units.models import Unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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
