"""The staffed-rate roll-up (personnel.rollup; issue 10 §2): the staffing page reads one row per node, counted
for the whole tree by a beat task, instead of aggregating the node's subtree per request. It must say what the
live count says, say when it was counted, cost a province what it costs a county, and show nobody more than
their scope."""

from datetime import timedelta

import pytest
from celery import current_app as celery_app
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone

from jurisdictions import access
from jurisdictions.models import Jurisdiction
from personnel import rollup, services, tasks
from personnel.choices import AssessmentResult, Post
from personnel.models import StaffingRollup, UnitStaffing
from personnel.querysets import staffing_rates
from tests import factories
from tests.factories import node
from units.choices import UnitKind, UnitStatus
from units.models import Unit

TODAY = timezone.localdate()
USAGE_POSTS = (Post.PRINCIPAL, Post.SAFETY_DIRECTOR, Post.SAFETY_OFFICER)
PRODUCTION_POSTS = (Post.PRINCIPAL, Post.QUALITY_SAFETY_DIRECTOR, Post.QUALITY_SAFETY_OFFICER)
TASK = "personnel.tasks.refresh_staffing_rollup"


def fill(by, unit: Unit, posts) -> dict:
    return {post: services.appoint(by=by, unit=unit, person=factories.person(unit), post=post,
                                   started_on=TODAY - timedelta(days=30)) for post in posts}


def set_status(unit: Unit, status: str) -> None:
    Unit.objects.filter(pk=unit.pk).update(status=status)


@pytest.fixture
def landscape(world):
    """Units in two cities, three counties, several stations and 嘉峪关's county-less stations; staffed and
    not, production and usage, stopped (one of them staffed and flagged), flagged by a failed spot assessment,
    placed directly at a county and at a city, and sign-ups not yet confirmed (not counted)."""
    county, province = world["users"]["county"], world["users"]["province"]
    staffed = factories.unit("620102001")
    fill(county, staffed, USAGE_POSTS)
    director = fill(county, factories.unit("620102002"), USAGE_POSTS)[Post.SAFETY_DIRECTOR]
    services.record_assessment(by=county, person=director.person, assessed_on=TODAY - timedelta(days=2), score=40,
                               result=AssessmentResult.FAILED)
    stopped = factories.unit("620102002")
    set_status(stopped, UnitStatus.STOPPED)
    stopped_flagged = factories.unit("620102003", kinds=[UnitKind.PRODUCTION])
    fill(county, stopped_flagged, PRODUCTION_POSTS)
    UnitStaffing.objects.filter(unit=stopped_flagged).update(flagged=True)
    set_status(stopped_flagged, UnitStatus.STOPPED)
    at_county = factories.unit("620102")
    fill(county, at_county, USAGE_POSTS)
    factories.unit("620102")
    factories.unit("620100")
    for status in (UnitStatus.PENDING, UnitStatus.REJECTED):
        set_status(factories.unit("620102001"), status)
    fill(province, factories.unit("620502001", kinds=[UnitKind.USAGE, UnitKind.PRODUCTION]),
         USAGE_POSTS + PRODUCTION_POSTS[1:])
    factories.unit("620502002")
    jiayuguan = factories.unit("620201001")
    fill(province, jiayuguan, USAGE_POSTS)
    factories.unit("620201002")
    return world


def line(rate) -> tuple:
    return rate.key, rate.name, rate.code, rate.total, rate.exempt, rate.staffed, rate.flagged


def page(user, **params):
    client = Client()
    client.force_login(user)
    return client.get(reverse("personnel:staffing"), params)


# --- The roll-up says what the live count says ------------------------------------------------------------

def test_the_roll_up_of_every_node_equals_the_live_count(landscape):
    rollup.refresh()
    placed = Unit.objects.values_list("province_id", "city_id", "county_id", "station_id")
    empty = Jurisdiction.objects.filter(code__in=["620300", "620103", "620102009", "620201100"])
    nodes = {pk for row in placed for pk in row if pk} | set(empty.values_list("pk", flat=True))
    assert len(nodes) > 12
    for n in Jurisdiction.objects.filter(pk__in=nodes):
        overall, children = staffing_rates(Unit.objects.all(), n)
        rolled = rollup.rates(n, access.COMMAND_LINE)
        assert rolled is not None, n.code
        assert line(rolled.overall) == line(overall), n.code
        assert [line(r) for r in rolled.children] == [line(r) for r in children], n.code


