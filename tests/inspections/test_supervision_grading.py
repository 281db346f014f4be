"""分级分类 (docs/domain.md §Risk grade; inspections/supervision/grading.py): each input moves the score and the grade
as the settings say, the regrade is idempotent and set based, and a 重点单位 takes the top grade, audited."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inspections.findings import services as findings
from inspections.findings.models import Finding
from inspections.routines.models import UnitMonthCompliance
from inspections.supervision import directive_services, grading, services
from inspections.supervision.models import Directive, KeyUnit, UnitRisk
from jurisdictions import access
from jurisdictions.models import AuditEvent
from personnel import services as personnel
from personnel.choices import Post
from personnel.models import UnitStaffing
from tests import factories
from tests.factories import logged_in
from tests.inspections.supervision_world import issued_directive, png_upload
from units.choices import EquipmentStatus, UnitStatus
from units.models import Equipment, EquipmentType, Unit
from units.services import add_equipment


@pytest.fixture
def low_cut(settings):
    """Any point at all makes grade B, so each input's effect on the grade shows on its own."""
    settings.SUPERVISION_GRADE_THRESHOLDS = [("D", 40), ("C", 30), ("B", 1)]
    return settings


def staff(unit, posts=(Post.PRINCIPAL, Post.SAFETY_DIRECTOR, Post.SAFETY_OFFICER)):
    keeper = factories.system_user()
    for post in posts:
        personnel.appoint(by=keeper, unit=unit, person=factories.person(unit), post=post,
                          started_on=timezone.localdate() - timedelta(days=30))


@pytest.fixture
def unit(world):
    """The world's 城关 usage unit, fully staffed and with nothing else on its books: score 0."""
    staff(world["unit"])
    return world["unit"]


def equip(unit, code="3110", n=1, status=EquipmentStatus.IN_USE, **fields):
    kind = EquipmentType.objects.get(code=code)
    made = [add_equipment(by=access.COMMAND_LINE, unit=unit, equipment_type=kind, **fields) for _ in range(n)]
    Equipment.objects.filter(pk__in=[e.pk for e in made]).update(status=status)
    return made


def graded(unit) -> UnitRisk:
    grading.regrade()
    return UnitRisk.objects.get(unit=unit)


def points(risk: UnitRisk) -> dict[str, int]:
    return {r["code"]: r["points"] for r in risk.reasons}


def test_a_staffed_unit_with_nothing_on_its_books_is_grade_a(unit):
    risk = graded(unit)
    assert (risk.grade, risk.score, risk.reasons) == ("A", 0, [])
    assert Unit.objects.get(pk=unit.pk).risk_grade == "A"


def test_each_equipment_category_in_service_adds_its_points(unit, low_cut):
    equip(unit, "1100")
    equip(unit, "6100")
    equip(unit, "3110", status=EquipmentStatus.SCRAPPED)
    risk = graded(unit)
    weights = low_cut.SUPERVISION_CATEGORY_POINTS
    assert points(risk) == {"categories": weights["1000"] + weights["6000"]}
    assert risk.reasons[0]["categories"] == ["1000", "6000"]
    assert risk.grade == "B"


def test_the_number_of_pieces_steps_up_and_cylinders_are_not_counted(unit, settings):
    settings.SUPERVISION_EQUIPMENT_COUNT_POINTS = [(5, 4), (3, 1)]
    equip(unit, "5110", n=3)
    equip(unit, "2310", n=8)
    assert points(graded(unit))["pieces"] == 1
    equip(unit, "5110", n=2)
    risk = graded(unit)
    assert points(risk)["pieces"] == 4
    assert next(r for r in risk.reasons if r["code"] == "pieces")["count"] == 5


def test_crowded_place_elevators_rides_and_ropeways_add_points_up_to_the_cap(unit, low_cut):
    equip(unit, "3110")
    plain = graded(unit).score
    equip(unit, "3110", place_kind="mall")
    equip(unit, "4100", place_kind="hospital")  # a crane is not a crowded-place kind
    risk = graded(unit)
    assert points(risk)["crowded"] == low_cut.SUPERVISION_CROWDED_POINTS
    assert risk.score == plain + low_cut.SUPERVISION_CROWDED_POINTS + low_cut.SUPERVISION_CATEGORY_POINTS["4000"]
    equip(unit, "3110", n=9, place_kind="school")
    assert points(graded(unit))["crowded"] == low_cut.SUPERVISION_CROWDED_CAP


def test_inspection_findings_of_the_last_two_years_count_by_level(world, unit, low_cut):
    county = world["users"]["county"]
    due = timezone.localdate() + timedelta(days=10)
    findings.raise_finding(by=county, unit=unit, description="安全阀失效", due_on=due, origin="inspection")
    findings.raise_finding(by=county, unit=unit, description="制动器缺陷", due_on=due, origin="inspection",
                           hazard_level="major")
    old = findings.raise_finding(by=county, unit=unit, description="三年前的问题", due_on=due, origin="inspection")
    Finding.objects.filter(pk=old.pk).update(raised_at=timezone.now() - timedelta(days=800))
    findings.raise_finding(by=world["users"]["enterprise"], unit=unit, description="自查隐患", due_on=due)
    risk = graded(unit)
    weights = low_cut.SUPERVISION_INSPECTION_FINDING_POINTS
    assert points(risk) == {"inspection_findings": weights["general"] + weights["major"]}
    assert risk.grade == "B"


