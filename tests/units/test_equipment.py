"""Equipment registry pages and the periodic-inspection due lists (docs/domain.md §Equipment catalogue,
§Periodic inspection)."""

import itertools
import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jurisdictions import access
from jurisdictions.models import AuditEvent
from tests import factories
from tests.factories import logged_in
from units import services
from units.choices import EquipmentStatus
from units.models import Equipment, EquipmentType

_serial = itertools.count(1)


def variety(code: str) -> EquipmentType:
    return EquipmentType.objects.get(code=code)


def add(unit, type_code: str = "3110", status: str = EquipmentStatus.UNREGISTERED, due=None, **fields) -> Equipment:
    """Equipment entered through the service; status and due date set as registration would leave them."""
    serial = next(_serial)
    equipment = services.add_equipment(by=access.COMMAND_LINE, unit=unit, equipment_type=variety(type_code),
                                       code=f"{type_code}23010202{serial:06d}", factory_number=f"F-{serial}", **fields)
    Equipment.objects.filter(pk=equipment.pk).update(status=status, next_inspection_on=due)
    equipment.refresh_from_db()
    return equipment


def rows(client: Client, name: str, **params) -> list[int]:
    response = client.get(reverse(name), params)
    assert response.status_code == 200
    return sorted(e.pk for e in response.context["table"].data)


def form_data(**overrides) -> dict:
    data = {"equipment_type": variety("3110").pk, "code": "3110 23010 2025 00777", "factory_number": "DT-2025-777",
            "manufacturer": "兰州电梯制造有限公司", "model_number": "TKJ1000/1.75", "location": "1号楼东侧",
            "commissioned_on": "2025-06-01", "last_inspection_on": "2025-06-01", "next_inspection_on": "2026-06-01"}
    data.update(overrides)
    return data


# --- Create -------------------------------------------------------------------------------------------

def test_enterprise_enters_equipment_for_its_own_unit(world):
    unit = world["unit"]
    response = logged_in(world["users"]["enterprise"]).post(reverse("units:equipment_create", args=[unit.pk]),
                                                            form_data())
    equipment = Equipment.objects.get(code="311023010202500777")
    assert response.status_code == 302 and response["Location"] == equipment.get_absolute_url()
    assert equipment.unit == unit and equipment.status == EquipmentStatus.UNREGISTERED
    assert (equipment.category.code, equipment.equipment_type.code) == ("3000", "3110")
    assert (equipment.county_id, equipment.station_id) == (unit.county_id, unit.station_id)
    assert equipment.next_inspection_on.isoformat() == "2026-06-01" and equipment.version == 1


def test_create_form_offers_varieties_grouped_by_category(world):
    response = logged_in(world["users"]["enterprise"]).get(reverse("units:equipment_create",
                                                                   args=[world["unit"].pk]))
    html = response.content.decode()
    assert '<optgroup label="3000 电梯">' in html
    assert "3110 曳引驱动乘客电梯" in html
    assert ">3000 电梯</option>" not in html  # a category is not a variety


def test_enterprise_cannot_enter_equipment_for_another_unit(world):
    url = reverse("units:equipment_create", args=[world["other_unit"].pk])
    client = logged_in(world["users"]["enterprise"])
    assert client.get(url).status_code == 404
    assert client.post(url, form_data()).status_code == 404
    assert not Equipment.objects.exists()


def test_regulator_adds_equipment_from_a_unit_in_scope_with_the_unit_fixed(world):
    unit = world["unit"]
    detail = logged_in(world["users"]["county"]).get(unit.get_absolute_url())
    create_url = reverse("units:equipment_create", args=[unit.pk])
    assert detail.context["can_add_equipment"] and create_url in detail.content.decode()
    response = logged_in(world["users"]["county"]).post(create_url, form_data())
    assert response.status_code == 302
    assert Equipment.objects.get().unit == unit
    assert logged_in(world["users"]["other_county"]).post(create_url, form_data(code="")).status_code == 404
    assert Equipment.objects.count() == 1


def test_equipment_code_of_another_variety_is_refused_next_to_the_field(world):
    response = logged_in(world["users"]["enterprise"]).post(
        reverse("units:equipment_create", args=[world["unit"].pk]), form_data(code="211023010202500001"))
    assert response.status_code == 200
    assert "与所选设备品种 3110 不一致" in response.context["form"].errors["code"][0]


