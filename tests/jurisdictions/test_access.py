"""``jurisdictions.access``: scope() and can() by tier, the one-query grant cache, and tampered forms."""

import random

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jurisdictions import access
from jurisdictions.duties import Duty, Role
from jurisdictions.models import Jurisdiction, JurisdictionUserObjectPermission, User
from portal.kit.samples import make_uscc
from tests import factories
from tests.factories import logged_in, node
from units.models import Unit

GRANT_TABLE = JurisdictionUserObjectPermission._meta.db_table




@pytest.fixture
def spread(world):
    """``world`` plus units across 城关区 (two stations), 七里河区 and 天水市 (another city)."""
    world["chengguan_2"] = factories.unit("620102002", name="城关第二测试单位")
    world["qilihe_2"] = factories.unit("620103002", name="七里河第二测试单位")
    world["tianshui"] = factories.unit("620502001", name="天水测试单位")
    return world


def fresh(user: User) -> User:
    """The user as a new request sees it: no cached grants."""
    return User.objects.select_related("jurisdiction").get(pk=user.pk)


def visible_units(user, duty=Duty.VIEW) -> set[str]:
    return set(access.scope(Unit.objects.all(), fresh(user), duty).values_list("name", flat=True))


# --- scope() on units (the "columns" path) ----------------------------------------------------------

def test_county_user_sees_only_its_county_units(spread):
    assert visible_units(spread["users"]["county"]) == {"城关测试电梯有限公司", "城关第二测试单位"}


def test_county_user_cannot_see_other_county_units(spread):
    seen = visible_units(spread["users"]["county"])
    assert "七里河测试热力有限公司" not in seen and "七里河第二测试单位" not in seen
    # Paired: the other county sees exactly its own.
    assert visible_units(spread["users"]["other_county"]) == {"七里河测试热力有限公司", "七里河第二测试单位"}


def test_city_user_sees_all_its_counties_units(spread):
    assert visible_units(spread["users"]["city"]) == {
        "城关测试电梯有限公司", "城关第二测试单位", "七里河测试热力有限公司", "七里河第二测试单位"}


def test_city_user_cannot_see_another_citys_units(spread):
    assert visible_units(spread["users"]["other_city"]) == {"天水测试单位"}


def test_province_user_sees_every_unit(spread):
    assert visible_units(spread["users"]["province"]) == set(Unit.objects.values_list("name", flat=True))
    assert len(visible_units(spread["users"]["province"])) == 5


def test_station_user_sees_only_its_station_units(spread):
    assert visible_units(spread["users"]["station"]) == {"城关测试电梯有限公司"}


def test_enterprise_user_sees_only_its_own_unit(spread):
    assert visible_units(spread["users"]["enterprise"]) == {"城关测试电梯有限公司"}
    assert visible_units(spread["users"]["other_enterprise"]) == {"七里河测试热力有限公司"}


def test_scope_by_a_duty_the_user_does_not_hold_is_empty(spread):
    # The station inspector holds no MANAGE_ACCOUNTS; the county leader does.
    assert access.scope(User.objects.all(), fresh(spread["users"]["station"]), Duty.MANAGE_ACCOUNTS).count() == 0
    assert access.scope(User.objects.all(), fresh(spread["users"]["county"]), Duty.MANAGE_ACCOUNTS).exists()


def test_inactive_and_anonymous_users_see_nothing(spread):
    assert access.scope(Unit.objects.all(), AnonymousUser()).count() == 0
    county = fresh(spread["users"]["county"])
    county.is_active = False
    assert access.scope(Unit.objects.all(), county).count() == 0


# --- scope() on the tree itself and on rows reaching it by a foreign key ----------------------------

def test_county_jurisdiction_scope_is_its_subtree(spread):
    county_node = node("620102")
    seen = access.scope(Jurisdiction.objects.all(), fresh(spread["users"]["county"]))
    assert set(seen.values_list("pk", flat=True)) == set(
        county_node.get_descendants(include_self=True).values_list("pk", flat=True))
    assert not seen.filter(code="620103").exists() and not seen.filter(code="620100").exists()


def test_city_jurisdiction_scope_covers_its_counties_and_stations_but_not_another_city(spread):
    seen = access.scope(Jurisdiction.objects.all(), fresh(spread["users"]["city"]))
    assert seen.filter(code__in=["620100", "620102", "620103", "620102001", "620103001"]).count() == 5
    assert not seen.filter(code__startswith="6205").exists()
    assert not seen.filter(code="620000").exists()


def test_station_jurisdiction_scope_is_only_its_node(spread):
    seen = access.scope(Jurisdiction.objects.all(), fresh(spread["users"]["station"]))
    assert list(seen.values_list("code", flat=True)) == ["620102001"]


