"""The inbox on a 390-px phone (docs/architecture.md §Inbox and reminders): the bell in the top bar shows the
unread count, the page lists the 待办 and the 通知 without scrolling sideways, and opening a notification marks
it read and goes to its page."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from inspections.findings import services as findings
from portal.inbox import services as inbox
from tests import factories
from tests.e2e.browser import SCREENSHOTS, browser_page, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_WIDTH, PHONE_HEIGHT = 390, 844


@pytest.fixture
def enterprise(tree):
    unit = factories.unit("620102001", name="城关手机待办电梯有限公司")
    user = factories.enterprise_user(unit, username="phone-inbox")
    findings.raise_finding(by=user, unit=unit, description="轿厢应急照明不亮，五方对讲无法接通值班室。",
                           due_on=timezone.localdate() + timedelta(days=3))
    inbox.notify(user, "certificate-expiry", "作业人员证将于下月到期",
                 body="王守岗 的作业人员证（电梯作业（T））将于 30 天内到期，请在有效期届满 1 个月前申请复审。",
                 url=unit.get_absolute_url())
    return unit


def test_the_inbox_reads_on_a_phone_and_opening_marks_read(live_server, enterprise):
    with browser_page(live_server.url, width=PHONE_WIDTH, height=PHONE_HEIGHT, phone=True) as (page, console):
        log_in(page, "phone-inbox")
        expect(page.get_by_test_id("inbox-unread")).to_contain_text("1")
        page.get_by_test_id("inbox-bell").click()
        expect(page.get_by_test_id("todos")).to_contain_text("1 项隐患待整改")
        expect(page.get_by_test_id("notifications")).to_contain_text("作业人员证将于下月到期")
        width = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        page.screenshot(path=SCREENSHOTS / "phone-inbox.png", full_page=True)
        assert width[0] <= width[1], f"the inbox scrolls sideways: {width}"

        page.get_by_role("link", name="作业人员证将于下月到期").click()
        expect(page).to_have_url(f"{live_server.url}{enterprise.get_absolute_url()}")
        expect(page.get_by_test_id("inbox-unread")).to_have_count(0)
        console.assert_clean()