def test_duplicate_equipment_code_is_refused(world):
    existing = add(world["unit"])
    response = logged_in(world["users"]["enterprise"]).post(
        reverse("units:equipment_create", args=[world["unit"].pk]), form_data(code=existing.code))
    assert response.context["form"].errors["code"] == [f"设备代码 {existing.code} 已登记在册，不能重复录入。"]


# --- Edit and optimistic locking ----------------------------------------------------------------------

def test_enterprise_edits_its_equipment_and_the_version_moves(world):
    equipment = add(world["unit"])
    url = reverse("units:equipment_edit", args=[equipment.pk])
    client = logged_in(world["users"]["enterprise"])
    form = client.get(url).context["form"]
    assert form["version"].value() == 1 and form["factory_number"].value() == equipment.factory_number
    response = client.post(url, form_data(code=equipment.code, location="2号楼", version=1))
    assert response.status_code == 302
    equipment.refresh_from_db()
    assert (equipment.location, equipment.version) == ("2号楼", 2)
    event = AuditEvent.objects.filter(object_type="units.Equipment", object_id=str(equipment.pk)).latest("id")
    assert event.detail["action"] == "update_equipment" and event.detail["changed"]["location"][1] == "2号楼"


def test_a_stale_version_shows_a_conflict_instead_of_overwriting(world):
    equipment = add(world["unit"], location="原地点")
    url = reverse("units:equipment_edit", args=[equipment.pk])
    slow = logged_in(world["users"]["enterprise"])
    seen_version = slow.get(url).context["form"]["version"].value()

    services.update_equipment(by=world["users"]["county"], equipment=equipment, version=seen_version,
                              location="监管所更正的地点")
    response = slow.post(url, form_data(code=equipment.code, location="企业填的地点", version=seen_version))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "该设备信息已被他人修改，您看到的不是最新内容。请重新打开编辑页面，核对后再保存。"
    ]
    equipment.refresh_from_db()
    assert (equipment.location, equipment.version) == ("监管所更正的地点", 2)


def test_registered_equipment_keeps_its_variety_and_code(world):
    equipment = add(world["unit"], status=EquipmentStatus.IN_USE)
    url = reverse("units:equipment_edit", args=[equipment.pk])
    client = logged_in(world["users"]["enterprise"])
    form = client.get(url).context["form"]
    assert form.fields["equipment_type"].disabled and form.fields["code"].disabled
    response = client.post(url, form_data(equipment_type=variety("3120").pk, code="312023010202500001",
                                          model_number="TKJ2000/2.5", version=equipment.version))
    assert response.status_code == 302
    equipment.refresh_from_db()
    assert (equipment.equipment_type.code, equipment.model_number, equipment.status) == (
        "3110", "TKJ2000/2.5", "in_use")


def test_status_is_not_editable_here(world):
    equipment = add(world["unit"])
    client = logged_in(world["users"]["enterprise"])
    response = client.post(reverse("units:equipment_edit", args=[equipment.pk]),
                           form_data(code=equipment.code, version=1, status=EquipmentStatus.IN_USE,
                                     registration_number="梯11甘A99999(26)"))
    assert response.status_code == 302
    equipment.refresh_from_db()
    assert (equipment.status, equipment.registration_number) == (EquipmentStatus.UNREGISTERED, "")


def test_other_enterprise_and_other_county_cannot_edit(world):
    equipment = add(world["unit"])
    url = reverse("units:equipment_edit", args=[equipment.pk])
    for role in ("other_enterprise", "other_county", "other_city"):
        assert logged_in(world["users"][role]).post(url, form_data(code="", version=1)).status_code == 404
    equipment.refresh_from_db()
    assert equipment.version == 1


# --- Registered facts belong to the registration and the inspection record (issue 8 item 4) ----------

REGISTERED = ("factory_number", "location", "commissioned_on")
INSPECTION = ("last_inspection_on", "next_inspection_on")


@pytest.fixture
def registered(world):
    """An elevator in use, registered, and one day past its periodic inspection."""
    today = timezone.localdate()
    equipment = add(world["unit"], status=EquipmentStatus.IN_USE, due=today - timedelta(days=1), location="1号楼",
                    commissioned_on=today - timedelta(days=800), last_inspection_on=today - timedelta(days=366))
    Equipment.objects.filter(pk=equipment.pk).update(registration_number="梯11甘A00001(26)", registered_on=today)
    equipment.refresh_from_db()
    return equipment


