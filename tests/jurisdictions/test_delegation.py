"""Delegation of use registration (委托, 000 §二(二)): city → one of its counties, for a period."""

import json
import re
from datetime import timedelta
from html import unescape

import pytest
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jurisdictions import access, services
from jurisdictions.duties import Duty, Role
from jurisdictions.models import AuditEvent, Delegation, User
from tests import factories
from tests.factories import logged_in, node

TODAY = timezone.localdate




def fresh(user: User) -> User:
    return User.objects.select_related("jurisdiction").get(pk=user.pk)


def may_register(user: User, code: str = "620102") -> bool:
    return access.can(fresh(user), Duty.REGISTER_EQUIPMENT, node(code))


def delegation_form(code: str, days: int = 30, starts_in: int = 0) -> dict:
    start = TODAY() + timedelta(days=starts_in)
    return {"grantee": node(code).pk, "starts_on": start.isoformat(),
            "ends_on": (start + timedelta(days=days)).isoformat(), "note": "试点委托"}


def delegate(world, code="620102", **dates):
    start = dates.get("starts_on", TODAY())
    return services.delegate(by=world["users"]["city"], grantee=node(code), starts_on=start,
                             ends_on=dates.get("ends_on", start + timedelta(days=30)))


def test_city_delegates_registration_to_its_county_through_the_view(world):
    county = world["users"]["county"]
    assert not may_register(county)

    response = logged_in(world["users"]["city"]).post(reverse("jurisdictions:delegation_create"),
                                                      delegation_form("620102"))
    assert response.status_code == 302 and response["Location"] == reverse("jurisdictions:delegation_list")

    delegation = Delegation.objects.get(grantee__code="620102")
    assert (delegation.grantor.code, delegation.duty, delegation.created_by) == (
        "620100", Duty.REGISTER_EQUIPMENT, world["users"]["city"])
    assert may_register(county)
    assert may_register(county, "620102001")  # the grant covers the county's stations
    assert not may_register(county, "620103")
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.DELEGATION_CREATED)
    assert (event.user, event.object_id, event.detail["grantee"]) == (world["users"]["city"], str(delegation.pk),
                                                                      "620102")


def test_revoking_a_delegation_through_the_view_removes_the_duty_at_once(world):
    county = world["users"]["county"]
    delegation = delegate(world)
    assert may_register(county)

    response = logged_in(world["users"]["city"]).post(
        reverse("jurisdictions:delegation_revoke", args=[delegation.pk]), {"reason": "试点结束"})
    assert response.status_code == 302

    delegation.refresh_from_db()
    assert delegation.revoked_at is not None and delegation.revoked_by == world["users"]["city"]
    assert delegation.revoke_reason == "试点结束"
    assert not may_register(county)
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.DELEGATION_REVOKED)
    assert (event.user, event.object_id, event.detail["reason"]) == (world["users"]["city"], str(delegation.pk),
                                                                     "试点结束")


def test_revocation_applies_to_the_county_users_next_request(world):
    """The grants are read per request: a county leader already logged in loses the duty on its next page."""
    county = world["users"]["county"]
    delegation = delegate(world)
    county_client = logged_in(county)
    page = county_client.get(reverse("jurisdictions:jurisdiction_detail", args=[node("620102").pk]))
    assert page.status_code == 200 and access.can(page.wsgi_request.user, Duty.REGISTER_EQUIPMENT, node("620102"))

    services.revoke_delegation(by=world["users"]["city"], delegation=delegation, reason="撤销")
    page = county_client.get(reverse("jurisdictions:jurisdiction_detail", args=[node("620102").pk]))
    assert page.status_code == 200
    assert not access.can(page.wsgi_request.user, Duty.REGISTER_EQUIPMENT, node("620102"))