def test_the_roll_up_counts_exempt_flagged_and_directly_placed_units_as_the_page_did(landscape):
    rollup.refresh()
    county = rollup.rates(node("620102"), access.COMMAND_LINE)
    # 酒泉路 2 (1 staffed), 张掖路 2 (1 stopped, 1 staffed and flagged), 雁南 1 (stopped, staffed, flagged:
    # exempt, so not counted as flagged), and 2 placed at 城关区 itself (1 staffed).
    assert line(county.overall)[3:] == (7, 2, 3, 1)
    direct = county.children[-1]
    assert (direct.key, direct.node) == (None, None) and direct.name == "（直属本级的单位）"
    assert line(direct)[3:] == (2, 0, 1, 0)
    city = rollup.rates(node("620100"), access.COMMAND_LINE)
    assert line(city.overall)[3:] == (9, 2, 3, 1)
    assert line(city.children[-1])[3:] == (1, 0, 0, 0), "the unit placed at 兰州市 itself"
    jiayuguan = rollup.rates(node("620200"), access.COMMAND_LINE)
    assert [r.code for r in jiayuguan.children if r.total] == ["620201001", "620201002"]
    assert all(r.key is not None for r in jiayuguan.children), "no unit sits at 嘉峪关 itself"
    station = rollup.rates(node("620102002"), access.COMMAND_LINE)
    assert station.children == [] and line(station.overall)[3:] == (2, 1, 1, 1)
    province = rollup.rates(node("620000"), access.COMMAND_LINE)
    assert province.overall.total == Unit.objects.exclude(
        status__in=[UnitStatus.PENDING, UnitStatus.REJECTED]).count() == 13


def test_every_node_has_a_row_and_a_refresh_is_idempotent(landscape):
    def figures():
        return sorted(StaffingRollup.objects.values_list("node_id", *rollup.FIGURES))

    assert rollup.refresh() == Jurisdiction.objects.count()
    first, first_as_of = figures(), set(StaffingRollup.objects.values_list("as_of", flat=True))
    assert rollup.refresh() == Jurisdiction.objects.count() == StaffingRollup.objects.count()
    assert figures() == first
    second_as_of = set(StaffingRollup.objects.values_list("as_of", flat=True))
    assert len(first_as_of) == len(second_as_of) == 1, "one as-of time for the whole refresh"
    assert second_as_of.pop() >= first_as_of.pop()


def test_a_refresh_holds_the_advisory_lock_until_it_commits(landscape):
    """Concurrent refreshes queue on the lock instead of interleaving their deletes and inserts; the test runs
    inside a transaction, so the lock the refresh took is still held here."""
    rollup.refresh()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s AND granted "
                       "AND pid = pg_backend_pid()", [rollup.LOCK_KEY])
        assert cursor.fetchone()[0] == 1


def test_the_roll_up_is_a_snapshot_until_the_next_refresh(landscape):
    rollup.refresh()
    fill(landscape["users"]["county"], landscape["unit"], USAGE_POSTS)
    before = rollup.rates(node("620102"), access.COMMAND_LINE).overall.staffed
    rollup.refresh()
    assert rollup.rates(node("620102"), access.COMMAND_LINE).overall.staffed == before + 1


# --- The page -------------------------------------------------------------------------------------------------

def test_the_page_shows_the_roll_ups_figures_and_when_they_were_counted(landscape):
    rollup.refresh()
    as_of = StaffingRollup.objects.values_list("as_of", flat=True).first()
    fill(landscape["users"]["county"], landscape["unit"], USAGE_POSTS)  # counted live, not yet rolled up
    response = page(landscape["users"]["city"], node=node("620102").pk)
    assert response.status_code == 200
    context = response.context
    assert context["as_of"] == as_of
    assert line(context["overall"])[3:] == (7, 2, 3, 1)
    rolled = rollup.rates(node("620102"), access.COMMAND_LINE)
    assert [line(r) for r in context["children"]] == [line(r) for r in rolled.children]
    html = response.content.decode()
    when = formats.date_format(timezone.localtime(as_of), "DATETIME_FORMAT")
    assert f"数据截至 {when}，每 {django_settings.STAFFING_ROLLUP_MINUTES} 分钟更新" in html
    assert '<div class="fs-5" data-testid="staffed-count">3 / 5</div>' in html


def test_without_a_roll_up_the_page_counts_live_and_says_so(landscape):
    response = page(landscape["users"]["county"])
    assert response.context["as_of"] is None
    overall, _children = staffing_rates(access.scope(Unit.objects.all(), landscape["users"]["county"]), node("620102"))
    assert line(response.context["overall"]) == line(overall)
    assert "数据为实时统计" in response.content.decode()


def test_a_child_made_since_the_refresh_sends_the_page_to_the_live_count(landscape):
    rollup.refresh()
    StaffingRollup.objects.filter(node=node("620102002")).delete()  # as if the station were made after it
    assert rollup.rates(node("620102"), access.COMMAND_LINE) is None
    response = page(landscape["users"]["county"])
    assert response.context["as_of"] is None
    assert line(response.context["overall"])[3:] == (7, 2, 3, 1)
    assert [r.code for r in response.context["children"]][:2] == ["620102001", "620102002"]