def facts(equipment) -> dict:
    return Equipment.objects.filter(pk=equipment.pk).values(*REGISTERED, *INSPECTION, "version").get()


def test_enterprise_form_shows_registered_facts_and_inspection_dates_read_only(world, registered):
    response = logged_in(world["users"]["enterprise"]).get(reverse("units:equipment_edit", args=[registered.pk]))
    form = response.context["form"]
    assert {f for f in form.fields if form.fields[f].disabled} == {"equipment_type", "code", *REGISTERED,
                                                                   *INSPECTION, "place_kind"}
    html = response.content.decode()
    location = re.search(r'<input[^>]*name="location"[^>]*>', html).group(0)
    assert 'value="1号楼"' in location and " disabled" in location
    due = re.search(r'<input[^>]*name="next_inspection_on"[^>]*>', html).group(0)
    assert f'value="{registered.next_inspection_on.isoformat()}"' in due and " disabled" in due
    assert "登记事项须通过变更登记由登记机关办理" in html and "定期检验日期以检验记录为准" in html
    assert "使用场所类别由监管部门核定" in html


def test_enterprise_post_cannot_move_the_place_or_due_date_of_registered_equipment(world, registered):
    client = logged_in(world["users"]["enterprise"])
    assert rows(client, "units:inspection_overdue_list") == [registered.pk]
    before = facts(registered)
    tampered = form_data(code=registered.code, version=registered.version, location="别处",
                         factory_number="TAMPERED", commissioned_on="2026-01-01", last_inspection_on="2026-01-01",
                         next_inspection_on="2030-01-01")
    response = client.post(reverse("units:equipment_edit", args=[registered.pk]), tampered)
    assert response.status_code == 302
    after = facts(registered)
    assert {f: after[f] for f in (*REGISTERED, *INSPECTION)} == {f: before[f] for f in (*REGISTERED, *INSPECTION)}
    # What the enterprise may still keep up to date went through.
    assert Equipment.objects.get(pk=registered.pk).model_number == "TKJ1000/1.75"
    assert rows(client, "units:inspection_overdue_list") == [registered.pk]


@pytest.mark.parametrize(("field", "value"), [("location", "别处"), ("factory_number", "TAMPERED"),
                                              ("next_inspection_on", "2030-01-01"),
                                              ("last_inspection_on", "2026-01-01")])
def test_the_service_refuses_an_enterprise_change_of_a_registered_fact(world, registered, field, value):
    before = facts(registered)
    value = date.fromisoformat(value) if field.endswith("_on") else value
    with pytest.raises(ValidationError) as refused:
        services.update_equipment(by=world["users"]["enterprise"], equipment=registered,
                                  version=registered.version, **{field: value})
    assert list(refused.value.error_dict) == [field]
    assert facts(registered) == before


def test_unregistered_equipment_stays_the_enterprises_to_correct(world):
    equipment = add(world["unit"], due=timezone.localdate() - timedelta(days=1), location="1号楼")
    services.update_equipment(by=world["users"]["enterprise"], equipment=equipment, version=equipment.version,
                              location="2号楼", next_inspection_on=timezone.localdate() + timedelta(days=300))
    assert facts(equipment)["location"] == "2号楼"


def test_regulators_enter_inspection_dates_and_only_the_registrar_the_registered_facts(world, registered):
    url = reverse("units:equipment_edit", args=[registered.pk])
    county = logged_in(world["users"]["county"])  # MANAGE_UNITS, no REGISTER_EQUIPMENT (not delegated here)
    form = county.get(url).context["form"]
    assert not form.fields["next_inspection_on"].disabled and form.fields["location"].disabled
    response = county.post(url, form_data(code=registered.code, version=registered.version, location="别处",
                                          factory_number=registered.factory_number,
                                          commissioned_on=registered.commissioned_on.isoformat(),
                                          last_inspection_on="2026-11-01", next_inspection_on="2027-11-01"))
    assert response.status_code == 302
    after = facts(registered)
    assert (after["location"], after["next_inspection_on"].isoformat()) == ("1号楼", "2027-11-01")
    event = AuditEvent.objects.filter(object_type="units.Equipment", object_id=str(registered.pk)).latest("id")
    assert event.user == world["users"]["county"] and "next_inspection_on" in event.detail["changed"]

    # The city decides changes of registration (变更) and records them.
    services.update_equipment(by=world["users"]["city"], equipment=registered, version=after["version"],
                              location="2号楼")
    assert facts(registered)["location"] == "2号楼"


