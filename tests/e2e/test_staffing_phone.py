"""An enterprise fills in its staff on a phone (390 px), and the county's staffed rate moves by one.

Seed 002 附件 1–3: a usage unit is staffed when it has a 主要负责人, a 安全总监 and at least one 安全员
in office. The enterprise enters each of them through the one-step form (登记人员并任职) from its
staff page, on a phone-sized touch viewport that must not scroll sideways; ID numbers appear masked
only. A county leader of 城关区 reads the staffed count and rate before and after.
"""

import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from jurisdictions.duties import Role
from personnel.models import Appointment, Person
from portal.kit.samples import make_id_number
from tests import factories
from tests.e2e.browser import SCREENSHOTS, browser_page, log_in
from units.choices import UnitKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_WIDTH, PHONE_HEIGHT = 390, 844
SCROLL_TOLERANCE = 2  # px: sub-pixel rounding, not a scrollbar's worth of overflow

# Four different people, check-valid synthetic ID numbers (one ending in X), 城关区 address codes.
PEOPLE = [
    ("principal", "张建国", "11010519491231002X", "13800138001"),
    ("safety_director", "李安全", make_id_number("620102", date(1978, 5, 20), 31), "13800138002"),
    ("safety_officer", "王守岗", make_id_number("620102", date(1986, 9, 3), 57), "13800138003"),
    ("safety_officer", "赵巡检", make_id_number("620102", date(1991, 1, 1), 7), "13800138004"),
]


def _wrong_check_digit(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


BAD_ID = _wrong_check_digit(PEOPLE[0][2])


def assert_no_sideways_scroll(page: Page, where: str) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, document.body.scrollWidth]")
    assert max(widths) <= PHONE_WIDTH + SCROLL_TOLERANCE, f"{where} scrolls sideways at {PHONE_WIDTH} px: {widths}"


def read_staffing(live_server_url: str, username: str) -> tuple[int, int, str]:
    """The county leader's headline figures: (staffed, due, rate text)."""
    with browser_page(live_server_url) as (page, console):
        log_in(page, username)
        page.goto(reverse("personnel:staffing"))
        expect(page.get_by_role("heading", name=re.compile("城关区 人员配备率"))).to_be_visible()
        count = page.get_by_test_id("staffed-count").inner_text().strip()
        rate = page.get_by_test_id("staffed-rate").inner_text().strip()
        console.assert_clean()
    match = re.fullmatch(r"(\d+) / (\d+)", count)
    assert match, count
    return int(match[1]), int(match[2]), rate


@pytest.fixture
def setup(tree):
    """A usage unit in 城关区 with its enterprise account, a second (unstaffed) unit beside it so the
    rate is not all-or-nothing, and a 城关区 leader. Built before any event loop runs."""
    unit = factories.unit("620102001", name="城关手机填报电梯有限公司", kinds=[UnitKind.USAGE])
    factories.unit("620102001", name="城关未配齐锅炉有限公司", kinds=[UnitKind.USAGE])
    factories.enterprise_user(unit, username="phone-enterprise")
    factories.regulator("620102", Role.LEADER, username="chengguan-leader")
    return {"unit": unit, "today": timezone.localdate()}


