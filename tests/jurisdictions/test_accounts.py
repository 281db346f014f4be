"""Regulator accounts: created inside the creator's subtree, strong passwords, disabling ends sessions."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from jurisdictions import access
from jurisdictions.duties import Duty, Role
from jurisdictions.models import AuditEvent, LoginSession, User
from tests.factories import PASSWORD, logged_in, node


def account_form(code: str, username: str = "chengguan-jiuquan", password: str = PASSWORD, role=Role.INSPECTOR):
    return {"username": username, "display_name": "酒泉路监察员", "email": "", "jurisdiction": node(code).pk,
            "role": role, "password": password}


def create_url():
    return reverse("jurisdictions:user_create")


def test_county_leader_creates_a_station_account_inside_its_subtree(world):
    county = world["users"]["county"]
    response = logged_in(county).post(create_url(), account_form("620102001"))
    assert response.status_code == 302

    user = User.objects.get(username="chengguan-jiuquan")
    assert response["Location"] == user.get_absolute_url()
    assert (user.jurisdiction.code, user.role, user.created_by, user.is_active) == (
        "620102001", Role.INSPECTOR, county, True)
    assert user.check_password(PASSWORD)
    fresh = User.objects.get(pk=user.pk)
    assert access.can(fresh, Duty.INSPECT, node("620102001"))
    assert not access.can(fresh, Duty.INSPECT, node("620102"))  # the grant sits on the station only
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.ACCOUNT_CREATED, object_id=str(user.pk))
    assert event.user == county and event.detail["jurisdiction"] == "620102001"


@pytest.mark.parametrize("code", ["620103001", "620103", "620100", "620502001"],
                         ids=["other-county-station", "sibling-county", "own-city-above", "other-city-station"])
def test_county_leader_cannot_create_an_account_outside_its_subtree(world, code):
    response = logged_in(world["users"]["county"]).post(create_url(), account_form(code))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-field-error="jurisdiction">请选择您辖区范围内的辖区。</div>' in body
    assert not User.objects.filter(username="chengguan-jiuquan").exists()
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCOUNT_CREATED, user=world["users"]["county"]).exists()


def test_the_city_may_create_the_account_the_county_may_not(world):
    """Pair of the refusal above: 七里河's station is inside 兰州市's subtree."""
    response = logged_in(world["users"]["city"]).post(create_url(), account_form("620103001"))
    assert response.status_code == 302
    assert User.objects.get(username="chengguan-jiuquan").jurisdiction.code == "620103001"


WEAK = {
    "short": ("Ab1!xyz", "密码长度太短"),
    "numeric": ("2026031512", "密码只包含数字"),
    "common": ("password123", "这个密码太常见了"),
    "two-classes": ("zhangsanfeng2026", "密码须至少包含大写字母、小写字母、数字、符号中的 3 类。"),
    "like-username": ("Chengguan-Jiuquan1", "太相似"),
    "too-long": ("Aa1!" + "x" * 125, "密码不能超过 128 个字符。"),
}


@pytest.mark.parametrize("kind", sorted(WEAK))
def test_weak_passwords_are_refused_with_chinese_messages(world, kind):
    password, message = WEAK[kind]
    response = logged_in(world["users"]["county"]).post(create_url(), account_form("620102001", password=password))
    assert response.status_code == 200
    errors = [str(e) for e in response.context["form"].errors["password"]]
    assert any(message in e for e in errors), errors
    assert message in response.content.decode()
    assert not User.objects.filter(username="chengguan-jiuquan").exists()


def test_a_long_passphrase_is_accepted_untruncated(world):
    passphrase = "祁连山下的雪水流进黄河 Lanzhou-2026 " * 3
    response = logged_in(world["users"]["county"]).post(create_url(), account_form("620102001", password=passphrase))
    assert response.status_code == 302
    user = User.objects.get(username="chengguan-jiuquan")
    assert user.check_password(passphrase) and not user.check_password(passphrase[:-1])


def test_duplicate_username_is_refused_next_to_the_field(world):
    response = logged_in(world["users"]["county"]).post(create_url(), account_form("620102001", username="Station"))
    assert response.status_code == 200
    assert response.context["form"].errors["username"] == ["用户名“Station”已被使用。"]
    assert User.objects.filter(username__iexact="station").count() == 1


def test_disabling_an_account_logs_that_user_out(world):
    station = world["users"]["station"]
    station_client, second_device = logged_in(station), logged_in(station)
    home = reverse("dashboard:home")
    assert station_client.get(home).status_code == 200
    assert LoginSession.objects.filter(user=station).count() == 2

    response = logged_in(world["users"]["county"]).post(reverse("jurisdictions:user_toggle_active", args=[station.pk]))
    assert response.status_code == 302

    assert not User.objects.get(pk=station.pk).is_active
    for client in (station_client, second_device):
        after = client.get(home)
        assert after.status_code == 302 and after["Location"].startswith(reverse("login"))
    assert not LoginSession.objects.filter(user=station).exists()
    assert not Session.objects.filter(session_key=station_client.session.session_key).exists()
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.ACCOUNT_DISABLED)
    assert (event.user, event.object_id) == (world["users"]["county"], str(station.pk))


def test_a_disabled_account_cannot_log_in_again_until_enabled(world):
    station = world["users"]["station"]
    county_client = logged_in(world["users"]["county"])
    toggle = reverse("jurisdictions:user_toggle_active", args=[station.pk])
    county_client.post(toggle)

    refused = Client().post(reverse("login"), {"username": "station", "password": PASSWORD})
    assert refused.status_code == 200 and not refused.wsgi_request.user.is_authenticated

    county_client.post(toggle)
    assert User.objects.get(pk=station.pk).is_active
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCOUNT_ENABLED, object_id=str(station.pk)).exists()
    accepted = Client().post(reverse("login"), {"username": "station", "password": PASSWORD})
    assert accepted.status_code == 302 and accepted["Location"] == reverse("dashboard:home")


def test_a_leader_cannot_disable_its_own_account(world):
    county = world["users"]["county"]
    response = logged_in(county).post(reverse("jurisdictions:user_toggle_active", args=[county.pk]))
    assert response.status_code == 200
    assert "不能停用自己的账号。" in response.content.decode()
    assert User.objects.get(pk=county.pk).is_active


def test_a_leader_cannot_change_its_own_role_or_node(world):
    county = world["users"]["county"]
    response = logged_in(county).post(reverse("jurisdictions:user_edit", args=[county.pk]), {
        "username": "county", "display_name": "测试人员", "email": "", "jurisdiction": node("620102001").pk,
        "role": Role.LEADER})
    assert response.status_code == 200
    assert "不能修改自己的角色或所属辖区，请联系上级管理员。" in response.content.decode()
    assert User.objects.get(pk=county.pk).jurisdiction.code == "620102"


def test_moving_an_account_re_grants_its_duties_on_the_new_node(world):
    station = world["users"]["station"]
    response = logged_in(world["users"]["county"]).post(reverse("jurisdictions:user_edit", args=[station.pk]), {
        "username": "station", "display_name": "调岗监察员", "email": "", "jurisdiction": node("620102002").pk,
        "role": Role.INSPECTOR})
    assert response.status_code == 302
    fresh = User.objects.get(pk=station.pk)
    assert access.can(fresh, Duty.VIEW, node("620102002"))
    assert not access.can(fresh, Duty.VIEW, node("620102001"))
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCOUNT_CHANGED, object_id=str(station.pk)).exists()


def test_an_accounts_events_are_shown_only_as_far_as_the_reader_may_read_the_audit_log(world):
    """Managing accounts is not reading the audit log: a county leader does not see the city's actors."""
    from jurisdictions import services

    city, county = world["users"]["city"], world["users"]["county"]
    account = services.create_regulator(by=city, username="audit-scope-station", password=PASSWORD,
                                        display_name="审计范围测试", jurisdiction=node("620102001"),
                                        role="inspector")
    url = reverse("jurisdictions:user_detail", args=[account.pk])

    assert city.username in logged_in(city).get(url).content.decode().split('data-testid="account-events"')[1]
    county_page = logged_in(county).get(url).content.decode()
    assert county_page.count('data-testid="account-events"') == 1
    assert city.username not in county_page.split('data-testid="account-events"')[1]