def test_a_save_that_changes_nothing_writes_nothing(world, registered):
    before = facts(registered)
    services.update_equipment(by=world["users"]["enterprise"], equipment=registered, version=registered.version)
    assert facts(registered) == before


# --- Equipment page: certificate and applications (issue 8 item 7) -----------------------------------

def detail_html(user, equipment) -> str:
    response = logged_in(user).get(reverse("units:equipment_detail", args=[equipment.pk]))
    assert response.status_code == 200
    return response.content.decode()


def offered(html: str) -> list[str]:
    return re.findall(r'data-testid="apply-(\w+)"', html)


@pytest.mark.parametrize(("status", "kinds"), [
    (EquipmentStatus.UNREGISTERED, ["register"]),
    (EquipmentStatus.IN_USE, ["change", "suspend", "deregister"]),
    (EquipmentStatus.SUSPENDED, ["change", "resume", "deregister"]),
    (EquipmentStatus.SCRAPPED, ["deregister"]),
    (EquipmentStatus.DEREGISTERED, []),
])
def test_equipment_page_offers_the_applications_its_state_allows(world, status, kinds):
    equipment = add(world["unit"], status=status)
    html = detail_html(world["users"]["enterprise"], equipment)
    assert offered(html) == kinds
    for kind in kinds:
        assert f'href="{reverse("units:application_create")}?kind={kind}&amp;equipment={equipment.pk}"' in html


def test_the_application_link_opens_the_form_of_that_kind_with_the_equipment_ticked(world):
    equipment = add(world["unit"], status=EquipmentStatus.IN_USE)
    other = add(world["unit"], status=EquipmentStatus.IN_USE)
    response = logged_in(world["users"]["enterprise"]).get(
        reverse("units:application_create"), {"kind": "suspend", "equipment": equipment.pk})
    assert response.context["kind"] == "suspend"
    html = response.content.decode()
    ticked = re.findall(r'<input type="checkbox" name="equipment" value="(\d+)"[^>]*checked', html)
    assert ticked == [str(equipment.pk)] and str(other.pk) in html


def test_regulators_get_no_application_actions_but_see_the_certificate(world, registered):
    for role in ("county", "city", "station"):
        html = detail_html(world["users"][role], registered)
        assert offered(html) == []
        assert reverse("units:equipment_certificate", args=[registered.pk]) in html


def test_certificate_is_offered_only_while_the_equipment_holds_one(world, registered):
    url = reverse("units:equipment_certificate", args=[registered.pk])
    assert url in detail_html(world["users"]["enterprise"], registered)
    assert logged_in(world["users"]["enterprise"]).get(url)["Content-Type"] == "application/pdf"
    unregistered = add(world["unit"])
    assert 'data-testid="equipment-certificate"' not in detail_html(world["users"]["enterprise"], unregistered)
    Equipment.objects.filter(pk=registered.pk).update(status=EquipmentStatus.DEREGISTERED)
    assert 'data-testid="equipment-certificate"' not in detail_html(world["users"]["enterprise"], registered)


def test_an_open_application_replaces_the_actions_with_a_link_to_it(world, registered):
    application = services.submit_application(by=world["users"]["enterprise"], unit=world["unit"], kind="suspend",
                                              equipment=[registered])
    html = detail_html(world["users"]["enterprise"], registered)
    assert offered(html) == []
    assert 'data-testid="open-application"' in html and application.get_absolute_url() in html
    assert "停用申请（待受理）" in html


# --- Scoping of the list and the detail ---------------------------------------------------------------

@pytest.fixture
def spread(world):
    return {"own": add(world["unit"]), "other": add(world["other_unit"], type_code="1100")}


@pytest.mark.parametrize(("role", "sees"), [
    ("enterprise", {"own"}), ("other_enterprise", {"other"}), ("county", {"own"}), ("other_county", {"other"}),
    ("station", {"own"}), ("city", {"own", "other"}), ("province", {"own", "other"}), ("other_city", set()),
])
def test_equipment_list_shows_exactly_the_equipment_in_scope(world, spread, role, sees):
    assert rows(logged_in(world["users"][role]), "units:equipment_list") == sorted(spread[k].pk for k in sees)


