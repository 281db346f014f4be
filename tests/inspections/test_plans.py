"""The annual routine plan and the campaigns (docs/domain.md §Annual plan, §Campaigns): the 双随机 draw is reproducible
from its seed, draws each grade at its ratio and each unit of a grade with the same chance, takes its inspectors in
pairs from the county's valid certificate holders only and never sends one back to a unit they were assigned
recently; draft → approved → published by the city's leader, audited and locked; a county sees and completes only
its own tasks; the public results show no person; the plan PDF reads back."""

import io
import math
import random
import re
from collections import Counter
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from inspections.supervision import plan_documents, plan_draw, plan_services, services
from inspections.supervision.models import AnnualPlan, KeyUnit, PlanTask
from inspections.supervision.plan_choices import KEY, PlanStatus
from inspections.supervision.plan_draw import Candidate
from inspections.supervision.plan_views import LIVE_TASKS
from jurisdictions import access
from jurisdictions.duties import Role
from jurisdictions.models import AuditEvent
from portal.inbox.todos import todos_for
from portal.kit.models import OutboxMessage
from portal.kit.samples import make_uscc
from tests import factories
from tests.factories import logged_in, node
from units.models import Equipment, EquipmentType, Unit

TODAY = timezone.localdate()
YEAR = TODAY.year
RATIOS = {"A": 0.05, "B": 0.10, "C": 0.20, "D": 0.50}
# stations of 城关区 and 七里河区, and the number of production units (in the pool as licensed) per grade at each
STATIONS = {"620102001": "620102", "620103001": "620103"}
PER_GRADE = {"A": 60, "B": 30, "C": 20, "D": 6}


@pytest.fixture(autouse=True)
def _ratios(settings):
    settings.SUPERVISION_PLAN_RATIOS = RATIOS
    settings.SUPERVISION_PLAN_KEY_RATIO = 0.5


def certify(holder, number, *, expires=TODAY + timedelta(days=365)):
    return services.add_certificate(by=access.COMMAND_LINE, holder=holder, number=number, certificate_class="B",
                                    issued_by="甘肃省市场监督管理局", issued_on=TODAY - timedelta(days=800),
                                    expires_on=expires)


def bulk_units(station: str, grade: str, count: int, rng: random.Random, kinds=("production",)) -> list[Unit]:
    n = node(station)
    units = []
    for i in range(count):
        u = Unit(uscc=make_uscc(n.code, rng), name=f"抽查{station}{grade}{i}号", kinds=list(kinds), risk_grade=grade)
        u.place(n)
        units.append(u)
    return Unit.objects.bulk_create(units)


@pytest.fixture
def city(world):
    """兰州's pool: production units of each grade in 城关区 and 七里河区; a usage unit with an elevator in use (in
    the pool) and one without registered equipment (not); certificates for four 城关区 accounts and three 七里河区
    ones, in force since two years; one more 城关区 certificate expired before last year and a 城关区 clerk's,
    whom the draw must never name."""
    rng = random.Random(5)
    units = {station: {g: bulk_units(station, g, n, rng) for g, n in PER_GRADE.items()} for station in STATIONS}
    users = world["users"]
    inspectors = {
        "620102": [users["county"], users["station"], factories.regulator("620102", Role.INSPECTOR, "cg_jcy1"),
                   factories.regulator("620102001", Role.INSPECTOR, "cg_jcy2")],
        "620103": [users["other_county"], factories.regulator("620103", Role.INSPECTOR, "qlh_jcy1"),
                   factories.regulator("620103001", Role.INSPECTOR, "qlh_jcy2")],
    }
    for county, people in inspectors.items():
        for n, holder in enumerate(people):
            certify(holder, f"PLAN-{county}-{n}")
    expired = factories.regulator("620102", Role.INSPECTOR, "cg_expired")
    certify(expired, "PLAN-EXPIRED", expires=date(YEAR - 1, 1, 1) - timedelta(days=1))
    clerk = factories.regulator("620102", Role.CLERK, "cg_clerk")
    certify(clerk, "PLAN-CLERK")
    user_unit = world["unit"]  # usage, 城关区
    elevator = EquipmentType.objects.get(code="3110")
    Equipment.objects.create(unit=user_unit, equipment_type=elevator, category=EquipmentType.objects.get(code="3000"),
                             status="in_use", province_id=user_unit.province_id, city_id=user_unit.city_id,
                             county_id=user_unit.county_id, station_id=user_unit.station_id,
                             jurisdiction_id=user_unit.jurisdiction_id)
    return {"units": units, "inspectors": inspectors, "expired": expired, "clerk": clerk, "user_unit": user_unit,
            "bare_unit": world["other_unit"], "leader": users["city"]}


