"""An inspection opened from a plan or campaign task carries it out (docs/domain.md §Inspection record, §Annual
plan): the form starts from the task's kind and drawn pair, completing the record completes the task with the
disposition as its result, a task not the unit's, not yet published or already done is refused, and the units an
inspector inspected are their "recent units" for the next draw."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from inspections.supervision import plan_draw, plan_services
from inspections.supervision.inspection_choices import InspectionKind
from inspections.supervision.models import AnnualPlan, PlanTask
from inspections.supervision.plan_choices import TaskResult
from jurisdictions.models import AuditEvent
from tests import factories
from tests.factories import logged_in
from tests.inspections.supervision_world import TODAY, completed_record, open_record
from units.choices import EquipmentStatus
from units.models import Equipment, EquipmentType
from units.services import add_equipment


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.SUPERVISION_PLAN_RATIOS = dict.fromkeys(settings.SUPERVISION_PLAN_RATIOS, 1.0)
    settings.SUPERVISION_PLAN_KEY_RATIO = 1.0


def plan(w, *, publish=True) -> AnnualPlan:
    """兰州's plan for this year, drawing every unit of its pool: the world's 城关区 unit (it has an elevator) gets
    a pair of 城关区's inspectors valid on the plan's first day. Equipment of 城关区 is registered in use, so its
    units are in the pool."""
    leader = w["users"]["city"]
    Equipment.objects.filter(unit__county__code="620102").update(status=EquipmentStatus.IN_USE)
    made = plan_services.create_plan(by=leader, year=TODAY.year, title="", starts_on=date(TODAY.year, 1, 1),
                                     ends_on=date(TODAY.year, 12, 31), seed=7)
    if publish:
        plan_services.approve(by=leader, plan=made)
        made = plan_services.publish(by=leader, plan=made)
    return made


def task_of(plan, unit) -> PlanTask:
    return PlanTask.objects.get(plan=plan, unit=unit)


def test_the_form_opened_from_a_task_starts_from_its_kind_and_drawn_pair(inspectors):
    users = inspectors["users"]
    task = task_of(plan(inspectors), inspectors["unit"])
    assert task.inspector_1_id and task.inspector_2_id
    url = reverse("inspections:inspection_create", args=[inspectors["unit"].pk])
    form = logged_in(users["county"]).get(f"{url}?task={task.pk}").context["form"]
    assert form.initial["task"] == task.pk and form.initial["kind"] == InspectionKind.ROUTINE
    assert set(form.initial["inspectors"]) == {task.inspector_1_id, task.inspector_2_id}
    response = logged_in(users["county"]).post(url, {
        "kind": InspectionKind.ROUTINE, "inspectors": [users["county"].pk, users["station"].pk],
        "equipment_codes": "", "task": task.pk})
    assert response.status_code == 302
    assert inspectors["unit"].inspections.get().task == task


def test_completing_the_record_completes_its_task_with_the_disposition_as_result(inspectors):
    task = task_of(plan(inspectors), inspectors["unit"])
    inspection = completed_record(inspectors, task=task)
    task.refresh_from_db()
    assert task.done_on == TODAY and task.result == TaskResult.RECTIFY
    assert task.completed_by == inspectors["users"]["county"] and str(inspection.pk) in task.note
    event = AuditEvent.objects.get(detail__action="complete_plan_task")
    assert event.detail["unit"] == inspectors["unit"].pk
    page = logged_in(inspectors["users"]["county"]).get(inspection.get_absolute_url()).content.decode()
    assert 'data-testid="task"' in page and "任务已完成" in page


def test_a_task_done_by_hand_meanwhile_keeps_what_was_written(inspectors):
    county = inspectors["users"]["county"]
    task = task_of(plan(inspectors), inspectors["unit"])
    inspection = open_record(inspectors, task=task)
    plan_services.complete_task(task, by=county, done_on=TODAY, result=TaskResult.OTHER, note="纸质记录")
    with pytest.raises(ValidationError, match="已于"):
        open_record(inspectors, task=task)
    assert inspection.task_id == task.pk
    task.refresh_from_db()
    assert task.result == TaskResult.OTHER and task.note == "纸质记录"


def test_a_task_of_another_unit_or_of_an_unpublished_plan_is_refused(inspectors):
    users, unit = inspectors["users"], inspectors["unit"]
    neighbour = factories.unit("620102001", name="城关抽查邻居有限公司")
    add_equipment(by=factories.system_user(), unit=neighbour, equipment_type=EquipmentType.objects.get(code="3110"))
    draft = plan(inspectors, publish=False)
    with pytest.raises(ValidationError, match="计划发布后"):
        open_record(inspectors, task=task_of(draft, unit))
    plan_services.approve(by=users["city"], plan=draft)
    plan_services.publish(by=users["city"], plan=draft)
    with pytest.raises(ValidationError, match="不是本单位"):
        open_record(inspectors, task=task_of(draft, neighbour))
    assert not unit.inspections.exists()


def test_the_units_an_inspector_inspected_are_their_recent_units(inspectors):
    users = inspectors["users"]
    since = TODAY - timedelta(days=30)
    assert inspectors["unit"].pk not in plan_draw.recent_units(users["station"], since)
    open_record(inspectors)
    assert inspectors["unit"].pk in plan_draw.recent_units(users["station"], since)
    assert inspectors["unit"].pk not in plan_draw.recent_units(users["station"], TODAY + timedelta(days=1))