def test_enterprise_staffs_its_unit_on_a_phone_and_the_county_rate_rises(live_server, setup):
    unit, today = setup["unit"], setup["today"]
    assert len({number for _, _, number, _ in PEOPLE} | {BAD_ID}) == 5

    staffed_before, due_before, rate_before = read_staffing(live_server.url, "chengguan-leader")
    assert due_before >= 2 and staffed_before < due_before

    staff_url = reverse("personnel:unit_staff", args=[unit.pk])
    with browser_page(live_server.url, width=PHONE_WIDTH, height=PHONE_HEIGHT, phone=True) as (page, console):
        log_in(page, "phone-enterprise")
        # The sidebar is collapsed behind the menu button on a phone.
        page.get_by_role("button", name="菜单").tap()
        page.locator("#sidebar").get_by_role("link", name="本单位人员配备").tap()
        expect(page).to_have_url(re.compile(rf"{re.escape(staff_url)}$"))
        expect(page.get_by_test_id("staff-missing")).to_have_text("尚未配齐：主要负责人、安全总监、安全员")
        expect(page.get_by_test_id("post-safety_officer").get_by_test_id("holder")).to_have_count(0)
        assert_no_sideways_scroll(page, "empty staff page")
        page.screenshot(path=SCREENSHOTS / "staff-phone-empty.png", full_page=True)

        # Wrong input first: a mistyped check digit is refused next to the field, nothing is saved.
        page.get_by_test_id("add-principal").tap()
        expect(page).to_have_url(re.compile(r"/staff/new/\?post=principal$"))
        form = page.get_by_test_id("appointment-form")
        expect(page.locator("#id_post")).to_have_value("principal")
        form.locator("#id_name").fill(PEOPLE[0][1])
        form.locator("#id_id_number").fill(BAD_ID)
        form.locator("#id_phone").fill(PEOPLE[0][3])
        form.get_by_test_id("save").tap()
        error = page.locator('[data-field-error="id_number"]')
        expect(error).to_contain_text("校验位错误")
        expect(page.locator("#id_id_number")).to_have_attribute("aria-invalid", "true")
        expect(page.locator('[data-field-error]')).to_have_count(1)  # the other fields were fine
        expect(page).to_have_url(re.compile(r"/staff/new/"))
        assert_no_sideways_scroll(page, "appointment form with an error")
        page.screenshot(path=SCREENSHOTS / "staff-phone-bad-id.png", full_page=True)
        page.goto(staff_url)
        expect(page.get_by_test_id("post-principal")).to_contain_text("未配备")
        expect(page.get_by_test_id("post-principal").get_by_test_id("holder")).to_have_count(0)

        # The four people, one form each; 任职日期 stays today's default.
        for i, (post, name, id_number, phone) in enumerate(PEOPLE):
            page.get_by_test_id(f"add-{post}").tap()
            expect(page).to_have_url(re.compile(rf"/units/{unit.pk}/staff/new/\?post={post}$"))
            expect(page.locator("#id_post")).to_have_value(post)
            expect(page.locator("#id_started_on")).to_have_value(today.isoformat())
            page.locator("#id_name").fill(name)
            page.locator("#id_id_number").fill(id_number)
            page.locator("#id_phone").fill(phone)
            assert_no_sideways_scroll(page, f"appointment form ({post})")
            if i == 0:
                page.screenshot(path=SCREENSHOTS / "staff-phone-form.png", full_page=True)
            page.get_by_test_id("save").tap()
            expect(page).to_have_url(re.compile(rf"{re.escape(staff_url)}$"))
            expect(page.get_by_role("alert")).to_contain_text("已登记任职")
            expect(page.get_by_test_id(f"post-{post}").get_by_test_id("holder").filter(has_text=name)).to_be_visible()

        expect(page.get_by_test_id("staff-complete")).to_contain_text("已配齐")
        expect(page.get_by_test_id("staff-missing")).to_have_count(0)
        officers = page.get_by_test_id("post-safety_officer").get_by_test_id("holder")
        expect(officers).to_have_count(2)
        assert sorted(officers.all_inner_texts()) == sorted(["王守岗", "赵巡检"])
        for post in ("principal", "safety_director"):
            expect(page.get_by_test_id(f"post-{post}").get_by_test_id("holder")).to_have_count(1)

        # ID numbers only masked (first six, last four); phone numbers too.
        html = page.content()
        for _, _, id_number, phone in PEOPLE:
            assert id_number not in html
            assert id_number[:6] + "*" * 8 + id_number[-4:] in html
            assert phone not in html
        assert_no_sideways_scroll(page, "staffed staff page")
        page.screenshot(path=SCREENSHOTS / "staff-phone-complete.png", full_page=True)
        console.assert_clean()

    # Exactly the four people, no stray one from the refused submission.
    assert Person.objects.filter(unit=unit).count() == 4
    assert Appointment.objects.filter(unit=unit, ended_on__isnull=True).count() == 4
    assert sorted(Person.objects.filter(unit=unit).values_list("name", flat=True)) == sorted(p[1] for p in PEOPLE)

    staffed_after, due_after, rate_after = read_staffing(live_server.url, "chengguan-leader")
    assert (staffed_after, due_after) == (staffed_before + 1, due_before)
    assert rate_before == f"{round(100 * staffed_before / due_before, 1)}%"
    assert rate_after == f"{round(100 * staffed_after / due_after, 1)}%"
    assert rate_after != rate_before