def test_accounts_are_scoped_through_their_jurisdiction(spread):
    names = set(access.scope(User.objects.all(), fresh(spread["users"]["county"]), Duty.MANAGE_ACCOUNTS)
                .values_list("username", flat=True))
    assert {"county", "station", "enterprise"} <= names
    assert not names & {"other_county", "other_enterprise", "city", "province", "other_city"}


# --- can() -----------------------------------------------------------------------------------------

def test_can_follows_the_tree_for_regulators(spread):
    county = fresh(spread["users"]["county"])
    assert access.can(county, Duty.MANAGE_UNITS, spread["unit"])
    assert not access.can(county, Duty.MANAGE_UNITS, spread["other_unit"])
    assert access.can(county, Duty.VIEW, node("620102001"))
    assert not access.can(county, Duty.VIEW, node("620103001"))
    assert not access.can(county, Duty.VIEW, node("620100"))  # never upward


def test_can_without_an_object_means_holds_the_duty_somewhere(spread):
    assert access.can(fresh(spread["users"]["city"]), Duty.DELEGATE_REGISTRATION)
    assert not access.can(fresh(spread["users"]["province"]), Duty.DELEGATE_REGISTRATION)
    assert not access.can(fresh(spread["users"]["county"]), Duty.DELEGATE_REGISTRATION)
    assert not access.can(fresh(spread["users"]["station"]), Duty.MANAGE_ACCOUNTS)
    assert access.can(fresh(spread["users"]["station"]), Duty.MANAGE_UNITS)


def test_can_for_enterprise_users_is_their_unit_only(spread):
    ent = fresh(spread["users"]["enterprise"])
    assert access.can(ent, Duty.EDIT_UNIT, spread["unit"])
    assert not access.can(ent, Duty.EDIT_UNIT, spread["other_unit"])
    assert not access.can(ent, Duty.MANAGE_UNITS, spread["unit"])
    assert not access.can(ent, Duty.VIEW, node("620102001"))


def test_can_on_a_foreign_key_path_uses_the_tree(spread):
    """``User.access_path = "jurisdiction"``: can() falls back to the scoped query."""
    county = fresh(spread["users"]["county"])
    assert access.can(county, Duty.MANAGE_ACCOUNTS, spread["users"]["station"])
    assert not access.can(county, Duty.MANAGE_ACCOUNTS, spread["users"]["other_county"])


def test_regulator_grants_sit_on_the_account_node_only(spread):
    station = spread["users"]["station"]
    rows = JurisdictionUserObjectPermission.objects.filter(user=station)
    assert set(rows.values_list("content_object__code", flat=True)) == {"620102001"}
    assert set(rows.values_list("permission__codename", flat=True)) == {
        Duty.VIEW, Duty.MANAGE_UNITS, Duty.INSPECT, Duty.REPORT_INCIDENT}


def test_inspector_at_county_lacks_leader_duties(tree):
    inspector = fresh(factories.regulator("620102", Role.INSPECTOR))
    assert access.can(inspector, Duty.INSPECT, node("620102"))
    assert not access.can(inspector, Duty.MANAGE_ACCOUNTS, node("620102"))
    assert not access.can(inspector, Duty.VIEW_AUDIT)


# --- One query per request for the grants -----------------------------------------------------------

@pytest.mark.parametrize("role", ["county", "enterprise"])
def test_grants_are_fetched_in_one_query_however_often_scope_is_called(spread, role, django_assert_num_queries):
    user = fresh(spread["users"][role])
    with django_assert_num_queries(1):
        for _ in range(5):
            access.scope(Unit.objects.all(), user, Duty.VIEW)
            access.scope(Jurisdiction.objects.all(), user, Duty.MANAGE_UNITS)
            access.can(user, Duty.EDIT_UNIT)
    with django_assert_num_queries(0):
        access.scope(Unit.objects.all(), user, Duty.VIEW)


def test_forget_drops_the_cached_grants(spread, django_assert_num_queries):
    user = fresh(spread["users"]["county"])
    access.grants(user)
    access.forget(user)
    with django_assert_num_queries(1):
        access.grants(user)


