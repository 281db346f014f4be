"""Supervision end to end (docs/domain.md §Annual plan, §Inspection record, §Directive): 兰州's leader draws and
publishes the year's plan; 城关区's inspector, on a tablet, starts the inspection from the plan's task, judges the
checklist with a 不符合 item and its photo, registers the finding, has the unit's representative sign on the
screen and completes the record, which completes the task; the county issues a 安全监察指令书; the enterprise
answers with its rectification report and evidence; the county re-checks and accepts; the directive's PDF
downloads with the unit, the finding, the deadline and the number the page showed. No page trips the CSP."""

import io
import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from inspections.supervision import inspection_checklists
from inspections.supervision import services as supervision
from inspections.supervision.inspection_choices import DirectiveStatus
from inspections.supervision.models import Directive, Inspection, PlanTask
from jurisdictions import access
from jurisdictions.duties import Role
from personnel import services as personnel
from personnel.choices import Post
from tests import factories
from tests.e2e.browser import SCREENSHOTS, browser_page, log_in
from units.choices import EquipmentStatus
from units.models import Equipment, EquipmentType
from units.services import add_equipment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 820, "height": 1180, "phone": True}
FINDING = "未落实周排查，近三个月未形成每周安全排查治理报告"


@pytest.fixture
def field(world, settings, tmp_path):
    """城关区's inspector and the station's, both with a 监察员证 in force; the world's unit with an elevator in use
    and a director in post; every unit of the pool drawn, so the unit is in the plan."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SUPERVISION_PLAN_RATIOS = dict.fromkeys(settings.SUPERVISION_PLAN_RATIOS, 1.0)
    settings.SUPERVISION_PLAN_KEY_RATIO = 1.0
    users, unit = world["users"], world["unit"]
    inspector = factories.regulator("620102", Role.INSPECTOR, username="cg-flow-jcy")
    for n, holder in enumerate((inspector, users["station"])):
        supervision.add_certificate(by=access.COMMAND_LINE, holder=holder, number=f"GS-FLOW-{n}",
                                    certificate_class="A", issued_by="甘肃省市场监督管理局",
                                    issued_on=timezone.localdate() - timedelta(days=400),
                                    expires_on=timezone.localdate() + timedelta(days=800))
    lift = add_equipment(by=factories.system_user(), unit=unit, equipment_type=EquipmentType.objects.get(code="3110"),
                         code="31106201022026000099")
    Equipment.objects.filter(pk=lift.pk).update(status=EquipmentStatus.IN_USE)
    personnel.appoint(by=users["enterprise"], unit=unit, person=factories.person(unit, name="张总监"),
                      post=Post.SAFETY_DIRECTOR, started_on=timezone.localdate() - timedelta(days=30))
    weekly = next(n for n, item in enumerate(inspection_checklists.items_for(unit.kinds), 1) if item["key"] == "weekly")
    return {**world, "inspector": inspector, "weekly": weekly, "lift": lift}


def _png() -> dict:
    return {"name": "现场.png", "mimeType": "image/png", "buffer": factories.png_bytes()}


def test_plan_inspection_directive_rectification_and_pdf(live_server, field, tmp_path):
    today = timezone.localdate()
    unit = field["unit"]

    # 1. 兰州's leader draws the plan for this year and publishes it.
    with browser_page(live_server.url) as (page, console):
        log_in(page, "city")
        page.goto("/plans/new/")
        page.get_by_label("年度").fill(str(today.year))
        page.get_by_label("开始日期").fill(today.isoformat())
        page.get_by_label("完成期限").fill(date(today.year, 12, 31).isoformat())
        page.get_by_test_id("save").click()
        expect(page.get_by_test_id("seed")).to_be_visible()
        page.get_by_test_id("approve").click()
        page.get_by_test_id("confirm").click()
        page.get_by_test_id("publish").click()
        page.get_by_test_id("confirm").click()
        expect(page.get_by_test_id("plan-pdf")).to_be_visible()
        page.screenshot(path=SCREENSHOTS / "flow-plan-published.png", full_page=True)
        console.assert_clean()
    task = PlanTask.objects.get(plan__jurisdiction__code="620100", unit=unit)
    assert task.inspector_1_id and task.inspector_2_id

    # 2. 城关区's inspector, on a tablet, inspects from the task and records a finding; the unit signs.
    with browser_page(live_server.url, **TABLET) as (page, console):
        log_in(page, "cg-flow-jcy")
        page.goto("/plan-tasks/")
        page.get_by_role("row", name=re.compile(unit.name)).get_by_test_id("inspect-task").click()
        expect(page.get_by_label("检查类别")).to_have_value("routine")
        page.get_by_label("抽查设备").fill("31106201022026000099")
        page.get_by_test_id("save").click()
        items = page.locator("[data-testid^='item-']")
        for n in range(1, items.count() + 1):
            card = page.get_by_test_id(f"item-{n}")
            verdict = "不符合" if n == field["weekly"] else "符合"
            card.locator("label.btn", has_text=re.compile(f"^{verdict}$")).click()
        weekly = page.get_by_test_id(f"item-{field['weekly']}")
        weekly.get_by_placeholder("情况说明").fill("近三个月未形成每周安全排查治理报告")
        weekly.locator("input[type=file]").set_input_files(_png())
        page.get_by_test_id("save").click()
        page.get_by_test_id("record").click()  # back to the checklist: the 不符合 item offers 登记隐患
        page.get_by_test_id(f"item-{field['weekly']}").get_by_test_id("raise-finding").click()
        page.get_by_label("问题描述").fill(FINDING)
        page.get_by_test_id("save").click()
        expect(page.get_by_test_id("items")).to_contain_text("隐患 #")

        page.get_by_test_id("sign").click()
        page.get_by_label("签字人姓名").fill("李代表")
        pad = page.get_by_test_id("signature-pad").bounding_box()
        page.mouse.move(pad["x"] + 30, pad["y"] + 60)
        page.mouse.down()
        for x, y in ((120, 30), (200, 110), (300, 50), (400, 120)):
            page.mouse.move(pad["x"] + x, pad["y"] + y, steps=4)
        page.mouse.up()
        page.screenshot(path=SCREENSHOTS / "flow-tablet-sign.png")
        page.get_by_test_id("save").click()
        expect(page.get_by_test_id("signature").locator("img")).to_be_visible()

        page.get_by_test_id("complete").click()
        page.get_by_label("处理措施").select_option("directive")
        page.get_by_test_id("confirm").click()
        expect(page.get_by_test_id("task")).to_contain_text("任务已完成")
        page.get_by_test_id("issue-directive").click()
        expect(page.get_by_label("存在的问题")).to_have_value(re.compile(FINDING))
        page.get_by_label("责令采取的措施").fill("立即建立周排查制度，由安全总监每周组织排查并形成报告。")
        page.get_by_test_id("save").click()
        number = page.locator("h1").inner_text()
        page.screenshot(path=SCREENSHOTS / "flow-tablet-directive.png", full_page=True)
        width = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert width[0] <= width[1], f"the directive scrolls sideways on a tablet: {width}"
        console.assert_clean()
    inspection = Inspection.objects.get(unit=unit)
    task.refresh_from_db()
    assert inspection.task == task and task.done_on == today and task.result == "rectify"
    assert inspection.signature and inspection.items.get(position=field["weekly"]).photo
    directive = Directive.objects.get(inspection=inspection)
    assert directive.number in number

    # 3. The enterprise answers with its rectification report and a photo.
    with browser_page(live_server.url) as (page, console):
        log_in(page, "enterprise")
        page.goto("/directives/")
        page.get_by_role("link", name=directive.number).click()
        page.get_by_test_id("report").click()
        page.get_by_label("整改情况").fill("已建立周排查制度，安全总监本周已组织排查并形成报告。")
        page.get_by_label("整改佐证材料").set_input_files(_png())
        page.get_by_test_id("save").click()
        expect(page.get_by_test_id("step-reported")).to_contain_text("已建立周排查制度")
        console.assert_clean()

    # 4. The county re-checks and accepts; the directive's PDF downloads.
    saved = tmp_path / "directive.pdf"
    with browser_page(live_server.url) as (page, console):
        log_in(page, "cg-flow-jcy")
        page.goto(f"/directives/{directive.pk}/")
        page.get_by_test_id("evidence").first.wait_for()
        page.get_by_test_id("recheck").click()
        page.get_by_label("复查合格").check()
        page.get_by_label("复查意见").fill("现场核实周排查报告已形成")
        page.get_by_test_id("save").click()
        expect(page.get_by_test_id("step-accepted")).to_be_visible()
        with page.expect_download() as info:
            page.get_by_test_id("directive-pdf").click()
        info.value.save_as(saved)
        console.assert_clean()
    directive.refresh_from_db()
    assert directive.status == DirectiveStatus.ACCEPTED
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(saved.read_bytes())).pages)
    text = re.sub(r"\s+", "", text)
    for expected in (directive.number, unit.name, FINDING, f"{directive.deadline.year}年", "一式两份"):
        assert re.sub(r"\s+", "", expected) in text, expected
