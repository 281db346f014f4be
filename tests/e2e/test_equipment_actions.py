"""The equipment page's certificate and applications, and the delegation picker, in a real browser
(issue 8 item 7): the links lead into the existing application form, and htmx sends the picker's
narrowing to the autocomplete."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from jurisdictions import access
from tests.e2e.browser import SCREENSHOTS, browser_page, log_in
from units import services
from units.choices import ApplicationKind, EquipmentStatus
from units.models import Application, Equipment, EquipmentType

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def elevator(world):
    """An elevator of ``unit`` in use with its certificate number, as an approved registration leaves it."""
    equipment = services.add_equipment(by=access.COMMAND_LINE,
                                       unit=world["unit"], code="311023010202500001", location="1号楼东侧",
                                       equipment_type=EquipmentType.objects.get(code="3110"))
    Equipment.objects.filter(pk=equipment.pk).update(status=EquipmentStatus.IN_USE, registered_on=timezone.localdate(),
                                                     registration_number="梯11甘A00001(26)")
    return equipment


def test_enterprise_applies_to_suspend_from_the_equipment_page(live_server, elevator):
    with browser_page(live_server.url) as (page, console):
        log_in(page, "enterprise")
        page.goto(f"/equipment/{elevator.pk}/")
        expect(page.get_by_test_id("equipment-certificate")).to_be_visible()
        actions = page.get_by_test_id("equipment-actions")
        expect(actions).to_contain_text("申请变更登记")
        expect(actions).to_contain_text("申请注销")
        page.screenshot(path=SCREENSHOTS / "equipment-actions.png", full_page=True)
        page.get_by_test_id("apply-suspend").click()
        expect(page.get_by_role("link", name="停用", exact=True)).to_have_class(re.compile(r"\bactive\b"))
        expect(page.get_by_label("曳引驱动乘客电梯 311023010202500001（1号楼东侧）")).to_be_checked()
        page.get_by_role("button", name="提交申请").click()
        expect(page.get_by_test_id("application-status")).to_have_text("待受理")
        page.goto(f"/equipment/{elevator.pk}/")
        expect(page.get_by_test_id("open-application")).to_contain_text("停用申请（待受理）")
        expect(page.locator("[data-testid^=apply-]")).to_have_count(0)
        console.assert_clean()
    assert Application.objects.get().kind == ApplicationKind.SUSPEND


def test_the_delegation_picker_lists_only_the_citys_counties(live_server, world):
    with browser_page(live_server.url) as (page, console):
        log_in(page, "city")
        page.goto("/delegations/new/")
        page.get_by_label("受托县级市场监管部门").fill("区")
        results = page.locator("[data-picker-results] [data-pick]")
        expect(results.first).to_be_visible()
        labels = results.all_inner_texts()
        page.screenshot(path=SCREENSHOTS / "delegation-picker.png", full_page=True)
        assert labels and all("县级" in label for label in labels), labels
        assert any(label.startswith("城关区") for label in labels), labels
        console.assert_clean()