def test_a_page_reads_the_grant_table_once(spread):
    client = Client()
    client.force_login(spread["users"]["county"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("units:unit_list"))
    assert response.status_code == 200
    grant_reads = [q["sql"] for q in queries.captured_queries if f'FROM "{GRANT_TABLE}"' in q["sql"]]
    assert len(grant_reads) == 1, grant_reads


# --- Tampered forms ---------------------------------------------------------------------------------

def unit_form(unit: Unit, **changes) -> dict:
    data = {"uscc": unit.uscc, "name": unit.name, "kinds": unit.kinds, "jurisdiction": unit.jurisdiction_id,
            "address": unit.address, "legal_representative": unit.legal_representative}
    data.update(changes)
    return data


def unit_row(unit: Unit):
    return Unit.objects.filter(pk=unit.pk).values(
        "name", "jurisdiction_id", "province_id", "city_id", "county_id", "station_id", "uscc", "status").get()


def test_tampered_unit_edit_moving_it_to_another_countys_station_is_rejected(world):
    unit, before = world["unit"], unit_row(world["unit"])
    foreign_station = node("620103001")  # 七里河区: outside 城关区
    response = logged_in(world["users"]["county"]).post(
        reverse("units:unit_edit", args=[unit.pk]), unit_form(unit, jurisdiction=foreign_station.pk, name="越权改名"))
    assert response.status_code == 200
    assert response.context["form"].errors["jurisdiction"] == ["请选择您辖区范围内的辖区。"]
    assert 'data-field-error="jurisdiction"' in response.content.decode()
    assert unit_row(unit) == before


def test_unit_edit_moving_it_within_the_county_succeeds(world):
    """Pair of the tampered move: a station of the county's own is accepted and re-places the row."""
    unit = world["unit"]
    target = node("620102002")
    response = logged_in(world["users"]["county"]).post(
        reverse("units:unit_edit", args=[unit.pk]), unit_form(unit, jurisdiction=target.pk))
    assert response.status_code == 302
    row = unit_row(unit)
    assert (row["jurisdiction_id"], row["station_id"], row["county_id"]) == (target.pk, target.pk, node("620102").pk)


def test_unit_edit_ignores_extra_post_fields(world):
    unit, before = world["unit"], unit_row(world["unit"])
    other = node("620103001")
    tampered = unit_form(unit, name="合法改名", status="stopped", uscc="91350100M000100Y43", county=other.parent_id,
                         station=other.pk, city=node("620500").pk, province="", id=world["other_unit"].pk)
    response = logged_in(world["users"]["county"]).post(reverse("units:unit_edit", args=[unit.pk]), tampered)
    assert response.status_code == 302
    assert unit_row(unit) == {**before, "name": "合法改名"}
    assert Unit.objects.get(pk=world["other_unit"].pk).name == "七里河测试热力有限公司"


def test_enterprise_cannot_move_its_unit_by_posting_a_jurisdiction(world):
    unit, before = world["unit"], unit_row(world["unit"])
    response = logged_in(world["users"]["enterprise"]).post(
        reverse("units:unit_edit", args=[unit.pk]), unit_form(unit, jurisdiction=node("620103001").pk, name="企业改名"))
    assert response.status_code == 302
    assert unit_row(unit) == {**before, "name": "企业改名"}


def test_tampered_unit_create_outside_scope_is_rejected(world):
    uscc = make_uscc("620103", random.Random(5))
    data = {"uscc": uscc, "name": "越权新建单位", "kinds": ["usage"], "jurisdiction": node("620103001").pk}
    response = logged_in(world["users"]["county"]).post(reverse("units:unit_create"), data)
    assert response.status_code == 200 and "jurisdiction" in response.context["form"].errors
    assert not Unit.objects.filter(uscc=uscc).exists()
    # Paired: the county whose station it is creates it.
    response = logged_in(world["users"]["other_county"]).post(reverse("units:unit_create"), data)
    assert response.status_code == 302
    assert Unit.objects.get(uscc=uscc).county_id == node("620103").pk


# --- The system administrator (三员分立, docs/accounts.md) ------------------------------------------

def test_a_superuser_without_a_role_holds_no_scope_in_the_portal(spread):
    """The system administrator configures; it reads no personal or business records (item 3)."""
    person = factories.person(spread["unit"])
    admin = factories.superuser()
    client = logged_in(admin)
    urls = [
        reverse("personnel:person_list"),
        reverse("personnel:person_list") + "?_export=xlsx",
        reverse("personnel:person_list") + "?_export=csv",
        reverse("personnel:person_detail", args=[person.pk]),
        reverse("personnel:person_reveal", args=[person.pk]),
        reverse("personnel:national_export"),
        reverse("personnel:staffing"),
        reverse("jurisdictions:audit_list"),
        reverse("jurisdictions:user_list"),
        reverse("units:unit_list"),
        reverse("units:unit_list") + "?_export=xlsx",
        reverse("units:unit_detail", args=[spread["unit"].pk]),
        reverse("units:equipment_list"),
    ]
    assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, 404)
    reveal = client.post(reverse("personnel:person_reveal", args=[person.pk]), {"reason": "核对"})
    assert reveal.status_code == 404
    assert visible_units(admin) == set()
    home = client.get(reverse("dashboard:home"))
    assert home.status_code == 200 and 'data-testid="no-scope"' in home.content.decode()
    assert "城关测试电梯有限公司" not in home.content.decode()
    # Paired: the county leader opens the same pages.
    county = logged_in(spread["users"]["county"])
    assert county.get(reverse("personnel:person_detail", args=[person.pk])).status_code == 200
    assert county.get(reverse("jurisdictions:audit_list")).status_code == 200


