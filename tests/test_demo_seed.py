"""The demo data of ``make run`` (issue 8 item 13): the seed commands run again cleanly, and every menu page
of the demo enterprise (qiye1) and the demo county (chengguan) has rows on first login."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from inspections.findings.models import Finding
from inspections.routines.models import RiskListVersion
from inspections.supervision.inspection_choices import DirectiveStatus
from inspections.supervision.models import (
    AnnualPlan,
    Campaign,
    Directive,
    Inspection,
    InspectorCertificate,
    KeyUnit,
    PlanTask,
    Recommendation,
    Referral,
    UnitRisk,
)
from jurisdictions.models import AuditEvent, Delegation, User
from personnel.choices import AssessmentResult
from personnel.models import Certificate, Person, SpotAssessment, Training
from portal.dashboard.navigation import items_for
from units.choices import ApplicationKind, ApplicationStatus, EquipmentStatus, NotificationStatus, UnitStatus
from units.models import Application, Equipment, Unit, WorkNotification

SEEDED = (User, Unit, Equipment, Application, WorkNotification, Person, Certificate, Training, SpotAssessment,
          Delegation, Finding, RiskListVersion, Recommendation, InspectorCertificate, KeyUnit, AnnualPlan, PlanTask,
          Campaign, Inspection, Directive, Referral)


def seed() -> None:
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo_personnel", stdout=io.StringIO())
    call_command("seed_demo_findings", stdout=io.StringIO())
    call_command("seed_demo_routines", stdout=io.StringIO())
    call_command("seed_demo_recommendations", stdout=io.StringIO())
    call_command("seed_demo_supervision", stdout=io.StringIO())
    call_command("seed_demo_plans", stdout=io.StringIO())
    call_command("seed_demo_inspections", stdout=io.StringIO())


@pytest.fixture
def demo(tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    seed()
    return {model: model.objects.count() for model in SEEDED}


def rows_on(response) -> int:
    """How many records the page shows, whichever kind of page it is."""
    context = response.context
    for key in ("table", "equipment_table"):
        if key in context:
            return len(context[key].data)
    if "children" in context:  # the staffing rate: its rows, or the station's own figures
        return len(context["children"]) or context["overall"].total
    if "posts" in context:  # the unit's staff
        return sum(len(p["holders"]) for p in context["posts"])
    if "documents" in context:  # the reference templates
        return len(context["documents"])
    if "summary" in context:  # the regulator's dashboard
        return context["summary"]["units"]
    return 1 if context.get("unit") else 0


def test_the_seed_runs_again_without_adding_or_failing(demo, settings):
    seed()
    assert {model: model.objects.count() for model in SEEDED} == demo


def test_the_demo_has_equipment_applications_and_records_in_every_state(demo):
    assert set(Equipment.objects.values_list("status", flat=True)) == set(EquipmentStatus.values)
    assert set(Application.objects.values_list("status", flat=True)) == set(ApplicationStatus.values)
    assert {ApplicationKind.CHANGE, ApplicationKind.SUSPEND, ApplicationKind.DEREGISTER} <= set(
        Application.objects.values_list("kind", flat=True))
    assert Equipment.objects.exclude(registration_number="").filter(status=EquipmentStatus.IN_USE).exists()
    assert set(WorkNotification.objects.values_list("status", flat=True)) == set(NotificationStatus.values)
    assert set(SpotAssessment.objects.values_list("result", flat=True)) == set(AssessmentResult.values)
    assert Unit.objects.filter(status=UnitStatus.PENDING).exists()
    # Through the services: each application and assessment left its audit event.
    assert AuditEvent.objects.filter(detail__action="submit_application").count() == Application.objects.count()
    assert AuditEvent.objects.filter(detail__action="record_assessment").count() == SpotAssessment.objects.count()


def test_the_demo_has_graded_units_a_key_unit_and_an_expired_inspector_certificate(demo):
    from inspections.supervision.querysets import valid_inspectors
    from jurisdictions.models import Jurisdiction
    from units.services import unit_of

    supervised = Unit.objects.filter(status__in=(UnitStatus.ACTIVE, UnitStatus.STOPPED))
    assert UnitRisk.objects.count() == supervised.count() and not supervised.filter(risk_grade="").exists()
    key = unit_of(User.objects.get(username="qiye1"))
    assert KeyUnit.objects.filter(unit=key).exists() and Unit.objects.get(pk=key.pk).risk_grade == "D"
    today = timezone.localdate()
    assert InspectorCertificate.objects.filter(expires_on__lt=today).count() == 1
    pool = valid_inspectors(Jurisdiction.objects.get(code="620102"), today)
    assert {"chengguan", "chengguan_jcy", "jiuquanlu"} <= {u.username for u in pool}
    assert not valid_inspectors(Jurisdiction.objects.get(code="620500"), today, subtree=False).exists()


@pytest.mark.parametrize("username", ["qiye1", "chengguan"])
def test_every_menu_page_of_the_demo_role_has_rows(demo, username):
    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    empty = []
    for item in items_for(user):
        response = client.get(reverse(item.url_name), follow=True)
        assert response.status_code == 200, item.url_name
        if not rows_on(response):
            empty.append(item.url_name)
    assert empty == []


def test_the_demo_enterprises_have_findings_at_every_stage_and_a_risk_list(demo):
    from inspections.findings.choices import Status
    from units.services import unit_of

    unit = unit_of(User.objects.get(username="qiye1"))
    assert set(Finding.objects.filter(unit=unit).values_list("status", flat=True)) == set(Status.values)
    assert any(f.is_overdue for f in Finding.objects.filter(unit=unit))
    assert RiskListVersion.objects.filter(risk_list__unit=unit).exists()


def test_the_demo_post_holders_log_in_as_their_post_and_the_main_accounts_hold_none(demo):
    from personnel import services
    from personnel.choices import Post
    from units.services import unit_of

    for enterprise in ("qiye2", "qiye3"):
        main = User.objects.get(username=enterprise)
        unit = unit_of(main)
        assert services.person_of(main, unit) is None and services.posts_held(main, unit) == frozenset()
        for suffix, post in (("fuzeren", Post.PRINCIPAL), ("zongjian", Post.SAFETY_DIRECTOR),
                             ("anquanyuan", Post.SAFETY_OFFICER)):
            account = User.objects.get(username=f"{enterprise}_{suffix}")
            assert unit_of(account) == unit and account.check_password("Gansu@2026")
            assert account.display_name == services.person_of(account, unit).name
            assert post in services.posts_held(account, unit)
    assert not User.objects.filter(username__startswith="qiye1_").exists()


def test_the_demo_has_recommendations_at_every_stage_one_overdue_and_escalated(demo):
    from inspections.supervision.recommendation_choices import Status
    from portal.inbox.models import Reminder

    assert set(Recommendation.objects.values_list("status", flat=True)) == set(Status.values)
    overdue = [r for r in Recommendation.objects.select_related("jurisdiction") if r.is_overdue]
    assert [r.jurisdiction.name for r in overdue] == ["七里河区"] and overdue[0].escalated_at is not None
    assert set(Reminder.objects.filter(kind="recommendation_overdue").values_list("recipient__username", flat=True)) \
        == {"qilihe", "lanzhou"}
    assert {"城关区", "七里河区"} <= set(Recommendation.objects.values_list("jurisdiction__name", flat=True))


def test_the_demo_has_lanzhous_plan_published_with_tasks_done_open_and_overdue_and_a_campaign(demo):
    from inspections.supervision.plan_choices import PlanStatus

    plan = AnnualPlan.objects.get(jurisdiction__code="620100", year=timezone.localdate().year)
    assert plan.status == PlanStatus.PUBLISHED and plan.seed == 20260101
    tasks = PlanTask.objects.filter(plan=plan)
    assert tasks.filter(done_on__isnull=False).exists() and tasks.filter(done_on__isnull=True).exists()
    assert {"城关区", "七里河区"} <= set(tasks.values_list("county__name", flat=True))
    assert not tasks.filter(inspector_1__isnull=True).exists()
    assert Campaign.objects.filter(jurisdiction__code="620102").exists()
    page = Client().get(reverse("plans:public_results")).content.decode()
    assert tasks.filter(done_on__isnull=False).first().unit.name in page


def test_the_demo_has_an_inspection_a_directive_awaiting_rectification_and_an_overdue_referral(demo):
    from units.services import unit_of

    unit = unit_of(User.objects.get(username="qiye1"))
    inspections = Inspection.objects.filter(unit=unit, status="completed")
    assert inspections.count() == 2
    assert all({u.username for u in i.inspectors.all()} == {"chengguan", "chengguan_jcy"} for i in inspections)
    assert Finding.objects.filter(origin="inspection", unit=unit).count() == 2
    assert set(Directive.objects.values_list("status", flat=True)) == {DirectiveStatus.ISSUED,
                                                                        DirectiveStatus.OVERDUE}
    assert Referral.objects.get().directive.status == DirectiveStatus.OVERDUE