def test_findings_not_rectified_by_their_due_date_count_whoever_raised_them(world, unit, low_cut):
    today = timezone.localdate()
    mine = findings.raise_finding(by=world["users"]["enterprise"], unit=unit, description="自查隐患", due_on=today)
    assert "overdue_findings" not in points(graded(unit))
    Finding.objects.filter(pk=mine.pk).update(due_on=today - timedelta(days=3))
    late = findings.raise_finding(by=world["users"]["enterprise"], unit=unit, description="晚整改", due_on=today)
    Finding.objects.filter(pk=late.pk).update(status="closed", due_on=today - timedelta(days=9),
                                              rectified_at=timezone.now() - timedelta(days=2),
                                              verified_at=timezone.now())
    risk = graded(unit)
    assert points(risk) == {"overdue_findings": 2 * low_cut.SUPERVISION_OVERDUE_FINDING_POINTS}
    assert risk.grade == "B"


def month_row(unit, month, owed, shortfall):
    row = UnitMonthCompliance(unit=unit, month=month, days_due=owed, shortfall=shortfall, computed_at=timezone.now())
    row.place_with(unit)
    row.save()


def test_self_check_records_not_filed_on_time_count_by_share_over_the_recent_months(unit, low_cut):
    this_month = timezone.localdate().replace(day=1)
    month_row(unit, this_month, owed=10, shortfall=1)
    assert "compliance" not in points(graded(unit))  # 10 %: below the first step
    month_row(unit, (this_month - timedelta(days=1)).replace(day=1), owed=10, shortfall=9)
    risk = graded(unit)  # 10 of 20 owed: 50 %
    assert points(risk) == {"compliance": low_cut.SUPERVISION_COMPLIANCE_POINTS[0][1]}
    assert risk.reasons[0]["percent"] == 50 and risk.grade == "B"


def test_each_post_without_a_holder_and_a_failed_person_in_post_add_points(world, low_cut):
    unit = world["unit"]
    staff(unit, posts=(Post.PRINCIPAL,))
    risk = graded(unit)
    assert points(risk) == {"missing_posts": 2 * low_cut.SUPERVISION_MISSING_POST_POINTS}
    assert risk.reasons[0]["posts"] == ["safety_director", "safety_officer"]
    UnitStaffing.objects.filter(unit=unit).update(flagged=True)
    assert points(graded(unit))["flagged"] == low_cut.SUPERVISION_FLAGGED_POINTS


def test_a_stopped_unit_owes_no_records_and_no_staff_but_keeps_its_equipment_hazard(world):
    unit = world["unit"]
    equip(unit, "1100")
    month_row(unit, timezone.localdate().replace(day=1), owed=10, shortfall=10)
    Unit.objects.filter(pk=unit.pk).update(status=UnitStatus.STOPPED)
    assert set(points(graded(unit))) == {"categories"}


def test_the_default_weights_grade_a_neglected_crowded_unit_d(world):
    unit = world["unit"]
    equip(unit, "3110", n=3, place_kind="mall")
    equip(unit, "1100")
    month_row(unit, timezone.localdate().replace(day=1), owed=20, shortfall=12)
    risk = graded(unit)
    assert risk.score >= 20 and risk.grade == "D"


def test_sign_ups_not_yet_confirmed_are_not_graded_and_lose_a_stale_grade(world):
    unit = world["unit"]
    grading.regrade()
    assert Unit.objects.get(pk=unit.pk).risk_grade
    Unit.objects.filter(pk=unit.pk).update(status=UnitStatus.PENDING)
    grading.regrade()
    assert Unit.objects.get(pk=unit.pk).risk_grade == ""
    assert not UnitRisk.objects.filter(unit=unit).exists()


# --- Idempotent and set based --------------------------------------------------------------------------------

def snapshot():
    return (sorted(UnitRisk.objects.values_list("unit_id", "grade", "score", "reasons")),
            sorted(Unit.objects.values_list("pk", "risk_grade")))


def test_the_regrade_is_idempotent(world, unit):
    equip(unit, "3110", place_kind="school")
    first = grading.regrade()
    before = snapshot()
    second = grading.regrade()
    assert snapshot() == before
    assert first.graded == second.graded >= 2 and second.changed == 0


def _regrade_queries() -> int:
    with CaptureQueriesContext(connection) as queries:
        grading.regrade()
    return len(queries)


def test_the_regrade_costs_the_same_statements_for_two_units_or_twenty(world):
    few = _regrade_queries()
    for n in range(18):
        u = factories.unit("620102001", name=f"批量单位{n}")
        equip(u, "3110", place_kind="mall" if n % 2 else "")
        findings.raise_finding(by=world["users"]["county"], unit=u, description="问题", origin="inspection",
                               due_on=timezone.localdate())
        month_row(u, timezone.localdate().replace(day=1), owed=5, shortfall=n % 5)
    assert Unit.objects.count() >= 20
    assert _regrade_queries() == few


