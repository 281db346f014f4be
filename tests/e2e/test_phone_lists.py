"""Every page of an enterprise's menu stays readable on a 390-px phone (issue 8 item 10).

The enterprise's unit has equipment (in use, one due for inspection and one overdue, one awaiting
registration), applications, a work notification, a principal with a certificate, a training and a spot
assessment, its self-check records (a daily check, a weekly report, monthly minutes), and 城关区's inspection of it
with the directive it issued, so no list is
empty. The menu is walked from ``portal.dashboard.navigation``, so a list added
to it later is checked too. On each page the document must not scroll sideways, and no visible table cell
may be squeezed below three characters (the fault seen: every column one character wide).
"""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve, reverse
from django.utils import timezone

from inspections.findings import services as findings
from inspections.routines import expected, filing
from inspections.routines import services as routines
from jurisdictions import access
from jurisdictions.duties import Role
from personnel import services as personnel
from portal.dashboard.navigation import items_for
from portal.kit.samples import make_id_number
from portal.kit.views import ScopedListView
from tests import factories
from tests.e2e.browser import SCREENSHOTS, browser_page, log_in
from tests.inspections.supervision_world import certify, completed_record, issued_directive
from units import services
from units.choices import UnitKind
from units.models import Equipment, EquipmentType

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_WIDTH, PHONE_HEIGHT = 390, 844
MIN_CHARACTERS = 3
UPLOAD = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

MEASURE = """() => {
  const root = document.documentElement;
  const cells = Array.from(document.querySelectorAll("main table th, main table td"))
    .filter(c => c.getClientRects().length > 0)
    .map(c => ({width: c.getBoundingClientRect().width, font: parseFloat(getComputedStyle(c).fontSize),
                text: c.innerText.trim().slice(0, 24)}));
  const rows = document.querySelectorAll("main .table-container tbody tr").length;
  return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, cells, rows,
          emptyHint: document.querySelectorAll("[data-testid=empty-hint]").length};
}"""


def uploads():
    return [(kind, SimpleUploadedFile(f"{kind}.pdf", UPLOAD, content_type="application/pdf"))
            for kind in ("form", "product_certificate")]


