"""A county leader in a real browser: login form, dashboard, jurisdiction browser, scope, picker.

Headless Debian Chromium through Playwright's sync API against pytest-django's ``live_server``.
Playwright's sync API runs an event loop in this thread, so every ORM call happens before the
browser starts or after it stops (Django refuses ORM calls while a loop is running).
"""

import re

import pytest
from playwright.sync_api import Page, expect

from jurisdictions.models import User
from tests import factories
from tests.e2e.browser import SCREENSHOTS, browser_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def county(world):
    """The county leader plus the ids the browser needs, read before any event loop runs."""
    return {
        "user": world["users"]["county"],
        "city_pk": factories.node("620100").pk,       # 兰州市
        "county_pk": factories.node("620102").pk,     # 城关区
        "station_pk": factories.node("620102001").pk,  # 酒泉路街道市场监督管理所
        "stations": factories.node("620102").get_children().count(),
    }


def log_in_via_redirect(page: Page, username: str) -> None:
    """Open / anonymously, land on the login form, and sign in through it."""
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"^https?://[^/]+/$"))  # the dashboard, not the login form again


def test_county_leader_sees_own_subtree_and_nothing_above(live_server, county):
    with browser_page(live_server.url) as (page, console):
        log_in_via_redirect(page, "county")

        # Dashboard of 城关区: title, home trail, child stations.
        expect(page.get_by_test_id("dashboard-title")).to_contain_text("城关区")
        expect(page.get_by_test_id("current-user")).to_contain_text("负责人")
        trail = page.get_by_test_id("home-trail").locator(".breadcrumb-item")
        expect(trail).to_have_text(["甘肃省", "兰州市", "城关区"])
        children = page.get_by_test_id("children")
        expect(children.get_by_role("link", name="酒泉路街道市场监督管理所")).to_be_visible()
        expect(children.locator("tbody tr")).to_have_count(county["stations"])
        stations_card = page.locator(".stat-card").filter(has_text="下辖市场监管所")
        expect(stations_card.locator(".display-6")).to_have_text(str(county["stations"]))
        expect(page.get_by_test_id("unit-count")).to_have_text("1")
        page.screenshot(path=str(SCREENSHOTS / "county-dashboard.png"), full_page=True)

        # Nav link 辖区 → the browser starts at the user's own node.
        page.locator("#sidebar").get_by_role("link", name="辖区").click()
        expect(page).to_have_url(re.compile(rf"/jurisdictions/{county['county_pk']}/$"))
        expect(page.get_by_test_id("jurisdiction-name")).to_contain_text("城关区")
        expect(page.get_by_role("link", name="酒泉路街道市场监督管理所")).to_be_visible()
        expect(page.locator(".breadcrumb")).to_have_count(1)  # the tree trail only, no stacked home trail
        breadcrumb = page.get_by_test_id("tree-breadcrumb")
        expect(breadcrumb.get_by_role("link", name="兰州市")).to_have_count(0)
        expect(breadcrumb.get_by_role("link", name="甘肃省")).to_have_count(0)
        expect(page.locator(f'a[href="/jurisdictions/{county["city_pk"]}/"]')).to_have_count(0)
        page.screenshot(path=str(SCREENSHOTS / "county-jurisdiction.png"), full_page=True)

        # Down the subtree: the station page offers the way back up to 城关区, not beyond.
        page.get_by_role("link", name="酒泉路街道市场监督管理所").click()
        expect(page).to_have_url(re.compile(rf"/jurisdictions/{county['station_pk']}/$"))
        breadcrumb = page.get_by_test_id("tree-breadcrumb")
        expect(breadcrumb.get_by_role("link", name="城关区")).to_be_visible()
        expect(breadcrumb.get_by_role("link", name="兰州市")).to_have_count(0)

        # The parent city does not exist for a county user.
        city_url = f"/jurisdictions/{county['city_pk']}/"
        response = page.goto(city_url)
        assert response is not None and response.status == 404
        expect(page.get_by_role("heading", name="页面不存在")).to_be_visible()
        page.screenshot(path=str(SCREENSHOTS / "county-404.png"))
        expect(page.locator(f'a[href="/jurisdictions/{county["city_pk"]}/"]')).to_have_count(0)

        console.assert_clean(expected_404=city_url)


def test_county_leader_creates_account_with_jurisdiction_picker(live_server, county):
    with browser_page(live_server.url) as (page, console):
        log_in_via_redirect(page, "county")
        page.locator("#sidebar").get_by_role("link", name="账号管理").click()
        expect(page).to_have_url(re.compile(r"/accounts/users/$"))

        # 取消 on a new-object form goes back where the user came from (no javascript: URL under the CSP).
        page.get_by_role("link", name="新增").click()
        expect(page).to_have_url(re.compile(r"/accounts/users/new/$"))
        page.get_by_role("link", name="取消").click()
        expect(page).to_have_url(re.compile(r"/accounts/users/$"))

        page.get_by_role("link", name="新增").click()
        expect(page.get_by_role("heading", name="新建监管人员账号")).to_be_visible()

        picker = page.locator("[data-picker]")
        picker.locator("[data-picker-text]").fill("酒泉路")
        # The focus request lists the first in-scope nodes; wait for the filtered answer (one match).
        results = picker.locator("[data-picker-results] [data-pick]")
        expect(results).to_have_count(1)
        result = results.filter(has_text="酒泉路街道市场监督管理所")
        expect(result).to_have_count(1)
        page.screenshot(path=str(SCREENSHOTS / "county-picker.png"))
        result.click()
        expect(picker.locator("[data-picker-value]")).to_have_value(str(county["station_pk"]))
        expect(picker.locator("[data-picker-text]")).to_have_value("酒泉路街道市场监督管理所（620102001）")
        expect(picker.locator("[data-picker-results] [data-pick]")).to_have_count(0)

        page.get_by_label("用户名").fill("jqlu-inspector")
        page.get_by_label("姓名").fill("王监察")
        page.get_by_label("电子邮箱").fill("wang@example.cn")
        page.get_by_label("角色").select_option(label="监察员")
        page.get_by_label("初始密码").fill("Jiuquan@Road2026")
        page.get_by_role("button", name="保存").click()

        expect(page.get_by_role("alert")).to_contain_text("账号已创建")
        expect(page.get_by_role("heading", name="王监察")).to_be_visible()
        expect(page.locator("dd").filter(has_text="酒泉路街道市场监督管理所")).to_be_visible()
        console.assert_clean()

    created = User.objects.get(username="jqlu-inspector")
    assert created.jurisdiction_id == county["station_pk"]
    assert created.role == "inspector"
    assert created.created_by_id == county["user"].pk
