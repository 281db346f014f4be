"""Who signs what (Order 74 Art. 142–144; docs/domain.md §Responsibility system): a person names the enterprise
account they log in with, and what that account files or signs counts as the posts the person holds that day.

Only the unit's own enterprise accounts link, one account to one person; the link is set by whoever manages
the unit's accounts, on the person page, and every change is an audit event.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jurisdictions.models import AuditEvent
from personnel import services
from personnel.choices import EndReason, Post
from personnel.models import Person
from tests import factories
from tests.factories import logged_in

TODAY = timezone.localdate()


@pytest.fixture
def staff(world):
    """``unit``'s safety director 张三 and a second account of the unit, 张三's login."""
    appointment = services.appoint_new_person(
        by=world["users"]["enterprise"], unit=world["unit"], name="张三", id_number=factories.new_id_number(),
        phone="13800138000", post=Post.SAFETY_DIRECTOR, started_on=TODAY - timedelta(days=60))
    login = factories.enterprise_user(world["unit"], username="zhangsan")
    return {**world, "person": appointment.person, "login": login}


def link_events(person) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(kind=AuditEvent.Kind.DATA_CHANGED, object_id=str(person.pk),
                                          detail__action__in=["link_account", "unlink_account"]).order_by("id"))


# --- The service ------------------------------------------------------------------------------------

def test_the_unit_links_and_unlinks_an_account_and_each_change_is_audited(staff):
    person, login, manager = staff["person"], staff["login"], staff["users"]["enterprise"]

    services.link_account(by=manager, person=person, account=login)
    assert Person.objects.get(pk=person.pk).account == login
    assert services.person_of(login, staff["unit"]) == person

    services.link_account(by=manager, person=person, account=None)
    assert Person.objects.get(pk=person.pk).account is None
    assert services.person_of(login, staff["unit"]) is None

    linked, unlinked = link_events(person)
    assert (linked.user, linked.detail["action"], linked.detail["account"]) == (manager, "link_account", "zhangsan")
    assert (unlinked.detail["action"], unlinked.detail["account"], unlinked.detail["previous"]) == (
        "unlink_account", None, "zhangsan")


def test_the_managing_regulator_may_link_too(staff):
    services.link_account(by=staff["users"]["station"], person=staff["person"], account=staff["login"])
    assert Person.objects.get(pk=staff["person"].pk).account == staff["login"]


@pytest.mark.parametrize("who", ["other_enterprise", "other_county", "other_city"])
def test_an_actor_who_does_not_manage_the_units_accounts_finds_no_person(staff, who):
    with pytest.raises(Http404):
        services.link_account(by=staff["users"][who], person=staff["person"], account=staff["login"])
    assert Person.objects.get(pk=staff["person"].pk).account is None
    assert link_events(staff["person"]) == []


def test_another_units_account_is_refused_by_name(staff):
    with pytest.raises(ValidationError) as caught:
        services.link_account(by=staff["users"]["county"], person=staff["person"],
                              account=staff["users"]["other_enterprise"])
    assert "只能关联本单位的企业账号" in caught.value.message_dict["account"][0]
    assert "other_enterprise" in caught.value.message_dict["account"][0]
    assert Person.objects.get(pk=staff["person"].pk).account is None


def test_a_regulator_account_is_refused(staff):
    with pytest.raises(ValidationError) as caught:
        services.link_account(by=staff["users"]["enterprise"], person=staff["person"],
                              account=staff["users"]["station"])
    assert "只能关联企业账号" in caught.value.message_dict["account"][0]


def test_an_account_already_linked_to_someone_else_is_refused_naming_them(staff):
    other = factories.person(staff["unit"], name="李四")
    services.link_account(by=staff["users"]["enterprise"], person=other, account=staff["login"])
    with pytest.raises(ValidationError) as caught:
        services.link_account(by=staff["users"]["enterprise"], person=staff["person"], account=staff["login"])
    assert "已关联人员 李四" in caught.value.message_dict["account"][0]
    assert Person.objects.get(pk=staff["person"].pk).account is None
    assert Person.objects.get(pk=other.pk).account == staff["login"]


def test_relinking_the_same_account_changes_nothing_and_records_nothing(staff):
    manager = staff["users"]["enterprise"]
    services.link_account(by=manager, person=staff["person"], account=staff["login"])
    services.link_account(by=manager, person=staff["person"], account=staff["login"])
    assert len(link_events(staff["person"])) == 1


# --- Posts held on a day ----------------------------------------------------------------------------

def test_posts_held_follow_the_appointments_dates(staff):
    """In office from ``started_on``; ``ended_on`` is the first day out (a handover's successor holds that day)."""
    unit, login, manager = staff["unit"], staff["login"], staff["users"]["enterprise"]
    services.link_account(by=manager, person=staff["person"], account=login)
    started = TODAY - timedelta(days=60)
    assert services.posts_held(login, unit, started - timedelta(days=1)) == frozenset()
    assert services.posts_held(login, unit, started) == {Post.SAFETY_DIRECTOR}
    assert services.posts_held(login, unit) == {Post.SAFETY_DIRECTOR}

    handover = TODAY - timedelta(days=10)
    successor = services.appoint_new_person(
        by=manager, unit=unit, name="王五", id_number=factories.new_id_number(), phone="13700137000",
        post=Post.SAFETY_DIRECTOR, started_on=handover).person
    services.link_account(by=manager, person=successor, account=staff["users"]["enterprise"])
    assert services.posts_held(login, unit, handover - timedelta(days=1)) == {Post.SAFETY_DIRECTOR}
    assert services.posts_held(login, unit, handover) == frozenset()
    assert services.posts_held(staff["users"]["enterprise"], unit, handover) == {Post.SAFETY_DIRECTOR}
    assert services.posts_held(staff["users"]["enterprise"], unit, handover - timedelta(days=1)) == frozenset()


def test_a_person_holding_two_posts_holds_both_until_one_ends(staff):
    unit, login, manager = staff["unit"], staff["login"], staff["users"]["enterprise"]
    services.link_account(by=manager, person=staff["person"], account=login)
    officer = services.appoint(by=manager, unit=unit, person=staff["person"], post=Post.SAFETY_OFFICER,
                               started_on=TODAY - timedelta(days=5))
    assert services.posts_held(login, unit) == {Post.SAFETY_DIRECTOR, Post.SAFETY_OFFICER}
    assert services.posts_held(login, unit, TODAY - timedelta(days=6)) == {Post.SAFETY_DIRECTOR}

    services.end_appointment(by=manager, appointment=officer, ended_on=TODAY, reason=EndReason.RESIGNED)
    assert services.posts_held(login, unit) == {Post.SAFETY_DIRECTOR}
    assert services.posts_held(login, unit, TODAY - timedelta(days=1)) == {Post.SAFETY_DIRECTOR, Post.SAFETY_OFFICER}


def test_posts_held_is_one_query_and_empty_elsewhere_or_unlinked(staff):
    unit, login = staff["unit"], staff["login"]
    assert services.posts_held(login, unit) == frozenset()
    services.link_account(by=staff["users"]["enterprise"], person=staff["person"], account=login)
    with CaptureQueriesContext(connection) as queries:
        assert services.posts_held(login, unit) == {Post.SAFETY_DIRECTOR}
    assert len(queries) == 1
    assert services.posts_held(login, staff["other_unit"]) == frozenset()
    assert services.person_of(login, staff["other_unit"]) is None
    assert services.posts_held(staff["users"]["enterprise"], unit) == frozenset()


# --- The person page --------------------------------------------------------------------------------

def person_page(staff, who: str):
    return logged_in(staff["users"][who]).get(reverse("personnel:person_detail", args=[staff["person"].pk]))


def test_the_person_page_offers_the_units_free_accounts_and_links_one(staff):
    taken = factories.enterprise_user(staff["unit"], username="taken")
    services.link_account(by=staff["users"]["enterprise"], person=factories.person(staff["unit"]), account=taken)
    page = person_page(staff, "enterprise")
    form = page.context["account_form"]
    assert {a.username for a in form.candidates} == {"enterprise", "zhangsan"}
    assert 'data-testid="link-account"' in page.content.decode()

    client = logged_in(staff["users"]["enterprise"])
    url = reverse("personnel:person_account", args=[staff["person"].pk])
    response = client.post(url, {"account": staff["login"].pk})
    assert response.status_code == 302 and response["Location"] == staff["person"].get_absolute_url()
    assert Person.objects.get(pk=staff["person"].pk).account == staff["login"]
    page = person_page(staff, "county").content.decode()
    assert "zhangsan（企业人员）" in page and 'data-testid="unlink-account"' in page


def test_a_tampered_account_choice_comes_back_beside_the_field(staff):
    client = logged_in(staff["users"]["enterprise"])
    url = reverse("personnel:person_account", args=[staff["person"].pk])
    response = client.post(url, {"account": staff["users"]["other_enterprise"].pk})
    assert response.status_code == 200
    assert response.context["form"].errors["account"]
    assert 'data-field-error="account"' in response.content.decode()
    assert Person.objects.get(pk=staff["person"].pk).account is None


def test_unlinking_asks_first_then_unlinks(staff):
    services.link_account(by=staff["users"]["enterprise"], person=staff["person"], account=staff["login"])
    client = logged_in(staff["users"]["county"])
    url = reverse("personnel:person_account_unlink", args=[staff["person"].pk])
    asked = client.get(url)
    assert asked.status_code == 200 and "zhangsan" in asked.content.decode()
    assert Person.objects.get(pk=staff["person"].pk).account == staff["login"]
    assert client.post(url).status_code == 302
    assert Person.objects.get(pk=staff["person"].pk).account is None
    assert client.get(url).status_code == 404  # nothing left to unlink


@pytest.mark.parametrize("who", ["other_enterprise", "other_county", "other_city"])
def test_the_link_pages_are_404_out_of_scope(staff, who):
    services.link_account(by=staff["users"]["enterprise"], person=staff["person"], account=staff["login"])
    client = logged_in(staff["users"][who])
    link = reverse("personnel:person_account", args=[staff["person"].pk])
    unlink = reverse("personnel:person_account_unlink", args=[staff["person"].pk])
    assert client.get(link).status_code == 404
    assert client.post(link, {"account": staff["users"]["enterprise"].pk}).status_code == 404
    assert client.post(unlink).status_code == 404
    assert Person.objects.get(pk=staff["person"].pk).account == staff["login"]


def test_the_staff_page_shows_each_holders_account(staff):
    services.link_account(by=staff["users"]["enterprise"], person=staff["person"], account=staff["login"])
    response = logged_in(staff["users"]["enterprise"]).get(reverse("personnel:my_staff"), follow=True)
    page = response.content.decode()
    assert 'data-testid="holder-account"' in page and "zhangsan（企业人员）" in page