def test_city_cannot_delegate_to_another_citys_county(world):
    tianshui_county = "620502"  # 秦州区, 天水市
    response = logged_in(world["users"]["city"]).post(reverse("jurisdictions:delegation_create"),
                                                      delegation_form(tianshui_county))
    assert response.status_code == 200
    assert response.context["form"].errors["grantee"] == ["使用登记只能由市级委托给其下辖的县级市场监管部门。"]
    assert not Delegation.objects.exists()
    # The service refuses too, as if the county did not exist.
    with pytest.raises(Http404):
        delegate(world, tianshui_county)
    # Paired: 天水市 may delegate to its own county.
    response = logged_in(world["users"]["other_city"]).post(reverse("jurisdictions:delegation_create"),
                                                            delegation_form(tianshui_county))
    assert response.status_code == 302
    assert Delegation.objects.get().grantee.code == tianshui_county


def test_delegation_only_goes_to_a_county(world):
    response = logged_in(world["users"]["city"]).post(reverse("jurisdictions:delegation_create"),
                                                      delegation_form("620102001"))
    assert response.status_code == 200
    assert response.context["form"].errors["grantee"] == ["使用登记只能由市级委托给其下辖的县级市场监管部门。"]
    assert not Delegation.objects.exists()


def picker_search(client: Client, field: str = "grantee") -> dict:
    """What the delegation form's picker sends to the autocomplete: its hx-vals, kept to its hx-params."""
    html = client.get(reverse("jurisdictions:delegation_create")).content.decode()
    search = re.search(rf'<input type="search"[^>]*name="{field}__search"[^>]*>', html).group(0)
    values = json.loads(unescape(re.search(r"hx-vals='([^']*)'", search).group(1)))
    allowed = re.search(r'hx-params="([^"]*)"', search).group(1).split(",")
    return {k: v for k, v in values.items() if k in allowed}


def offered(client: Client, term: str = "") -> list:
    response = client.get(reverse("jurisdictions:autocomplete"), {**picker_search(client), "grantee__search": term})
    assert response.status_code == 200
    return list(response.context["nodes"])


def test_the_delegation_picker_offers_only_the_citys_counties(world):
    city = logged_in(world["users"]["city"])
    nodes = offered(city)
    assert nodes and {n.tier for n in nodes} == {"county"}
    assert all(n.parent_id == node("620100").pk for n in nodes)
    assert offered(city, "酒泉路") == []  # a station of 城关区
    assert [n.code for n in offered(city, "城关")] == ["620102"]
    assert offered(city, "秦州") == []  # 天水市's county


def test_the_picker_search_only_narrows_the_scope(world):
    county = logged_in(world["users"]["county"])
    url = reverse("jurisdictions:autocomplete")
    assert list(county.get(url, {"duty": Duty.DELEGATE_REGISTRATION, "tier": "county"}).context["nodes"]) == []
    assert list(county.get(url, {"duty": "no_such_duty"}).context["nodes"]) == []
    assert list(county.get(url, {"tier": "planet"}).context["nodes"]) == []
    assert [n.code for n in county.get(url, {"q": "620102"}).context["nodes"]][:1] == ["620102"]


def test_a_county_cannot_hold_two_open_delegations(world):
    delegate(world)
    response = logged_in(world["users"]["city"]).post(reverse("jurisdictions:delegation_create"),
                                                      delegation_form("620102"))
    assert response.status_code == 200
    assert "已有未撤销的委托" in response.context["form"].errors["grantee"][0]
    assert Delegation.objects.count() == 1