def plan_for(city, year=YEAR, seed=42, **kwargs) -> AnnualPlan:
    return plan_services.create_plan(by=city["leader"], year=year, title="", starts_on=date(year, 1, 1),
                                     ends_on=date(year, 12, 15), seed=seed, **kwargs)


def published(city, **kwargs) -> AnnualPlan:
    plan = plan_for(city, **kwargs)
    plan_services.approve(by=city["leader"], plan=plan)
    return plan_services.publish(by=city["leader"], plan=plan)


def sample(plan) -> list[tuple]:
    return list(PlanTask.objects.filter(plan=plan).order_by("unit_id").values_list(
        "unit_id", "inspector_1_id", "inspector_2_id", "due_on"))


# --- The pool and the draw ---------------------------------------------------------------------------------------

def test_pool_is_the_registered_users_and_the_licensed_producers_of_the_city(city):
    pool = {c.unit_id for c in plan_draw.plan_pool(node("620100"))}
    producers = {u.pk for by_grade in city["units"].values() for us in by_grade.values() for u in us}
    assert pool == producers | {city["user_unit"].pk}
    assert city["bare_unit"].pk not in pool
    assert not {c.unit_id for c in plan_draw.plan_pool(node("620500"))} & pool


def test_the_same_seed_draws_the_same_sample_and_pairs(city):
    plan = plan_for(city, seed=20260101)
    first = sample(plan)
    plan_services.redraw(by=city["leader"], plan=plan, seed=777)
    other = sample(plan)
    plan_services.redraw(by=city["leader"], plan=plan, seed=20260101)
    assert sample(plan) == first
    assert {row[0] for row in other} != {row[0] for row in first}
    plan.refresh_from_db()
    assert plan.seed == 20260101
    assert [e.detail["seed"] for e in AuditEvent.objects.filter(detail__action="redraw_annual_plan").order_by("pk")] \
        == [777, 20260101]


def test_each_grade_is_drawn_at_its_ratio_and_key_units_at_least_half(city):
    KeyUnit.objects.create(unit=city["units"]["620102001"]["A"][0], reason="测试")
    plan = plan_for(city)
    strata = plan.pool["strata"]
    for grade, ratio in RATIOS.items():
        stratum = KEY if grade == "D" else grade
        pool = strata[stratum]["pool"]
        assert strata[stratum]["drawn"] == math.ceil(pool * ratio)
    assert strata[KEY]["pool"] == 2 * PER_GRADE["D"] + 1
    drawn_key = PlanTask.objects.filter(plan=plan).filter(key=True).count() + PlanTask.objects.filter(
        plan=plan, grade="D", key=False).count()
    assert drawn_key == strata[KEY]["drawn"] >= 0.5 * strata[KEY]["pool"]


def _pool(sizes: dict[str, int]) -> list[Candidate]:
    pk = iter(range(1, 10**6))
    return [Candidate(next(pk), grade, False, 1, 1, 1, 1, 1) for grade, n in sizes.items() for _ in range(n)]