def test_equipment_list_filters_by_category_status_and_text(world, spread):
    client = logged_in(world["users"]["city"])
    assert rows(client, "units:equipment_list", category=variety("1000").pk) == [spread["other"].pk]
    Equipment.objects.filter(pk=spread["own"].pk).update(status=EquipmentStatus.IN_USE)
    assert rows(client, "units:equipment_list", status="in_use") == [spread["own"].pk]
    assert rows(client, "units:equipment_list", q="七里河") == [spread["other"].pk]
    assert rows(client, "units:equipment_list", q=spread["own"].code[:8]) == [spread["own"].pk]
    assert rows(client, "units:equipment_list", q=spread["other"].factory_number) == [spread["other"].pk]


def test_only_enterprises_get_a_new_button_on_the_list(world):
    own_create = reverse("units:equipment_create", args=[world["unit"].pk])
    assert own_create in logged_in(world["users"]["enterprise"]).get(reverse("units:equipment_list")).content.decode()
    assert "create_url" not in logged_in(world["users"]["county"]).get(reverse("units:equipment_list")).context


def test_equipment_detail_answers_404_out_of_scope(world, spread):
    url = spread["own"].get_absolute_url()
    assert logged_in(world["users"]["enterprise"]).get(url).status_code == 200
    assert logged_in(world["users"]["other_enterprise"]).get(url).status_code == 404
    assert logged_in(world["users"]["other_county"]).get(url).status_code == 404


def test_unit_detail_lists_the_units_equipment(world, spread):
    response = logged_in(world["users"]["county"]).get(world["unit"].get_absolute_url())
    assert [e.pk for e in response.context["equipment_table"].data] == [spread["own"].pk]


# --- Periodic inspection due lists (docs/domain.md §Periodic inspection) ------------------------------

@pytest.fixture
def due(world):
    today = timezone.localdate()
    unit, other = world["unit"], world["other_unit"]
    in_use = EquipmentStatus.IN_USE
    return {
        "yesterday": add(unit, status=in_use, due=today - timedelta(days=1)),
        "long_overdue": add(unit, type_code="1100", status=in_use, due=today - timedelta(days=400)),
        "today": add(unit, status=in_use, due=today),
        "day30": add(unit, type_code="1100", status=in_use, due=today + timedelta(days=30)),
        "day31": add(unit, status=in_use, due=today + timedelta(days=31)),
        "no_date": add(unit, status=in_use),
        "suspended_overdue": add(unit, status=EquipmentStatus.SUSPENDED, due=today - timedelta(days=1)),
        "unregistered_soon": add(unit, due=today + timedelta(days=5)),
        "other_overdue": add(other, status=in_use, due=today - timedelta(days=3)),
        "other_soon": add(other, status=in_use, due=today + timedelta(days=2)),
    }


def pks(due, *names):
    return sorted(due[n].pk for n in names)


def test_due_list_holds_in_use_equipment_due_within_30_days_inclusive(world, due):
    client = logged_in(world["users"]["city"])
    assert rows(client, "units:inspection_due_list") == pks(due, "today", "day30", "other_soon")


def test_overdue_list_holds_in_use_equipment_past_its_date(world, due):
    client = logged_in(world["users"]["city"])
    assert rows(client, "units:inspection_overdue_list") == pks(due, "yesterday", "long_overdue", "other_overdue")


def test_overdue_list_shows_unregistered_equipment_past_its_date_marked_as_such(world, due):
    today = timezone.localdate()
    unregistered = add(world["unit"], due=today - timedelta(days=10))
    client = logged_in(world["users"]["county"])
    assert rows(client, "units:inspection_overdue_list") == sorted([*pks(due, "yesterday", "long_overdue"),
                                                                   unregistered.pk])
    html = client.get(reverse("units:inspection_overdue_list")).content.decode()
    row = re.search(rf'<tr[^>]*>(?:(?!</tr>).)*{unregistered.code}(?:(?!</tr>).)*</tr>', html, re.S).group(0)
    assert 'data-testid="unregistered"' in row and "未登记" in row and "已超期 10 天" in row
    registered_row = re.search(rf'<tr[^>]*>(?:(?!</tr>).)*{due["yesterday"].code}(?:(?!</tr>).)*</tr>', html,
                               re.S).group(0)
    assert 'data-testid="unregistered"' not in registered_row
    body = client.get(reverse("units:inspection_overdue_list"), {"_export": "csv"}).content.decode("utf-8-sig")
    line = next(x for x in body.splitlines() if unregistered.code in x)
    assert "未登记" in line