def test_the_management_command_and_the_nightly_beat_run_the_regrade(world, settings):
    call_command("regrade_units", stdout=__import__("io").StringIO())
    assert UnitRisk.objects.filter(unit=world["unit"]).exists()
    entry = settings.CELERY_BEAT_SCHEDULE["regrade-units"]
    assert entry["task"] == "inspections.supervision.tasks.regrade_units"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({2}, {30})
    from inspections.supervision.tasks import regrade_units

    assert regrade_units.run() == UnitRisk.objects.count()


# --- 重点单位 -------------------------------------------------------------------------------------------------

def test_a_key_unit_takes_the_top_grade_and_the_listing_is_audited(world, unit):
    county = world["users"]["county"]
    assert graded(unit).grade == "A"
    services.set_key_unit(by=county, unit=unit, designated=True, reason="辖区内唯一的中学")
    assert Unit.objects.get(pk=unit.pk).risk_grade == "D"
    risk = UnitRisk.objects.get(unit=unit)
    assert risk.grade == "D" and risk.reasons[-1] == {"code": "key_unit", "points": 0, "reason": "辖区内唯一的中学"}
    event = AuditEvent.objects.filter(object_type="units.Unit", object_id=str(unit.pk)).latest("id")
    assert (event.user, event.detail["action"], event.detail["reason"]) == (county, "designate_key_unit",
                                                                             "辖区内唯一的中学")
    assert graded(unit).grade == "D"  # the nightly run keeps it

    services.set_key_unit(by=county, unit=unit, designated=False, reason="学校已迁出")
    assert Unit.objects.get(pk=unit.pk).risk_grade == "A" and not KeyUnit.objects.filter(unit=unit).exists()
    event = AuditEvent.objects.filter(object_type="units.Unit", object_id=str(unit.pk)).latest("id")
    assert (event.detail["action"], event.detail["previous"]) == ("remove_key_unit", "辖区内唯一的中学")


def test_only_a_regulator_inspecting_the_unit_lists_it_and_a_reason_is_required(world, unit):
    for role in ("other_county", "other_city", "enterprise"):
        with pytest.raises(Http404):
            services.set_key_unit(by=world["users"][role], unit=unit, designated=True, reason="越权")
    with pytest.raises(ValidationError):
        services.set_key_unit(by=world["users"]["station"], unit=unit, designated=True, reason=" ")
    assert not KeyUnit.objects.exists()
    services.set_key_unit(by=world["users"]["station"], unit=unit, designated=True, reason="景区索道")
    assert KeyUnit.objects.get(unit=unit).designated_by == world["users"]["station"]


def test_the_key_unit_form_lists_the_unit_and_the_page_shows_grade_and_reasons(world, unit):
    equip(unit, "3110", place_kind="hospital")
    grading.regrade()
    county = logged_in(world["users"]["county"])
    response = county.post(reverse("supervision:key_unit", args=[unit.pk]),
                           {"designated": "on", "reason": "三甲医院门诊楼电梯"})
    assert response.status_code == 302 and response["Location"] == unit.get_absolute_url()
    panel = county.get(reverse("supervision:unit_risk", args=[unit.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "D 级（高风险）" in panel and "用于公众聚集场所的电梯、大型游乐设施、客运索道 1 台" in panel
    assert "在用设备类别：电梯" in panel and "三甲医院门诊楼电梯" in panel
    mine = logged_in(world["users"]["enterprise"]).get(reverse("supervision:unit_risk", args=[unit.pk]))
    text = mine.content.decode()
    assert mine.status_code == 200 and "D 级（高风险）" in text and "三甲医院门诊楼电梯" not in text
    detail = county.get(unit.get_absolute_url()).content.decode()
    assert reverse("supervision:unit_risk", args=[unit.pk]) in detail


def test_a_directive_past_its_deadline_unverified_counts_even_once_the_unit_rectifies(inspectors, low_cut, tmp_path):
    low_cut.MEDIA_ROOT = tmp_path
    unit = inspectors["unit"]
    staff(unit, posts=(Post.PRINCIPAL, Post.SAFETY_OFFICER))
    directive = issued_directive(inspectors, deadline=timezone.localdate() + timedelta(days=3))
    assert "overdue_directives" not in points(graded(unit))
    assert directive_services.mark_overdue(now=timezone.now() + timedelta(days=5)) == 1
    assert points(graded(unit))["overdue_directives"] == low_cut.SUPERVISION_OVERDUE_DIRECTIVE_POINTS
    directive_services.report(by=inspectors["users"]["enterprise"], directive=directive, note="已建立周排查制度",
                              evidence=[png_upload()])
    risk = graded(unit)
    assert points(risk)["overdue_directives"] == low_cut.SUPERVISION_OVERDUE_DIRECTIVE_POINTS
    assert "近两年安全监察指令书逾期未整改 1 份" in [line.text for line in grading.describe(risk.reasons)]
    Directive.objects.filter(pk=directive.pk).update(issued_at=timezone.now() - timedelta(days=800))
    assert "overdue_directives" not in points(graded(unit))
