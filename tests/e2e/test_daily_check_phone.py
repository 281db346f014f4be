"""The safety officer's day on a 390×844 phone (issue 11): the 待办 says today's check is due, the check is filed
all-OK in two taps from the first screen, the 待办 clears, and after the nightly roll-up the county's compliance
page counts the unit as filed on time."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from inspections.routines import compliance
from inspections.routines.models import DailyCheck
from tests.e2e.browser import SCREENSHOTS, browser_page, log_in
from tests.inspections.conftest import staffed  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_WIDTH, PHONE_HEIGHT = 390, 844


def no_sideways_scroll(page, name):
    width = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    assert width[0] <= width[1], f"{name} scrolls sideways: {width}"


def test_an_officer_files_an_all_ok_check_in_two_taps_and_the_county_counts_it(live_server, staffed):  # noqa: F811
    unit = staffed["unit"]
    with browser_page(live_server.url, width=PHONE_WIDTH, height=PHONE_HEIGHT, phone=True) as (page, console):
        log_in(page, "anquanyuan")
        page.goto(live_server.url + reverse("inbox:inbox"))
        expect(page.get_by_test_id("todos")).to_contain_text("提交今日每日安全检查记录")
        page.goto(live_server.url + reverse("dashboard:home"))
        no_sideways_scroll(page, "phone-officer-home")

        taps = 0
        page.get_by_test_id("start-daily-check").click()
        taps += 1
        expect(page.get_by_test_id("daily-check-form")).to_be_visible()
        no_sideways_scroll(page, "phone-daily-check")
        page.get_by_test_id("all-ok").click()
        taps += 1
        expect(page.get_by_test_id("check-result")).to_contain_text("零风险报告")
        no_sideways_scroll(page, "phone-daily-check-filed")
        assert taps <= 3

        page.goto(live_server.url + reverse("inbox:inbox"))
        expect(page.get_by_test_id("todos")).not_to_contain_text("提交今日每日安全检查记录")
        console.assert_clean()

    check = DailyCheck.objects.get(unit=unit)
    assert check.signer == staffed["people"]["officer"] and not check.late
    compliance.refresh()

    with browser_page(live_server.url, width=PHONE_WIDTH, height=PHONE_HEIGHT, phone=True) as (page, console):
        log_in(page, "county")
        page.goto(live_server.url + reverse("routines:compliance"))
        expect(page.get_by_test_id("compliance-rates")).to_contain_text("按时 1 /")
        no_sideways_scroll(page, "phone-county-compliance")
        console.assert_clean()
