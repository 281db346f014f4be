"""The risk control list (docs/domain.md §Risk control list): templates shipped as data, generation from the
unit's equipment categories, every save a new version with the old ones kept, the version in force on a day,
who may edit and what each reader sees."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from inspections.routines import services
from inspections.routines.choices import RESPONSIBLE_POSTS, Frequency, RiskCategory
from inspections.routines.models import RiskItem, RiskList, RiskListVersion
from inspections.routines.risk_templates import ROW_FIELDS, templates
from jurisdictions.models import AuditEvent
from tests import factories
from tests.factories import logged_in
from units.models import EquipmentType
from units.services import add_equipment

# Elevator, boiler, pressure vessel, pressure piping, crane, field vehicle, amusement ride, ropeway, cylinders.
CATEGORIES = ("3000", "1000", "2000", "8000", "4000", "5000", "6000", "9000", "2300")


def row(**extra) -> dict:
    return {"category": RiskCategory.EQUIPMENT, "risk_item": "门锁", "check_content": "层门关闭严密",
            "control_measure": "异常停梯报修", "responsible_post": "safety_officer", "frequency": Frequency.DAILY,
            **extra}


def equip(unit, code="3110"):
    return add_equipment(by=factories.system_user(), unit=unit, equipment_type=EquipmentType.objects.get(code=code))


def form_data(rows, note="", prefix="rows") -> dict:
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000", "note": note}
    for i, r in enumerate(rows):
        for key, value in r.items():
            data[f"{prefix}-{i}-{key}"] = value
    return data


# --- Templates ---------------------------------------------------------------------------------------

def test_a_template_ships_for_every_listed_category_with_complete_rows(db):
    shipped = templates()
    assert set(CATEGORIES) <= set(shipped)
    for code in CATEGORIES:
        assert EquipmentType.objects.filter(code=code).exists(), code  # keyed by the real catalogue
        rows = shipped[code]["rows"]
        assert 5 <= len(rows) <= 10, code
        for r in rows:
            assert all(str(r[f]).strip() for f in ROW_FIELDS), (code, r)
            assert r["category"] in RiskCategory.values and r["frequency"] in Frequency.values
            assert r["post"] in RESPONSIBLE_POSTS


def test_generating_for_a_unit_with_elevators_and_boilers_gives_those_templates(world):
    unit, enterprise = world["unit"], world["users"]["enterprise"]
    equip(unit, "3110"), equip(unit, "3110"), equip(unit, "1100")
    version = services.generate_from_templates(by=enterprise, unit=unit)
    items = list(version.items.select_related("equipment_type"))
    assert version.number == 1 and "电梯" in version.note and "锅炉" in version.note
    assert {i.equipment_type.code for i in items} == {"3000", "1000"}
    expected = [r["risk_item"] for code in ("1000", "3000") for r in templates()[code]["rows"]]
    assert [i.risk_item for i in items] == expected
    assert [i.position for i in items] == list(range(1, len(expected) + 1))

    # Nothing new to add: refused in Chinese, nothing written.
    with pytest.raises(ValidationError) as exc:
        services.generate_from_templates(by=enterprise, unit=unit)
    assert exc.value.messages == ["清单已包含本单位全部设备类别的模板内容。"]

    # A crane arrives: the next generation keeps the rows and adds the crane's.
    equip(unit, "4100")
    second = services.generate_from_templates(by=enterprise, unit=unit)
    assert second.number == 2 and second.items.count() == len(expected) + len(templates()["4000"]["rows"])
    assert version.items.count() == len(expected)


def test_a_filling_unit_gets_the_cylinder_template_and_a_unit_without_equipment_gets_none(world):
    unit = world["unit"]
    with pytest.raises(ValidationError) as exc:
        services.generate_from_templates(by=world["users"]["enterprise"], unit=unit)
    assert "还没有登记设备" in exc.value.messages[0]
    unit.kinds = ["usage", "filling"]
    unit.save(update_fields=["kinds"])
    version = services.generate_from_templates(by=world["users"]["enterprise"], unit=unit)
    assert set(version.items.values_list("equipment_type__code", flat=True)) == {"2300"}


# --- Versions ----------------------------------------------------------------------------------------

def test_each_save_is_a_new_version_and_the_old_one_stays_readable(world):
    unit, enterprise = world["unit"], world["users"]["enterprise"]
    first = services.save_list(by=enterprise, unit=unit, rows=[row(), row(risk_item="平层")], note="初版")
    second = services.save_list(by=enterprise, unit=unit, rows=[row(risk_item="应急照明")], note="调整")
    assert (first.number, second.number) == (1, 2)
    assert services.current_version(unit) == second
    assert list(first.items.values_list("risk_item", flat=True)) == ["门锁", "平层"]
    assert list(second.items.values_list("risk_item", flat=True)) == ["应急照明"]
    assert second.saved_by == enterprise and second.note == "调整"
    events = AuditEvent.objects.filter(kind=AuditEvent.Kind.DATA_CHANGED, object_type="routines.RiskList")
    assert [e.detail["version"] for e in events.order_by("pk")] == [1, 2]

    client = logged_in(world["users"]["county"])
    old = client.get(reverse("routines:risk_list_version", args=[first.pk])).content.decode()
    assert "平层" in old and 'data-testid="superseded"' in old
    history = client.get(reverse("routines:risk_list_history", args=[unit.pk])).content.decode()
    assert history.count('data-testid="version"') == 2


def test_versions_and_their_rows_are_never_changed_or_deleted(world):
    version = services.save_list(by=world["users"]["enterprise"], unit=world["unit"], rows=[row()])
    for query in (lambda: RiskListVersion.objects.filter(pk=version.pk).update(note="改"),
                  lambda: RiskListVersion.objects.filter(pk=version.pk).delete(),
                  lambda: RiskItem.objects.filter(version=version).update(risk_item="改"),
                  lambda: RiskList.objects.filter(unit=world["unit"]).delete()):
        with pytest.raises(DatabaseError), transaction.atomic():
            query()
    assert RiskListVersion.objects.get(pk=version.pk).items.get().risk_item == "门锁"


def test_the_version_in_force_on_a_day_is_the_last_saved_by_its_end(world):
    unit, enterprise = world["unit"], world["users"]["enterprise"]
    tz = timezone.get_current_timezone()
    monday = datetime(2026, 3, 2, 9, 0, tzinfo=tz)
    first = services.save_list(by=enterprise, unit=unit, rows=[row()])
    second = services.save_list(by=enterprise, unit=unit, rows=[row(risk_item="平层")])
    third = services.save_list(by=enterprise, unit=unit, rows=[row(risk_item="照明")])
    # Backdate the saves: first on Monday morning, second on Wednesday afternoon (the trigger forbids UPDATE,
    # so the test lifts it for the fixture only).
    from pgtrigger import ignore
    with ignore("routines.RiskListVersion:risklist_version_append_only"):
        RiskListVersion.objects.filter(pk=first.pk).update(saved_at=monday)
        RiskListVersion.objects.filter(pk=second.pk).update(saved_at=monday + timedelta(days=2, hours=6))
        # Friday 00:30 in Lanzhou is still Thursday in UTC: the local day counts.
        RiskListVersion.objects.filter(pk=third.pk).update(saved_at=datetime(2026, 3, 6, 0, 30, tzinfo=tz))
    day = monday.date()
    assert services.version_in_force(unit, day - timedelta(days=1)) is None
    assert services.version_in_force(unit, day) == first
    assert services.version_in_force(unit, day + timedelta(days=1)) == first
    assert services.version_in_force(unit, day + timedelta(days=2)) == second  # saved that afternoon
    assert services.version_in_force(unit, day + timedelta(days=3)) == second
    assert services.version_in_force(unit, day + timedelta(days=4)) == third
    assert services.version_in_force(world["other_unit"], day + timedelta(days=30)) is None


# --- Bad input ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("bad", "field", "message"), [
    ({"risk_item": "  "}, "risk_item", "请填写风险点。"),
    ({"frequency": "hourly"}, "frequency", "频次只能是每日、每周或每月。"),
    ({"responsible_post": "quality_safety_officer"}, "responsible_post",
     "责任岗位只能是安全员、安全总监或主要负责人。"),
    ({"category": "weather"}, "category", "请选择类别。"),
])
def test_a_bad_row_is_refused_in_chinese_and_nothing_is_written(world, bad, field, message):
    enterprise, unit = world["users"]["enterprise"], world["unit"]
    services.save_list(by=enterprise, unit=unit, rows=[row()])
    with pytest.raises(ValidationError) as exc:
        services.save_list(by=enterprise, unit=unit, rows=[row(), row(**bad)])
    assert [e.message % e.params for e in exc.value.error_dict[field]] == [message]
    assert exc.value.error_dict[field][0].params == {"row": 1}
    assert RiskListVersion.objects.count() == 1 and RiskItem.objects.count() == 1


def test_an_empty_list_and_another_units_equipment_are_refused(world):
    enterprise, unit = world["users"]["enterprise"], world["unit"]
    with pytest.raises(ValidationError) as exc:
        services.save_list(by=enterprise, unit=unit, rows=[])
    assert exc.value.messages == ["清单至少要有一条风险管控项。"]
    theirs = equip(world["other_unit"])
    with pytest.raises(ValidationError) as exc:
        services.save_list(by=enterprise, unit=unit, rows=[row(equipment=theirs)])
    assert exc.value.message_dict["covers"] == ["只能选择本单位的设备。"]
    assert not RiskListVersion.objects.exists()


def test_the_edit_page_shows_the_error_next_to_the_field_and_saves_nothing(world):
    client = logged_in(world["users"]["enterprise"])
    url = reverse("routines:risk_list_edit", args=[world["unit"].pk])
    good = row()
    response = client.post(url, form_data([good, {**good, "risk_item": "", "frequency": "hourly"}]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-field-error="risk_item"' in html and "请填写风险点。" in html
    assert "频次只能是每日、每周或每月。" in html
    formset = response.context["formset"]
    assert formset.forms[1].errors.keys() == {"risk_item", "frequency"} and not formset.forms[0].errors
    assert not RiskListVersion.objects.exists()


def test_the_edit_page_adds_edits_and_removes_rows_as_one_new_version(world):
    unit, client = world["unit"], logged_in(world["users"]["enterprise"])
    elevator = equip(unit)
    services.save_list(by=world["users"]["enterprise"], unit=unit, rows=[row(), row(risk_item="平层")])
    url = reverse("routines:risk_list_edit", args=[unit.pk])
    page = client.get(url)
    assert page.status_code == 200 and len(page.context["formset"].forms) == 3  # two rows and a blank one
    kept = {**row(risk_item="门锁（含轿门）"), "covers": f"e{elevator.pk}"}
    removed = {**row(risk_item="平层"), "DELETE": "on"}
    added = {**row(risk_item="紧急报警", category="safety_devices", frequency="weekly"),
             "covers": f"t{EquipmentType.objects.get(code='3000').pk}"}
    response = client.post(url, form_data([kept, removed, added], note="增加紧急报警"))
    assert response.status_code == 302, response.context["formset"].errors
    current = services.current_version(unit)
    assert current.number == 2 and current.note == "增加紧急报警"
    items = list(current.items.order_by("position"))
    assert [(i.risk_item, i.equipment_id, i.equipment_type and i.equipment_type.code) for i in items] == [
        ("门锁（含轿门）", elevator.pk, None), ("紧急报警", None, "3000")]
    page = client.get(reverse("routines:risk_list", args=[unit.pk])).content.decode()
    assert "紧急报警" in page and "全部电梯" in page


def test_the_generate_action_asks_first_and_then_writes_a_version(world):
    unit, client = world["unit"], logged_in(world["users"]["enterprise"])
    equip(unit)
    url = reverse("routines:risk_list_generate", args=[unit.pk])
    confirm = client.get(url).content.decode()
    assert "电梯" in confirm and not RiskListVersion.objects.exists()
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("routines:risk_list", args=[unit.pk])
    assert services.current_version(unit).items.count() == len(templates()["3000"]["rows"])
    again = client.post(url)
    assert again.status_code == 200 and "清单已包含" in again.content.decode()


# --- Who may, and scope ------------------------------------------------------------------------------

def test_regulators_read_but_may_not_edit_or_generate(world):
    unit = world["unit"]
    equip(unit)
    for role in ("county", "station", "city", "province"):
        with pytest.raises(Http404):
            services.save_list(by=world["users"][role], unit=unit, rows=[row()])
        with pytest.raises(Http404):
            services.generate_from_templates(by=world["users"][role], unit=unit)
        client = logged_in(world["users"][role])
        assert client.get(reverse("routines:risk_list_edit", args=[unit.pk])).status_code == 404
        assert client.post(reverse("routines:risk_list_generate", args=[unit.pk])).status_code == 404
        page = client.get(reverse("routines:risk_list", args=[unit.pk])).content.decode()
        assert 'data-testid="edit"' not in page and 'data-testid="generate"' not in page
    assert not RiskListVersion.objects.exists()


def test_the_enterprise_sees_only_its_own_unit_and_another_county_gets_404(world):
    version = services.save_list(by=world["users"]["enterprise"], unit=world["unit"], rows=[row()])
    mine = reverse("routines:risk_list", args=[world["unit"].pk])
    enterprise = logged_in(world["users"]["enterprise"])
    assert enterprise.get(reverse("routines:my_risk_list"))["Location"] == mine
    unit_page = logged_in(world["users"]["station"]).get(world["unit"].get_absolute_url()).content.decode()
    assert f'href="{mine}"' in unit_page  # regulators reach the list from the unit's page
    page = enterprise.get(mine).content.decode()
    assert 'data-testid="edit"' in page and 'data-testid="risk-item"' in page
    for role in ("other_enterprise", "other_county"):
        client = logged_in(world["users"][role])
        for url in (mine, reverse("routines:risk_list_history", args=[world["unit"].pk]),
                    reverse("routines:risk_list_version", args=[version.pk])):
            assert client.get(url).status_code == 404, (role, url)
    with pytest.raises(Http404):
        services.save_list(by=world["users"]["other_enterprise"], unit=world["unit"], rows=[row()])
    assert logged_in(world["users"]["county"]).get(mine).status_code == 200


def test_an_unconfirmed_unit_cannot_make_a_list(world):
    from units.choices import UnitStatus
    from units.models import Unit

    Unit.objects.filter(pk=world["unit"].pk).update(status=UnitStatus.PENDING)
    with pytest.raises(ValidationError) as exc:
        services.save_list(by=world["users"]["enterprise"], unit=world["unit"], rows=[row()])
    assert "尚未经属地市场监管所确认" in exc.value.messages[0]


def test_the_list_follows_its_unit_when_it_moves(world):
    from units.models import Unit
    from units.signals import unit_moved

    services.save_list(by=world["users"]["enterprise"], unit=world["unit"], rows=[row()])
    target = factories.node("620103001")
    unit_moved.send(sender=Unit, unit=world["unit"], columns={"jurisdiction_id": target.pk, **target.ancestor_ids()})
    risk_list = RiskList.objects.get(unit=world["unit"])
    assert (risk_list.jurisdiction_id, risk_list.county_id) == (target.pk, factories.node("620103").pk)
