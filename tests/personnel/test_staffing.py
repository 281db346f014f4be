"""The staffing indicator (seed 002 附件 1–6, 9–10; Orders 73/74): which posts make a unit staffed, who
may hold two posts, how a single-holder post is handed over, how the rate is counted per child node,
and how a failed spot assessment flags the person and the unit (附件 8; Order 74 Art. 147)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jurisdictions import access
from personnel import services
from personnel.choices import AssessmentResult, EndReason, Post
from personnel.models import Appointment, Person, UnitStaffing
from personnel.querysets import staffing_rates, unstaffed
from tests import factories
from tests.factories import node
from units.choices import UnitKind, UnitStatus
from units.models import Unit

TODAY = timezone.localdate()
START = TODAY - timedelta(days=60)
USAGE_POSTS = (Post.PRINCIPAL, Post.SAFETY_DIRECTOR, Post.SAFETY_OFFICER)
PRODUCTION_POSTS = (Post.PRINCIPAL, Post.QUALITY_SAFETY_DIRECTOR, Post.QUALITY_SAFETY_OFFICER)


def appoint(by, person: Person, post: str, started_on=START) -> Appointment:
    return services.appoint(by=by, unit=person.unit, person=person, post=post, started_on=started_on)


def fill(by, unit: Unit, posts) -> dict[str, Appointment]:
    """One new person per post."""
    return {post: appoint(by, factories.person(unit), post) for post in posts}


def rate(unit: Unit):
    """The unit's own line of the staffing rate, counted as the county page counts it."""
    overall, _children = staffing_rates(Unit.objects.filter(pk=unit.pk), node("620102"))
    return overall


def is_staffed(unit: Unit) -> bool:
    counted = rate(unit)
    assert counted.due == 1, "the unit is supervised and not exempt"
    return counted.staffed == 1


@pytest.fixture
def county(world):
    return world["users"]["county"]


# --- Which posts make a unit staffed ---------------------------------------------------------------

def test_a_usage_unit_is_staffed_only_once_principal_director_and_an_officer_are_in_office(world, county):
    unit = factories.unit("620102002", kinds=[UnitKind.USAGE])
    assert not is_staffed(unit)
    for post in USAGE_POSTS:
        assert not is_staffed(unit)
        assert unit in unstaffed(Unit.objects.all())
        appoint(county, factories.person(unit), post)
    assert is_staffed(unit)
    assert unit not in unstaffed(Unit.objects.all())


@pytest.mark.parametrize("missing", USAGE_POSTS)
def test_a_usage_unit_missing_any_one_post_is_not_staffed(world, county, missing):
    unit = factories.unit("620102002", kinds=[UnitKind.USAGE])
    fill(county, unit, [post for post in USAGE_POSTS if post != missing])
    assert not is_staffed(unit)


def test_a_production_unit_needs_the_quality_titles(world, county):
    unit = factories.unit("620102002", kinds=[UnitKind.PRODUCTION])
    fill(county, unit, [Post.PRINCIPAL, Post.QUALITY_SAFETY_DIRECTOR])
    assert not is_staffed(unit)
    fill(county, unit, [Post.QUALITY_SAFETY_OFFICER])
    assert is_staffed(unit)


def test_a_unit_that_both_uses_and_produces_needs_both_sets_of_posts(world, county):
    unit = factories.unit("620102002", kinds=[UnitKind.USAGE, UnitKind.PRODUCTION])
    fill(county, unit, USAGE_POSTS)
    assert not is_staffed(unit)
    fill(county, unit, [Post.QUALITY_SAFETY_DIRECTOR])
    assert not is_staffed(unit)
    fill(county, unit, [Post.QUALITY_SAFETY_OFFICER])
    assert is_staffed(unit)


def test_a_post_the_units_kinds_do_not_have_is_refused(world, county):
    unit = factories.unit("620102002", kinds=[UnitKind.USAGE])
    with pytest.raises(ValidationError) as caught:
        appoint(county, factories.person(unit), Post.QUALITY_SAFETY_DIRECTOR)
    assert "质量安全总监" in caught.value.message_dict["post"][0]
    assert not Appointment.objects.filter(unit=unit).exists()


def test_a_stopped_unit_is_exempt_not_due(world, county):
    """002 附件 6: units whose production stopped leave the denominator."""
    unit = factories.unit("620102002", kinds=[UnitKind.USAGE])
    Unit.objects.filter(pk=unit.pk).update(status=UnitStatus.STOPPED)
    counted = rate(unit)
    assert (counted.total, counted.exempt, counted.due, counted.staffed) == (1, 1, 0, 0)
    assert counted.percent is None
    assert unit not in unstaffed(Unit.objects.all())