def test_a_superuser_given_a_county_role_has_exactly_that_countys_scope(spread):
    chief = factories.regulator("620102", Role.LEADER, username="chief-sysadmin")
    User.objects.filter(pk=chief.pk).update(is_superuser=True, is_staff=True)
    chief = fresh(chief)
    assert chief.is_superuser
    plain = spread["users"]["county"]
    assert visible_units(chief) == visible_units(plain) == {"城关测试电梯有限公司", "城关第二测试单位"}
    assert {d: sorted(g.id for g in n) for d, n in access.grants(chief).nodes.items()} == {
        d: sorted(g.id for g in n) for d, n in access.grants(fresh(plain)).nodes.items()}
    outside = factories.person(spread["other_unit"])
    inside = factories.person(spread["unit"])
    client = logged_in(chief)
    assert client.get(reverse("personnel:person_detail", args=[inside.pk])).status_code == 200
    assert client.get(reverse("personnel:person_detail", args=[outside.pk])).status_code == 404
    assert client.get(reverse("personnel:person_reveal", args=[outside.pk])).status_code == 404
    assert not access.can(chief, Duty.DELEGATE_REGISTRATION)  # a city duty a county leader lacks


# Models the system administrator's console may list: accounts, lockouts, the tree, the outbox.
TECHNICAL_ADMIN_MODELS = {"jurisdictions.User", "jurisdictions.Jurisdiction", "axes.AccessAttempt",
                          "kit.OutboxMessage"}


def test_the_admin_site_registers_no_business_model():
    from django.contrib import admin

    assert {model._meta.label for model in admin.site._registry} <= TECHNICAL_ADMIN_MODELS


def test_the_admin_index_lists_no_business_data_and_its_pages_are_gone(world):
    client = logged_in(factories.superuser())
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    body = index.content.decode()
    assert "/admin/jurisdictions/user/" in body  # paired: the console itself works
    for path in ("/admin/units/unit/", "/admin/jurisdictions/auditevent/", "/admin/jurisdictions/delegation/",
                 "/admin/personnel/", "/admin/axes/accesslog/"):
        assert path not in body
        assert client.get(path).status_code == 404, path


def test_the_admin_cannot_hand_out_roles_and_its_account_edits_are_audited(world):
    from jurisdictions.models import AuditEvent

    admin_user = factories.superuser()
    client = logged_in(admin_user)
    station = world["users"]["station"]
    url = reverse("admin:jurisdictions_user_change", args=[station.pk])
    form = client.get(url)
    assert form.status_code == 200 and 'name="role"' not in form.content.decode()
    response = client.post(url, {"username": station.username, "display_name": "改名", "email": "",
                                 "is_active": "", "role": Role.LEADER, "jurisdiction": node("620000").pk,
                                 "last_login_0": "", "last_login_1": "", "date_joined_0": "2026-01-01",
                                 "date_joined_1": "00:00:00"})
    assert response.status_code == 302, response.content.decode()[:2000]
    station.refresh_from_db()
    assert (station.display_name, station.is_active, station.role) == ("改名", False, Role.INSPECTOR)
    assert station.jurisdiction.code == "620102001"
    event = AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCOUNT_CHANGED, username=admin_user.username).get()
    assert event.detail["via"] == "admin" and event.object_id == str(station.pk)


def test_the_first_province_account_comes_from_the_command_line(tree, monkeypatch):
    from django.core.management import call_command

    from jurisdictions.models import AuditEvent

    monkeypatch.setenv("PORTAL_ACCOUNT_PASSWORD", factories.PASSWORD)
    call_command("create_regulator", username="sheng-first", jurisdiction="620000", display_name="省局")
    user = User.objects.get(username="sheng-first")
    assert (user.role, user.jurisdiction.code, user.is_superuser) == (Role.LEADER, "620000", False)
    assert access.can(fresh(user), Duty.MANAGE_ACCOUNTS, node("620102"))
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.ACCOUNT_CREATED, object_id=str(user.pk))
    assert event.user_id is None and event.detail["jurisdiction"] == "620000"