def test_over_many_draws_each_grade_and_each_unit_of_it_is_drawn_at_the_ratio():
    """The share per grade is its ratio every time; and over 600 seeds each unit's frequency stays within five
    binomial standard deviations of its grade's ratio, the low ids no likelier than the high ones — so the draw
    is uniform within the stratum, not merely the right size."""
    sizes = {"A": 400, "B": 150, "C": 60, "D": 20}
    pool = _pool(sizes)
    ratio = {**RATIOS, KEY: 0.5}
    grade_of = {c.unit_id: c.grade for c in pool}
    seen: Counter = Counter()
    draws = 600
    for seed in range(draws):
        drawn = plan_draw.sample_units(pool, seed, ratio)
        per_grade = Counter(grade_of[c.unit_id] for c in drawn)
        for grade, n in sizes.items():
            share = per_grade[grade] / n
            assert abs(share - ratio[KEY if grade == "D" else grade]) <= 1 / n
        seen.update(c.unit_id for c in drawn)
    for grade, n in sizes.items():
        p = math.ceil(n * ratio[KEY if grade == "D" else grade]) / n
        sd = math.sqrt(draws * p * (1 - p))
        ids = sorted(pk for pk, g in grade_of.items() if g == grade)
        assert all(abs(seen[pk] - draws * p) <= 5 * sd for pk in ids), grade
        low, high = ids[: len(ids) // 2], ids[len(ids) // 2:]
        assert abs(sum(seen[pk] for pk in low) / len(low) - sum(seen[pk] for pk in high) / len(high)) <= 3 * sd / \
            math.sqrt(len(low) / 2)


def test_only_valid_certificate_holders_of_the_units_county_are_drawn(city):
    plan = plan_for(city)
    pools = {county: {u.pk for u in people} for county, people in city["inspectors"].items()}
    tasks = PlanTask.objects.filter(plan=plan).select_related("county")
    assert tasks.exists()
    for task in tasks:
        pair = {task.inspector_1_id, task.inspector_2_id}
        assert len(pair) == 2
        assert pair <= pools[task.county.code]
    named = set(tasks.values_list("inspector_1_id", flat=True)) | set(tasks.values_list("inspector_2_id", flat=True))
    assert city["expired"].pk not in named and city["clerk"].pk not in named


def test_no_inspector_is_drawn_for_a_unit_among_their_recent_units(city, settings):
    """Everything drawn two years running: with four valid inspectors in 城关区 each unit's second pair is the two
    who did not have it the first year; 七里河区 has three, so nobody is left to pair and its tasks wait."""
    settings.SUPERVISION_PLAN_RATIOS = dict.fromkeys(RATIOS, 1.0)
    settings.SUPERVISION_PLAN_KEY_RATIO = 1.0
    first = published(city, year=YEAR - 1, seed=1)
    second = plan_for(city, year=YEAR, seed=2)
    since = second.starts_on - timedelta(days=settings.SUPERVISION_PLAN_RECENT_DAYS)
    before = {t.unit_id: {t.inspector_1_id, t.inspector_2_id} for t in first.tasks.all()}
    for task in second.tasks.select_related("inspector_1", "inspector_2", "county"):
        if task.county.code == "620102":
            assert {task.inspector_1_id, task.inspector_2_id}.isdisjoint(before[task.unit_id])
            for inspector in (task.inspector_1, task.inspector_2):
                assert task.unit_id not in plan_draw.recent_units(inspector, since)
        else:
            assert task.inspector_1_id is None
    assert second.pool["unstaffed"] == second.tasks.filter(county__code="620103").count() > 0
    with pytest.raises(ValidationError, match="未能抽到两名"):
        plan_services.approve(by=city["leader"], plan=second)


def test_due_dates_spread_over_the_year_with_the_key_units_first(city):
    plan = plan_for(city)
    dues = sorted(set(plan.tasks.values_list("due_on", flat=True)))
    assert dues[-1] == plan.ends_on and len(dues) == 4
    for county in ("620102", "620103"):
        key_due = max(plan.tasks.filter(county__code=county, grade="D").values_list("due_on", flat=True))
        assert key_due <= min(plan.tasks.filter(county__code=county, grade="A").values_list("due_on", flat=True))


# --- States ------------------------------------------------------------------------------------------------------

def test_draft_approved_published_by_the_city_leader_audited_and_locked(city, world):
    plan = plan_for(city)
    county = world["users"]["county"]
    with pytest.raises((ValidationError, Http404)):
        plan_services.approve(by=county, plan=plan)
    inspector = factories.regulator("620100", Role.INSPECTOR, "lz_jcy")
    with pytest.raises((ValidationError, Http404)):
        plan_services.approve(by=inspector, plan=plan)
    with pytest.raises(ValidationError):
        plan_services.publish(by=city["leader"], plan=plan)
    plan_services.approve(by=city["leader"], plan=plan)
    with pytest.raises(ValidationError):
        plan_services.redraw(by=city["leader"], plan=plan)
    plan = plan_services.publish(by=city["leader"], plan=plan)
    assert plan.status == PlanStatus.PUBLISHED and plan.published_by == city["leader"]
    for action in ("redraw", "approve", "publish"):
        with pytest.raises(ValidationError):
            getattr(plan_services, action)(by=city["leader"], plan=plan)
    actions = list(AuditEvent.objects.filter(detail__action__endswith="annual_plan").order_by("pk")
                   .values_list("detail__action", flat=True))
    assert actions == ["create_annual_plan", "approve_annual_plan", "publish_annual_plan"]
    with pytest.raises(ValidationError):
        plan_for(city, seed=5)


def test_the_pages_draw_approve_publish_and_show_the_seed(city):
    client = logged_in(city["leader"])
    response = client.post(reverse("plans:plan_create"), {
        "year": YEAR, "title": "", "starts_on": f"{YEAR}-01-01", "ends_on": f"{YEAR}-12-15", "seed": "123456"})
    plan = AnnualPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "123456" in page and 'data-testid="approve"' in page and "progress-data" in page
    assert client.post(reverse("plans:plan_approve", args=[plan.pk])).status_code == 302
    assert client.post(reverse("plans:plan_publish", args=[plan.pk])).status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED
    assert client.get(reverse("plans:plan_redraw", args=[plan.pk])).status_code == 404


# --- Tasks -------------------------------------------------------------------------------------------------------

def test_a_county_sees_only_its_own_tasks_once_the_plan_is_published(city, world):
    plan = plan_for(city)
    county = world["users"]["county"]
    def rows(user):
        return access.scope(PlanTask.objects.filter(LIVE_TASKS), user)

    assert not rows(county).exists()
    plan_services.approve(by=city["leader"], plan=plan)
    plan_services.publish(by=city["leader"], plan=plan)
    mine = rows(county)
    assert mine.exists() and set(mine.values_list("county__code", flat=True)) == {"620102"}
    page = logged_in(county).get(reverse("plans:task_list")).content.decode()
    assert "抽查620102001" in page and "抽查620103001" not in page
    other = PlanTask.objects.filter(plan=plan, county__code="620103").first()
    with pytest.raises(Http404):
        plan_services.complete_task(other, by=county, done_on=TODAY, result="no_problem")
    assert logged_in(county).get(reverse("plans:task_complete", args=[other.pk])).status_code == 404
    assert logged_in(world["users"]["other_city"]).get(plan.get_absolute_url()).status_code == 404
    assert logged_in(county).get(plan.get_absolute_url()).status_code == 200


def test_complete_task_once_audited_and_counted_in_the_progress_and_the_todo(city, world):
    plan = published(city)
    county = world["users"]["county"]
    todos = [t for t in todos_for(county) if t.kind == "plan_task"]
    open_count = PlanTask.objects.filter(plan=plan, county__code="620102").count()
    assert todos and str(open_count) in todos[0].title
    task = PlanTask.objects.filter(plan=plan, county__code="620102").order_by("pk").first()
    with pytest.raises(ValidationError):
        plan_services.complete_task(task, by=county, done_on=TODAY + timedelta(days=1), result="no_problem")
    response = logged_in(county).post(reverse("plans:task_complete", args=[task.pk]), {
        "done_on": TODAY.isoformat(), "result": "rectify", "note": "电梯维保记录不全"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.done_on == TODAY and task.result == "rectify" and task.completed_by == county
    with pytest.raises(ValidationError):
        plan_services.complete_task(task, by=county, done_on=TODAY, result="no_problem")
    event = AuditEvent.objects.get(detail__action="complete_plan_task")
    assert event.detail["unit"] == task.unit_id and event.detail["result"] == "rectify"
    page = logged_in(city["leader"]).get(plan.get_absolute_url()).content.decode()
    assert re.search(r"城关区</td><td class=\"text-end\">\d+</td><td class=\"text-end\">1</td>", page)
    assert str(open_count - 1) in next(t for t in todos_for(county) if t.kind == "plan_task").title


# --- 一公开 --------------------------------------------------------------------------------------------------------

def test_the_public_results_list_unit_date_result_and_no_personal_data(city, client):
    plan = published(city)
    people = [u for group in city["inspectors"].values() for u in group] + [city["leader"]]
    for n, holder in enumerate(people):
        type(holder).objects.filter(pk=holder.pk).update(display_name=f"检查员姓名{n}")
    Unit.objects.filter(pk__in=plan.tasks.values("unit")).update(legal_representative="法人代表甲",
                                                                  contact_person="联系人乙")
    done = list(plan.tasks.select_related("unit", "inspector_1", "inspector_2", "completed_by")[:3])
    for task in done:
        plan_services.complete_task(task, by=world_county(task), done_on=TODAY, result="no_problem",
                                    note="检查人员张三现场说明")
    response = client.get(reverse("plans:public_results"))
    assert response.status_code == 200
    page = response.content.decode()
    for task in done:
        assert task.unit.name in page
    assert "未发现问题" in page and TODAY.strftime("%Y") in page
    assert "检查员姓名" not in page and "法人代表甲" not in page and "联系人乙" not in page and "张三" not in page
    for user in people:
        if "_jcy" in user.username:  # the world's own accounts are called "county", "city"…: words of the page
            assert user.username not in page
    for task in done:
        assert task.unit.uscc not in page
    assert not re.search(r"1[3-9]\d{9}", page)
    assert "not_published" not in page
    other = plan_for(city, year=YEAR + 1, seed=9)
    assert other.tasks.exists()
    assert client.get(reverse("plans:public_results") + "?q=抽查").content.decode().count("<tr>") == len(done) + 1


def world_county(task):
    from jurisdictions.models import User

    return User.objects.get(username="county" if task.county.code == "620102" else "other_county")


# --- The PDF -----------------------------------------------------------------------------------------------------

def test_the_plan_pdf_reads_back_with_its_units_seed_and_ratios(city, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    plan = published(city, seed=987654321)
    url = reverse("plans:plan_pdf", args=[plan.pk])
    waiting = logged_in(city["leader"]).get(url)
    assert waiting.status_code == 202 and "正在生成" in waiting.content.decode()
    message = OutboxMessage.objects.get(dedup_key=f"plan-document:{plan.pk}")
    assert message.task == plan_documents.STORE_TASK and message.args == [plan.pk]
    assert plan_documents.store(plan.pk) is True
    assert plan_documents.store(plan.pk) is False  # rendered once: a rerun finds it stored
    response = logged_in(city["leader"]).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content) if response.streaming else response.content
    reader = PdfReader(io.BytesIO(content))
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))
    assert "\ufffd" not in text
    assert "987654321" in text and "兰州市市场监督管理局" in text and "双随机、一公开" in text
    for task in plan.tasks.select_related("unit", "county")[:20]:
        assert task.unit.name in text and task.county.name in text
    assert "50.0%" in text and "5.0%" in text
    assert AuditEvent.objects.filter(kind="download", detail__file__endswith=".pdf").exists()
    assert logged_in(world["users"]["county"]).get(url).status_code == 200
    draft = plan_for(city, year=YEAR + 1)
    assert logged_in(city["leader"]).get(reverse("plans:plan_pdf", args=[draft.pk])).status_code == 404


# --- Campaigns ---------------------------------------------------------------------------------------------------

def test_a_county_campaign_over_its_own_area_with_progress_per_station(city, world):
    county = world["users"]["county"]
    with pytest.raises(ValidationError):
        plan_services.launch_campaign(by=county, title="越界专项", scope=node("620103"), checklist="一",
                                      deadline=TODAY + timedelta(days=30))
    campaign = plan_services.launch_campaign(
        by=county, title="电梯安全专项检查", scope=node("620102"), checklist="维保记录\n\n应急救援演练\n",
        deadline=TODAY + timedelta(days=30), categories=["3000"])
    assert list(campaign.tasks.values_list("unit_id", flat=True)) == [city["user_unit"].pk]
    assert campaign.checklist_lines() == ["维保记录", "应急救援演练"]
    wide = plan_services.launch_campaign(by=county, title="生产单位专项", scope=node("620102"), checklist="许可条件",
                                         deadline=TODAY + timedelta(days=30), unit_kinds=["production"])
    assert wide.tasks.count() == sum(PER_GRADE.values())
    page = logged_in(county).get(wide.get_absolute_url()).content.decode()
    assert "许可条件" in page and "酒泉路" in page
    assert logged_in(world["users"]["other_county"]).get(wide.get_absolute_url()).status_code == 404
    assert logged_in(world["users"]["station"]).get(wide.get_absolute_url()).status_code == 200
    task = wide.tasks.first()
    plan_services.complete_task(task, by=world["users"]["station"], done_on=TODAY, result="other")
    assert AuditEvent.objects.filter(detail__action="launch_campaign").count() == 2


def test_a_station_launches_no_campaign(world):
    with pytest.raises(ValidationError):
        plan_services.launch_campaign(by=world["users"]["station"], title="所级专项", scope=node("620102001"),
                                      checklist="一", deadline=TODAY)