def test_a_stopped_unit_that_is_fully_staffed_is_still_only_exempt(world, county):
    unit = factories.unit("620102002", kinds=[UnitKind.USAGE])
    fill(county, unit, USAGE_POSTS)
    Unit.objects.filter(pk=unit.pk).update(status=UnitStatus.STOPPED)
    counted = rate(unit)
    assert (counted.exempt, counted.due, counted.staffed) == (1, 0, 0)


@pytest.mark.parametrize("status", [UnitStatus.PENDING, UnitStatus.REJECTED])
def test_unconfirmed_sign_ups_are_not_counted_and_take_no_appointments(world, county, status):
    unit = factories.unit("620102002", kinds=[UnitKind.USAGE])
    person = factories.person(unit)
    Unit.objects.filter(pk=unit.pk).update(status=status)
    counted = rate(unit)
    assert (counted.total, counted.exempt, counted.staffed) == (0, 0, 0)
    assert unit not in unstaffed(Unit.objects.all())
    with pytest.raises(ValidationError, match="尚未经属地市场监管所确认"):
        appoint(county, person, Post.PRINCIPAL)


def test_ending_the_only_officers_appointment_makes_the_unit_unstaffed_again(world, county):
    unit = factories.unit("620102002", kinds=[UnitKind.USAGE])
    officer = fill(county, unit, USAGE_POSTS)[Post.SAFETY_OFFICER]
    second = appoint(county, factories.person(unit), Post.SAFETY_OFFICER)
    services.end_appointment(by=county, appointment=second, ended_on=TODAY, reason=EndReason.RESIGNED)
    assert is_staffed(unit), "one officer is enough"
    services.end_appointment(by=county, appointment=officer, ended_on=TODAY, reason=EndReason.RESIGNED)
    assert not is_staffed(unit)
    assert UnitStaffing.objects.get(unit=unit).safety_officer == 0


# --- Concurrent holding and handover -------------------------------------------------------------------

def test_one_person_may_be_principal_and_safety_director_at_once(world, county):
    """002 附件 4: posts may be held concurrently except where the orders forbid it."""
    unit = factories.unit("620102002", kinds=[UnitKind.USAGE])
    boss = factories.person(unit)
    appoint(county, boss, Post.PRINCIPAL)
    appoint(county, boss, Post.SAFETY_DIRECTOR)
    assert not is_staffed(unit)
    appoint(county, factories.person(unit), Post.SAFETY_OFFICER)
    assert is_staffed(unit)
    assert set(boss.appointments.filter(ended_on=None).values_list("post", flat=True)) == {
        Post.PRINCIPAL, Post.SAFETY_DIRECTOR}


@pytest.mark.parametrize("first, second", [(Post.QUALITY_SAFETY_DIRECTOR, Post.QUALITY_SAFETY_OFFICER),
                                           (Post.QUALITY_SAFETY_OFFICER, Post.QUALITY_SAFETY_DIRECTOR)])
def test_a_quality_safety_director_cannot_also_be_a_quality_safety_officer(world, county, first, second):
    unit = factories.unit("620102002", kinds=[UnitKind.PRODUCTION])
    person = factories.person(unit)
    appoint(county, person, first)
    with pytest.raises(ValidationError) as caught:
        appoint(county, person, second)
    assert "第73号" in caught.value.message_dict["post"][0]
    assert person.appointments.count() == 1


def test_the_same_post_twice_for_one_person_is_refused(world, county):
    unit = factories.unit("620102002", kinds=[UnitKind.USAGE])
    person = factories.person(unit)
    appoint(county, person, Post.SAFETY_OFFICER)
    with pytest.raises(ValidationError) as caught:
        appoint(county, person, Post.SAFETY_OFFICER)
    assert list(caught.value.message_dict) == ["post"]


def test_appointing_a_second_principal_hands_the_post_over(world, county):
    unit = factories.unit("620102002", kinds=[UnitKind.USAGE])
    first = appoint(county, factories.person(unit), Post.PRINCIPAL)
    handover = TODAY - timedelta(days=10)
    second = appoint(county, factories.person(unit), Post.PRINCIPAL, started_on=handover)
    first.refresh_from_db()
    assert (first.ended_on, first.end_reason) == (handover, EndReason.REPLACED)
    assert second.replaces == first and second.in_office
    assert list(first.replaced_by.all()) == [second]
    assert UnitStaffing.objects.get(unit=unit).principal == 1