EQUIPMENT_COUNT = 230  # more than the 200 the form once cut the list to


@pytest.fixture
def equipped(tree):
    """A usage unit that has entered 230 elevators, 1–23 号楼 × 10 each, and its enterprise account."""
    from units.models import Equipment, EquipmentType
    from units.services import category_of

    unit = factories.unit("620102001", name="城关设备较多物业有限公司", kinds=[UnitKind.USAGE])
    factories.enterprise_user(unit, username="phone-equipped")
    elevator = EquipmentType.objects.get(code="3110")
    category = category_of(elevator)
    rows = []
    for i in range(EQUIPMENT_COUNT):
        e = Equipment(unit=unit, equipment_type=elevator, category=category, factory_number=f"DT{i + 1:04d}",
                      location=f"{i // 10 + 1}号楼{i % 10 + 1}号梯")
        e.place_with(unit)
        rows.append(e)
    Equipment.objects.bulk_create(rows)
    return {"unit": unit, "picked": Equipment.objects.get(unit=unit, factory_number="DT0225")}


def test_an_enterprise_with_equipment_appoints_an_officer_on_a_phone_and_picks_the_equipment(live_server, equipped):
    """Issue 8 item 1: the officer form of a unit with equipment opens on a phone, lists all of it, and
    the officer's equipment is found by typing part of its location, not by scrolling 230 rows."""
    unit, picked = equipped["unit"], equipped["picked"]
    staff_url = reverse("personnel:unit_staff", args=[unit.pk])
    with browser_page(live_server.url, width=PHONE_WIDTH, height=PHONE_HEIGHT, phone=True) as (page, console):
        log_in(page, "phone-equipped")
        page.goto(staff_url)
        page.get_by_test_id("add-safety_officer").tap()
        expect(page).to_have_url(re.compile(rf"/units/{unit.pk}/staff/new/\?post=safety_officer$"))
        rows = page.locator("[data-choice]")
        expect(rows).to_have_count(EQUIPMENT_COUNT)
        expect(page.locator("[data-choice-count]")).to_have_text(f"共 {EQUIPMENT_COUNT} 台设备")
        page.locator("#id_name").fill("钱设备")
        page.locator("#id_id_number").fill(PEOPLE[2][2])
        page.locator("#id_phone").fill(PEOPLE[2][3])
        assert_no_sideways_scroll(page, "officer form with 230 pieces of equipment")

        search = page.locator("[data-choice-filter]")
        search.tap()
        search.fill("23号楼5号梯")
        search.press("Enter")  # the phone's 搜索 key filters; it does not send the half-filled form
        visible = page.locator("[data-choice]:visible")
        expect(visible).to_have_count(1)
        expect(visible).to_contain_text("23号楼5号梯")
        expect(page).to_have_url(re.compile(r"/staff/new/\?post=safety_officer$"))
        visible.locator("label").tap()
        expect(visible.locator("input")).to_be_checked()
        expect(page.locator("[data-choice-selected]")).to_have_text("，已选 1 台")
        search.fill("")
        expect(page.locator("[data-choice]:visible")).to_have_count(EQUIPMENT_COUNT)
        page.screenshot(path=SCREENSHOTS / "staff-phone-equipment-picked.png", full_page=False)
        assert_no_sideways_scroll(page, "officer form after picking")
        page.get_by_test_id("save").tap()
        expect(page).to_have_url(re.compile(rf"{re.escape(staff_url)}$"))
        expect(page.get_by_role("alert")).to_contain_text("已登记任职")
        expect(page.get_by_test_id("post-safety_officer").get_by_test_id("holder")).to_have_text("钱设备")
        console.assert_clean()

    appointment = Appointment.objects.get(unit=unit, post="safety_officer", ended_on__isnull=True)
    assert list(appointment.equipment.all()) == [picked]