@pytest.fixture
def enterprise(tree, settings, tmp_path):
    """The unit's records, every one made through its service, before the browser's event loop starts."""
    settings.MEDIA_ROOT = tmp_path / "media"
    today = timezone.localdate()
    unit = factories.unit("620102001", name="城关手机列表电梯有限公司", kinds=[UnitKind.USAGE, UnitKind.PRODUCTION])
    site = factories.unit("620103001", name="七里河施工现场热力有限公司")
    user = factories.enterprise_user(unit, username="phone-lists")
    city = factories.regulator("620100", Role.LEADER, username="lanzhou-registrar")
    county = factories.regulator("620102", Role.LEADER, username="chengguan-assessor")
    elevator = EquipmentType.objects.get(code="3110")

    def add(serial: int, **fields):
        return services.add_equipment(by=access.COMMAND_LINE,
                                      unit=unit, equipment_type=elevator, code=f"31106201020260{serial:04d}",
                                      factory_number=f"DT-2026-{serial:04d}", location="兰州市城关区酒泉路 8 号",
                                      manufacturer="兰州电梯制造有限公司", **fields)

    due, overdue, waiting = add(1), add(2), add(3)
    findings.raise_finding(by=user, unit=unit, equipment=due, description="轿厢应急照明不亮，五方对讲无法接通值班室。",
                           due_on=today + timedelta(days=7))
    registered = services.submit_application(by=user, unit=unit, kind="register", equipment=[due, overdue],
                                             documents=uploads())
    services.accept_application(by=city, application=registered)
    services.approve_application(by=city, application=registered)
    Equipment.objects.filter(pk=due.pk).update(next_inspection_on=today + timedelta(days=10))
    Equipment.objects.filter(pk=overdue.pk).update(next_inspection_on=today - timedelta(days=5))
    services.submit_application(by=user, unit=unit, kind="register", equipment=[waiting], documents=uploads())
    services.submit_notification(by=user, notifier=unit, kind="install", site_uscc=site.uscc,
                                 equipment_type=elevator, site_address="七里河区西津西路 16 号",
                                 planned_start=today + timedelta(days=7))

    principal = personnel.appoint_new_person(
        by=user, unit=unit, name="张建国", id_number=make_id_number("620102", today.replace(year=1975), 31),
        phone="13800138001", post="principal", started_on=today).person
    officer = personnel.appoint_new_person(
        by=user, unit=unit, name="王守岗", id_number=make_id_number("620102", today.replace(year=1986), 57),
        phone="13800138002", post="safety_officer", started_on=today).person
    personnel.add_certificate(by=user, person=officer, item_code="T", number="TS620102198600001",
                              issued_by="兰州市市场监督管理局", issued_on=today - timedelta(days=700),
                              expires_on=today + timedelta(days=60))
    personnel.record_training(by=user, unit=unit, held_on=today - timedelta(days=3),
                              content="电梯安全管理制度与应急救援演练", hours=4, trainer="兰州市特种设备检验所",
                              passed=[principal, officer])
    personnel.record_assessment(by=county, person=principal, assessed_on=today - timedelta(days=1), score=92,
                                result="passed")

    # 日管控、周排查、月调度: a list in force, and each record signed by its post's own account.
    routines.generate_from_templates(by=user, unit=unit)
    director = personnel.appoint_new_person(
        by=user, unit=unit, name="李振华", id_number=make_id_number("620102", today.replace(year=1980), 43),
        phone="13800138003", post="safety_director", started_on=today).person
    signers = {}
    for person, username in ((officer, "phone-anquanyuan"), (director, "phone-zongjian"), (principal, "phone-fuzeren")):
        signers[username] = factories.enterprise_user(unit, username=username)
        personnel.link_account(by=user, person=person, account=signers[username])
    filing.file_daily_check(by=signers["phone-anquanyuan"], unit=unit, period="full", results={})
    filing.file_weekly_report(by=signers["phone-zongjian"], unit=unit, week_start=expected.week_of(today)[0],
                              assessment="本周电梯运行平稳，门锁已调整。", next_focus="层门门锁与应急照明")
    filing.file_monthly_minutes(by=signers["phone-fuzeren"], unit=unit, month=today, held_at=timezone.now(),
                                location="二楼会议室", recorder=officer, attendees=[director, officer],
                                problems="层门门锁磨损", measures="更换门锁")

    # 监督检查 and its 安全监察指令书: 城关区's inspection of the unit by two certificate holders, and the directive.
    inspector = factories.regulator("620102001", Role.INSPECTOR, username="chengguan-station-jcy")
    certify(city, county, "PHONE-JCY-1")
    certify(county, inspector, "PHONE-JCY-2")
    inspected = {"users": {"county": county, "station": inspector}, "unit": unit}
    issued_directive(inspected, completed_record(inspected, finding=False, equipment_codes=due.code))

    pages = []
    for item in items_for(user):
        url = reverse(item.url_name)
        view = getattr(resolve(url).func, "view_class", None)
        pages.append((str(item.label), url, view is not None and issubclass(view, ScopedListView)))
    return pages


def test_every_page_of_the_enterprise_menu_is_readable_on_a_phone(live_server, enterprise):
    assert sum(is_list for _, _, is_list in enterprise) >= 9, enterprise
    failures = []
    with browser_page(live_server.url, width=PHONE_WIDTH, height=PHONE_HEIGHT, phone=True) as (page, console):
        log_in(page, "phone-lists")
        for label, url, is_list in enterprise:
            page.goto(url)
            seen = page.evaluate(MEASURE)
            page.screenshot(path=SCREENSHOTS / f"phone-list-{url.strip('/').replace('/', '-') or 'home'}.png",
                            full_page=True)
            if seen["scrollWidth"] > seen["clientWidth"]:
                failures.append(f"{label} {url}: scrolls sideways ({seen['scrollWidth']} > {seen['clientWidth']})")
            squeezed = [c for c in seen["cells"] if c["width"] < MIN_CHARACTERS * c["font"]]
            if squeezed:
                failures.append(f"{label} {url}: cells narrower than {MIN_CHARACTERS} characters: {squeezed[:4]}")
            if is_list and (seen["rows"] == 0 or seen["emptyHint"]):
                failures.append(f"{label} {url}: the list has no rows")
        console.assert_clean()
    assert failures == []