def test_a_handover_dated_before_the_current_holder_started_is_refused(world, county):
    unit = factories.unit("620102002", kinds=[UnitKind.USAGE])
    first = appoint(county, factories.person(unit), Post.PRINCIPAL)
    with pytest.raises(ValidationError) as caught:
        appoint(county, factories.person(unit), Post.PRINCIPAL, started_on=START - timedelta(days=1))
    assert list(caught.value.message_dict) == ["started_on"]
    first.refresh_from_db()
    assert first.in_office


def test_officers_are_many_not_handed_over(world, county):
    unit = factories.unit("620102002", kinds=[UnitKind.USAGE])
    first = appoint(county, factories.person(unit), Post.SAFETY_OFFICER)
    appoint(county, factories.person(unit), Post.SAFETY_OFFICER)
    first.refresh_from_db()
    assert first.in_office
    assert UnitStaffing.objects.get(unit=unit).safety_officer == 2


# --- The rate per child node ----------------------------------------------------------------------

@pytest.fixture
def spread(world, county):
    """Station 620102001: world's unit (unstaffed) and one staffed unit. Station 620102002: one stopped
    and one unstaffed. 七里河区: world's other unit (unstaffed). A pending sign-up in 620102002."""
    staffed = factories.unit("620102001", kinds=[UnitKind.USAGE])
    fill(county, staffed, USAGE_POSTS)
    factories.unit("620102002")
    stopped = factories.unit("620102002")
    Unit.objects.filter(pk=stopped.pk).update(status=UnitStatus.STOPPED)
    pending = factories.unit("620102002")
    Unit.objects.filter(pk=pending.pk).update(status=UnitStatus.PENDING)
    return world


def counts(r) -> tuple[int, int, int, int]:
    return r.total, r.exempt, r.due, r.staffed


def test_the_county_rate_is_counted_per_station(spread):
    county = spread["users"]["county"]
    overall, stations = staffing_rates(access.scope(Unit.objects.all(), county), node("620102"))
    assert counts(overall) == (4, 1, 3, 1)
    by_code = {r.code: r for r in stations}
    assert counts(by_code["620102001"]) == (2, 0, 2, 1) and by_code["620102001"].percent == 50.0
    assert counts(by_code["620102002"]) == (2, 1, 1, 0) and by_code["620102002"].percent == 0.0
    assert len(stations) == node("620102").get_children().count()
    assert all(counts(r) == (0, 0, 0, 0) for r in stations if r.code not in ("620102001", "620102002"))


def test_the_city_rate_is_counted_per_county(spread):
    city = spread["users"]["city"]
    overall, counties = staffing_rates(access.scope(Unit.objects.all(), city), node("620100"))
    assert counts(overall) == (5, 1, 4, 1)
    by_code = {r.code: r for r in counties}
    assert counts(by_code["620102"]) == (4, 1, 3, 1)
    assert counts(by_code["620103"]) == (1, 0, 1, 0)
    assert sum(r.total for r in counties) == overall.total


# --- Spot assessment (附件 8; Order 74 Art. 147) -------------------------------------------------------

@pytest.fixture
def director(world, county):
    unit = factories.unit("620102002", kinds=[UnitKind.USAGE])
    appointments = fill(county, unit, USAGE_POSTS)
    return appointments[Post.SAFETY_DIRECTOR]


def flags(appointment) -> tuple[bool, bool]:
    person = Person.objects.get(pk=appointment.person_id)
    return person.assessment_failed, UnitStaffing.objects.get(unit=appointment.unit_id).flagged


def assess(by, appointment, result, days_ago):
    return services.record_assessment(by=by, person=appointment.person, assessed_on=TODAY - timedelta(days=days_ago),
                                      score=50 if result == AssessmentResult.FAILED else 90, result=result)


def test_a_failed_assessment_flags_the_person_and_the_unit_until_a_pass(director, county):
    assert flags(director) == (False, False)
    assess(county, director, AssessmentResult.FAILED, days_ago=5)
    assert flags(director) == (True, True)
    assert rate(director.unit).flagged == 1
    assess(county, director, AssessmentResult.PASSED, days_ago=1)
    assert flags(director) == (False, False)
    assert rate(director.unit).flagged == 0


def test_a_backdated_pass_does_not_clear_a_later_failure(director, county):
    """The latest assessment decides, whatever the order they are entered in."""
    assess(county, director, AssessmentResult.FAILED, days_ago=5)
    assess(county, director, AssessmentResult.PASSED, days_ago=20)
    assert flags(director) == (True, True)


def test_the_unit_flag_clears_when_the_failed_person_leaves_the_post(director, county):
    assess(county, director, AssessmentResult.FAILED, days_ago=5)
    services.end_appointment(by=county, appointment=director, ended_on=TODAY, reason=EndReason.FAILED_ASSESSMENT)
    assert flags(director)[1] is False