def test_due_lists_are_scoped_for_enterprise_and_county(world, due):
    for role in ("enterprise", "county"):
        client = logged_in(world["users"][role])
        assert rows(client, "units:inspection_due_list") == pks(due, "today", "day30")
        assert rows(client, "units:inspection_overdue_list") == pks(due, "yesterday", "long_overdue")
    other = logged_in(world["users"]["other_enterprise"])
    assert rows(other, "units:inspection_overdue_list") == pks(due, "other_overdue")


def test_due_lists_filter_by_category(world, due):
    client = logged_in(world["users"]["city"])
    boilers = variety("1000").pk
    assert rows(client, "units:inspection_due_list", category=boilers) == pks(due, "day30")
    assert rows(client, "units:inspection_overdue_list", category=boilers) == pks(due, "long_overdue")


def test_due_list_shows_days_left_and_overdue(world, due):
    html = logged_in(world["users"]["county"]).get(reverse("units:inspection_overdue_list")).content.decode()
    assert "已超期 400 天" in html and "已超期 1 天" in html
    html = logged_in(world["users"]["county"]).get(reverse("units:inspection_due_list")).content.decode()
    assert "今天到期" in html and "还有 30 天" in html


# --- Query counts (no N+1) ----------------------------------------------------------------------------

def _count(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("name", ["units:equipment_list", "units:inspection_due_list",
                                  "units:inspection_overdue_list"])
def test_equipment_lists_run_the_same_number_of_queries_for_2_and_12_rows(world, name):
    today = timezone.localdate()
    when = {"units:inspection_overdue_list": today - timedelta(days=2)}.get(name, today + timedelta(days=3))
    client = logged_in(world["users"]["county"])
    for unit in (world["unit"], factories.unit("620102002")):
        add(unit, status=EquipmentStatus.IN_USE, due=when)
    few = _count(client, reverse(name))
    for i in range(10):
        add(factories.unit("620102001") if i % 2 else world["unit"], type_code=("3110", "1100")[i % 2],
            status=EquipmentStatus.IN_USE, due=when)
    assert _count(client, reverse(name)) == few


def test_export_link_on_the_list_downloads_exactly_the_scoped_filtered_rows(world, spread):
    client = logged_in(world["users"]["county"])
    html = client.get(reverse("units:equipment_list"), {"status": "unregistered"}).content.decode()
    link = re.search(r'href="(\?[^"]*_export=csv[^"]*)"', html).group(1).replace("&amp;", "&")
    assert link.startswith("?") and not link.startswith("??")
    body = client.get(reverse("units:equipment_list") + link).content.decode("utf-8-sig")
    assert spread["own"].code in body and spread["other"].code not in body


def test_the_equipment_and_due_lists_filter_by_county_and_station_within_scope(world):
    """Issue 8 item 5: the picker narrows by the Placed ancestor column; outside the subtree, no rows."""
    soon = timezone.localdate() + timedelta(days=5)
    here = add(world["unit"], status=EquipmentStatus.IN_USE, due=soon)
    elsewhere_in_county = add(factories.unit("620102002"), status=EquipmentStatus.IN_USE, due=soon)
    other_county = add(world["other_unit"], status=EquipmentStatus.IN_USE, due=soon)
    city = logged_in(world["users"]["city"])
    station, county = factories.node("620102001"), factories.node("620102")
    assert rows(city, "units:equipment_list", jurisdiction=station.pk) == [here.pk]
    assert rows(city, "units:equipment_list", jurisdiction=county.pk) == sorted([here.pk, elsewhere_in_county.pk])
    assert rows(city, "units:inspection_due_list", jurisdiction=county.pk) == sorted(
        [here.pk, elsewhere_in_county.pk])
    assert other_county.pk in rows(city, "units:equipment_list")
    county_user = logged_in(world["users"]["county"])
    assert rows(county_user, "units:equipment_list", jurisdiction=factories.node("620103").pk) == []
