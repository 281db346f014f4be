"""Use registration in a real browser (000 §二(二)): the enterprise uploads its documents through the
multipart form, the city accepts and approves from its queue, and no page trips the CSP."""

import re

import pytest
from playwright.sync_api import expect

from jurisdictions import access
from tests.e2e.browser import SCREENSHOTS, browser_page, log_in
from units import services
from units.choices import EquipmentStatus
from units.models import Application, Equipment, EquipmentType

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def elevator(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return services.add_equipment(by=access.COMMAND_LINE,
                                  unit=world["unit"], equipment_type=EquipmentType.objects.get(code="3110"),
                                  code="311023010202500001", location="1号楼东侧")


def test_enterprise_applies_with_uploads_and_the_city_registers(live_server, elevator):
    with browser_page(live_server.url) as (page, console):
        log_in(page, "enterprise")
        page.get_by_role("link", name="使用登记申请").click()
        page.get_by_role("link", name="新增").click()
        page.get_by_label("曳引驱动乘客电梯 311023010202500001").check()
        page.get_by_label("申请事由").fill("新装电梯投入使用")
        page.get_by_label("特种设备使用登记表").set_input_files(
            {"name": "使用登记表.pdf", "mimeType": "application/pdf", "buffer": PDF})
        page.get_by_label("产品合格证").set_input_files(
            {"name": "产品合格证.pdf", "mimeType": "application/pdf", "buffer": PDF})
        page.screenshot(path=SCREENSHOTS / "registration-form.png", full_page=True)
        page.get_by_role("button", name="提交申请").click()
        expect(page.get_by_test_id("application-status")).to_have_text("待受理")
        expect(page.get_by_test_id("documents")).to_contain_text("使用登记表.pdf")
        console.assert_clean()

    with browser_page(live_server.url) as (page, console):
        log_in(page, "city")
        page.get_by_role("link", name="使用登记办理").click()
        page.screenshot(path=SCREENSHOTS / "registration-queue.png", full_page=True)
        page.get_by_role("link", name=re.compile(r"^（兰州）特设受〔\d{4}〕第\d+号$")).first.click()
        page.get_by_role("link", name="受理").click()
        page.get_by_test_id("confirm").click()
        expect(page.get_by_test_id("application-status")).to_have_text("已受理")
        page.get_by_role("link", name="准予办理").click()
        page.get_by_test_id("confirm").click()
        expect(page.get_by_test_id("application-status")).to_have_text("已办结")
        expect(page.get_by_test_id("certificate-pdf")).to_contain_text("梯11甘A")
        page.screenshot(path=SCREENSHOTS / "registration-approved.png", full_page=True)
        console.assert_clean()

    elevator = Equipment.objects.get(pk=elevator.pk)
    assert elevator.status == EquipmentStatus.IN_USE and elevator.registration_number.startswith("梯11甘A")
    assert Application.objects.get().documents.count() == 2