def test_the_station_may_not_record_a_spot_assessment(director, world):
    """002 附件 8: county-level or higher; the county's success above is the pair of this denial."""
    with pytest.raises(Http404):
        assess(world["users"]["station"], director, AssessmentResult.FAILED, days_ago=1)
    assert flags(director) == (False, False)


# --- Certificates the post requires (TSG 08 §2.4) -------------------------------------------------

def certificate(by, person, item_code, expires_on):
    return services.add_certificate(by=by, person=person, item_code=item_code, number=f"TZ{person.pk}{item_code}",
                                    issued_by="兰州市市场监督管理局", issued_on=expires_on - timedelta(days=4 * 365),
                                    expires_on=expires_on)


def test_a_safety_director_without_an_unexpired_a_certificate_is_a_gap(director, county):
    principal = Appointment.objects.get(unit=director.unit, post=Post.PRINCIPAL)
    in_office = Appointment.objects.filter(unit=director.unit, ended_on=None)
    gaps = services.certificate_gaps(in_office)
    assert gaps[director.pk] == ["A"]
    assert principal.pk not in gaps, "no certificate is required of the principal"

    certificate(county, director.person, "a", TODAY - timedelta(days=1))
    assert services.certificate_gaps([director])[director.pk] == ["A"], "an expired certificate does not count"
    certificate(county, director.person, "T", TODAY + timedelta(days=300))
    assert services.certificate_gaps([director])[director.pk] == ["A"], "another item does not count"
    director.person.certificates.filter(item_code="A").update(expires_on=TODAY)
    assert services.certificate_gaps([director]) == {}, "valid through its last day"


# --- Drill-down: every figure leads to its rows, keeping the node (issue 8 item 5) -----------------

def chase_rows(client, **params) -> set[int]:
    response = client.get(reverse("personnel:staffing_units"), params)
    assert response.status_code == 200
    return {row.record.pk for row in response.context["table"].page.object_list}


@pytest.fixture
def drill(world):
    """Unstaffed units in two stations of 城关区 and one in 七里河区, seen by the city leader."""
    client = Client()
    client.force_login(world["users"]["city"])
    return {**world, "client": client, "jiuquanlu": factories.unit("620102001"),
            "other_station": factories.unit("620102002"), "qilihe": factories.unit("620103001")}


def test_the_chase_list_drilled_from_a_county_lists_only_that_countys_units(drill):
    client = drill["client"]
    page = client.get(reverse("personnel:staffing"), {"node": node("620102").pk}).content.decode()
    href = f'{reverse("personnel:staffing_units")}?jurisdiction={node("620102").pk}'
    assert f'href="{href}"' in page
    listed = chase_rows(client, jurisdiction=node("620102").pk)
    assert {drill["jiuquanlu"].pk, drill["other_station"].pk, drill["unit"].pk} <= listed
    assert drill["qilihe"].pk not in listed and drill["other_unit"].pk not in listed


def test_station_rows_link_and_their_counts_link_to_the_stations_rows(drill):
    station = node("620102001")
    page = drill["client"].get(reverse("personnel:staffing"), {"node": node("620102").pk}).content.decode()
    assert f'<a href="?node={station.pk}">{station.name}</a>' in page
    unstaffed = f'{reverse("personnel:staffing_units")}?jurisdiction={station.pk}&amp;unstaffed=true'
    assert f'href="{unstaffed}"' in page
    assert chase_rows(drill["client"], jurisdiction=station.pk, unstaffed="true") == {
        drill["unit"].pk, drill["jiuquanlu"].pk}
    station_page = drill["client"].get(reverse("personnel:staffing"), {"node": station.pk}).content.decode()
    assert 'data-testid="no-children"' in station_page


def test_the_staffing_breadcrumb_names_each_node_once(world):
    client = Client()
    client.force_login(world["users"]["province"])
    page = client.get(reverse("personnel:staffing"), {"node": node("620100").pk}).content.decode()
    assert page.count("甘肃省</") == 1, "the home trail and the drill-down trail both named the province"
    assert 'data-testid="home-trail"' not in page


def test_a_node_outside_the_users_scope_filters_to_no_rows_not_other_rows(drill):
    client = Client()
    client.force_login(drill["users"]["county"])
    response = client.get(reverse("personnel:staffing_units"),
                          {"jurisdiction": node("620103").pk})
    assert response.status_code == 200
    assert list(response.context["table"].data) == []
    assert "请选择您辖区范围内的辖区" in response.content.decode()