def test_without_a_broker_the_page_refreshes_a_missing_or_stale_roll_up_itself(landscape, settings):
    """The quick start runs no beat (tasks inline): the page is what keeps its roll-up fresh."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    response = page(landscape["users"]["county"])
    assert response.context["as_of"] is not None
    assert StaffingRollup.objects.count() == Jurisdiction.objects.count()
    old = timezone.now() - timedelta(minutes=settings.STAFFING_ROLLUP_MINUTES + 1)
    StaffingRollup.objects.update(as_of=old)
    fill(landscape["users"]["county"], landscape["unit"], USAGE_POSTS)
    response = page(landscape["users"]["county"])
    assert response.context["as_of"] > old
    assert response.context["overall"].staffed == 4
    fresh = response.context["as_of"]
    assert page(landscape["users"]["county"]).context["as_of"] == fresh, "a fresh roll-up is read, not rebuilt"


def test_with_a_broker_a_stale_roll_up_is_shown_with_its_date_not_rebuilt_by_the_page(landscape, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    rollup.refresh()
    old = timezone.now() - timedelta(hours=3)
    StaffingRollup.objects.update(as_of=old)
    assert page(landscape["users"]["county"]).context["as_of"] == old


def requests_sql(user, **params) -> list[str]:
    client = Client()
    client.force_login(user)
    assert client.get(reverse("personnel:staffing"), params).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("personnel:staffing"), params).status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def test_the_page_costs_a_province_what_it_costs_a_county_and_reads_no_units(landscape):
    rollup.refresh()
    users = landscape["users"]
    sent = {name: requests_sql(users[name]) for name in ("province", "city", "county", "station")}
    counts = {name: len(sql) for name, sql in sent.items()}
    assert counts["province"] == counts["city"] == counts["county"], counts
    assert counts["station"] == counts["county"] - 1, "a station's children are known without a query"
    for name, sql in sent.items():
        assert not [s for s in sql if '"units_unit"' in s or '"personnel_unitstaffing"' in s], name
    assert len(requests_sql(users["province"], node=node("620102").pk)) == len(
        requests_sql(users["county"], node=node("620102").pk)) == counts["county"] + 1


# --- Scope ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("user", "code"), [("county", "620103"), ("county", "620100"), ("county", "620000"),
                                            ("city", "620500"), ("station", "620102"), ("other_city", "620102")])
def test_a_node_outside_the_users_scope_is_404_with_a_roll_up_as_without(landscape, user, code):
    assert page(landscape["users"][user], node=node(code).pk).status_code == 404
    rollup.refresh()
    assert page(landscape["users"][user], node=node(code).pk).status_code == 404


def test_the_roll_up_answers_only_for_nodes_in_the_users_scope(landscape):
    """A node's row holds its whole subtree, which a grant on the node or above covers whole; a node out of
    scope would make the page count live over the user's own units instead (the view 404s before that)."""
    rollup.refresh()
    county = landscape["users"]["county"]
    assert rollup.rates(node("620100"), county) is None
    assert rollup.rates(node("620103"), county) is None
    assert rollup.rates(node("620102"), county) is not None
    assert rollup.rates(node("620102001"), county) is not None
    assert set(access.scope(StaffingRollup.objects.all(), county).values_list("node__code", flat=True)) == set(
        access.node_scope(county).values_list("code", flat=True)), "scoped like its node, should a list read it"


def test_a_city_leader_drilling_into_a_county_sees_that_countys_figures_only(landscape):
    rollup.refresh()
    response = page(landscape["users"]["city"], node=node("620102").pk)
    overall, children = staffing_rates(access.scope(Unit.objects.all(), landscape["users"]["county"]), node("620102"))
    assert line(response.context["overall"]) == line(overall)
    assert [line(r) for r in response.context["children"]] == [line(r) for r in children]


# --- The task, the beat and the command -------------------------------------------------------------------

def test_the_beat_schedule_runs_the_registered_refresh_task():
    entries = [e for e in django_settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == TASK]
    assert len(entries) == 1
    assert entries[0]["schedule"] == django_settings.STAFFING_ROLLUP_MINUTES * 60
    celery_app.loader.import_default_modules()  # what a worker does at start: autodiscovery
    assert TASK in celery_app.tasks


def test_the_task_and_the_command_refresh_the_roll_up(landscape, capsys):
    assert tasks.refresh_staffing_rollup() == Jurisdiction.objects.count()
    StaffingRollup.objects.all().delete()
    call_command("refresh_staffing")
    assert StaffingRollup.objects.count() == Jurisdiction.objects.count()
    assert f"已重算 {Jurisdiction.objects.count()} 个辖区的人员配备率" in capsys.readouterr().out