def test_delegation_period_must_not_end_before_it_starts(world):
    data = delegation_form("620102")
    data["ends_on"] = (TODAY() - timedelta(days=1)).isoformat()
    response = logged_in(world["users"]["city"]).post(reverse("jurisdictions:delegation_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["ends_on"] == ["截止日期不能早于起始日期。"]
    assert not Delegation.objects.exists()


@pytest.mark.parametrize("role", ["province", "county", "station", "enterprise"])
def test_roles_without_delegate_registration_cannot_delegate(world, role):
    response = logged_in(world["users"][role]).post(reverse("jurisdictions:delegation_create"),
                                                    delegation_form("620102"))
    assert response.status_code == 404
    assert not Delegation.objects.exists()


def test_expired_delegations_are_revoked_by_expire_delegations(world):
    county = world["users"]["county"]
    ending_today = delegate(world, ends_on=TODAY())
    running = delegate(world, "620103", ends_on=TODAY() + timedelta(days=5))
    assert may_register(county)

    assert services.expire_delegations(today=TODAY()) == 0  # nothing ends before today
    assert services.expire_delegations(today=TODAY() + timedelta(days=1)) == 1

    ending_today.refresh_from_db()
    running.refresh_from_db()
    assert ending_today.revoked_at is not None and ending_today.revoked_by is None
    assert ending_today.revoke_reason == "委托期限届满"
    assert running.revoked_at is None
    assert not may_register(county)
    assert may_register(world["users"]["other_county"], "620103")
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.DELEGATION_REVOKED)
    assert event.user is None and event.object_id == str(ending_today.pk)


def test_expire_delegations_runs_from_the_beat_task(world):
    from jurisdictions.tasks import expire_delegations

    past = delegate(world, starts_on=TODAY() - timedelta(days=10), ends_on=TODAY() - timedelta(days=1))
    assert expire_delegations.apply().get() == 1
    past.refresh_from_db()
    assert past.revoked_at is not None


def test_a_delegation_starting_later_takes_effect_on_its_start_date(world):
    county = world["users"]["county"]
    tomorrow = TODAY() + timedelta(days=1)
    delegation = delegate(world, starts_on=tomorrow, ends_on=tomorrow + timedelta(days=30))
    assert not may_register(county)  # not yet in force
    # The start date arrives (simulated by moving the period back a day) and the beat task runs.
    Delegation.objects.filter(pk=delegation.pk).update(starts_on=TODAY(), ends_on=TODAY() + timedelta(days=29))
    services.expire_delegations()
    assert may_register(county)


def test_county_account_created_during_a_delegation_gets_the_duty(world):
    delegate(world)
    clerk = factories.regulator("620102", Role.CLERK)
    assert may_register(clerk)
    # Created through the view by the county leader, too.
    response = logged_in(world["users"]["county"]).post(reverse("jurisdictions:user_create"), {
        "username": "chengguan-clerk", "display_name": "登记员", "email": "", "jurisdiction": node("620102").pk,
        "role": Role.CLERK, "password": factories.PASSWORD})
    assert response.status_code == 302
    assert may_register(User.objects.get(username="chengguan-clerk"))


def test_delegated_duty_follows_the_role_and_the_node(world):
    delegate(world)
    # An inspector's role carries no registration duty; a station below the county is not the grantee.
    assert not may_register(factories.regulator("620102", Role.INSPECTOR))
    assert not may_register(world["users"]["station"], "620102001")
    # A county account created after revocation does not get it.
    services.revoke_delegation(by=world["users"]["city"], delegation=Delegation.objects.get(), reason="撤销")
    assert not may_register(factories.regulator("620102", Role.CLERK))


def test_a_county_account_moved_away_loses_the_delegated_duty(world):
    delegate(world)
    clerk = factories.regulator("620102", Role.CLERK)
    assert may_register(clerk)
    services.change_regulator(by=world["users"]["city"], user=clerk, display_name="调岗", role=Role.CLERK,
                              jurisdiction=node("620103"))
    assert not may_register(clerk) and not may_register(clerk, "620103")


def test_the_delegated_duty_is_shown_translated_while_its_stored_label_stays_the_msgid(monkeypatch):
    """Duty labels name permissions stored by migrations, so they are plain strings (no lazy
    translation); the delegation list translates the one it shows (issue 9)."""
    from jurisdictions import duties

    monkeypatch.setattr(duties, "gettext", lambda text: f"[{text}]")
    assert type(Duty.REGISTER_EQUIPMENT.label) is str and Duty.REGISTER_EQUIPMENT.label == "办理使用登记"
    assert Delegation(duty=Duty.REGISTER_EQUIPMENT).get_duty_display() == "[办理使用登记]"
