"""Units: the USCC validator, duplicate codes, and the scoped, audited list export."""

import csv
import io
import random
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone
from pghistory.models import Events
from stdnum.cn import uscc as stdnum_uscc

from jurisdictions.models import AuditEvent
from personnel import services as personnel
from personnel.models import Person
from portal.kit import history
from portal.kit.identifiers import normalize_uscc, validate_uscc
from portal.kit.samples import make_uscc
from tests import factories
from tests.factories import logged_in, node
from units import services
from units.models import Unit


def error_code(value: str) -> str:
    with pytest.raises(ValidationError) as caught:
        validate_uscc(value)
    return caught.value.code


# --- The USCC validator (GB 32100-2015) --------------------------------------------------------------

@pytest.mark.parametrize("code", ["91110000600037341L", "91350100M000100Y43"])
def test_valid_uscc_samples_pass(code):
    validate_uscc(code)


def test_uscc_is_normalised_before_validation():
    assert normalize_uscc(" 91350100m000100y43 ") == "91350100M000100Y43"
    validate_uscc(" 91350100m000100y43 ")


@pytest.mark.parametrize("code", ["91110000600037341M", "91350100M000100Y44", "91350100M000100Y4X"])
def test_uscc_with_a_wrong_check_character_is_refused(code):
    assert error_code(code) == "uscc_checksum"


def test_uscc_check_character_message_is_chinese():
    with pytest.raises(ValidationError) as caught:
        validate_uscc("91110000600037341M")
    assert caught.value.messages == ["统一社会信用代码校验位错误，请核对后重新输入。"]


@pytest.mark.parametrize("code", ["", "9111000060003734", "91110000600037341", "91110000600037341L0"])
def test_uscc_of_the_wrong_length_is_refused(code):
    assert error_code(code) == "uscc_length"


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_uscc_with_a_letter_gb_32100_does_not_use_is_refused(letter):
    code = "91350100M000100Y43"
    tampered = code[:8] + letter + code[9:]
    assert error_code(tampered) == "uscc_chars"
    with pytest.raises(ValidationError, match="不使用 I、O、Z、S、V"):
        validate_uscc(tampered)


def test_uscc_with_punctuation_is_refused():
    assert error_code("91350100-000100Y43") == "uscc_chars"


def test_uscc_of_another_registering_department_checks_only_the_check_character():
    """Codes starting with a letter (e.g. 'Y' for other departments) are legal; stdnum refuses them."""
    body = "Y2620102MA7ABCDEF"
    valid = body + stdnum_uscc.calc_check_digit(body)
    assert not stdnum_uscc.is_valid(valid)
    validate_uscc(valid)
    wrong = body + ("0" if valid[-1] != "0" else "1")
    assert error_code(wrong) == "uscc_checksum"


def test_generated_sample_codes_are_valid():
    rng = random.Random(3)
    for _ in range(50):
        validate_uscc(make_uscc("620102", rng))


# --- Creating units through the view ----------------------------------------------------------------

def unit_form(uscc: str, name: str = "城关新建测试单位", code: str = "620102001") -> dict:
    return {"uscc": uscc, "name": name, "kinds": ["usage"], "jurisdiction": node(code).pk, "address": "",
            "legal_representative": ""}


def test_creating_a_unit_with_a_duplicate_uscc_shows_the_chinese_message(world):
    existing = world["unit"]
    response = logged_in(world["users"]["station"]).post(reverse("units:unit_create"), unit_form(existing.uscc))
    assert response.status_code == 200
    message = f"统一社会信用代码 {existing.uscc} 已登记，不能重复创建单位。"
    assert response.context["form"].errors["uscc"] == [message]
    assert f'data-field-error="uscc">{message}</div>' in response.content.decode()
    assert Unit.objects.filter(uscc=existing.uscc).count() == 1
    assert not Unit.objects.filter(name="城关新建测试单位").exists()


def test_duplicate_uscc_is_caught_whatever_the_letter_case(world):
    existing = world["other_unit"]  # in 七里河区: the clash is global, not per scope
    response = logged_in(world["users"]["station"]).post(reverse("units:unit_create"),
                                                         unit_form(existing.uscc.lower()))
    assert response.status_code == 200 and "uscc" in response.context["form"].errors
    assert Unit.objects.filter(uscc=existing.uscc).count() == 1


def test_creating_a_unit_with_a_fresh_uscc_succeeds_and_places_it(world):
    """Pair of the duplicate refusal: the same form with a new code creates the unit where asked."""
    uscc = make_uscc("620102", random.Random(11))
    response = logged_in(world["users"]["station"]).post(reverse("units:unit_create"), unit_form(uscc.lower()))
    assert response.status_code == 302
    unit = Unit.objects.get(uscc=uscc)
    assert response["Location"] == unit.get_absolute_url()
    assert (unit.station_id, unit.county_id, unit.city_id, unit.province_id) == (
        node("620102001").pk, node("620102").pk, node("620100").pk, node("620000").pk)
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.DATA_CHANGED, object_id=str(unit.pk)).exists()


def test_creating_a_unit_with_an_invalid_uscc_shows_the_chinese_message(world):
    response = logged_in(world["users"]["station"]).post(reverse("units:unit_create"),
                                                         unit_form("91110000600037341M"))
    assert response.status_code == 200
    assert "统一社会信用代码校验位错误，请核对后重新输入。" in response.content.decode()
    assert not Unit.objects.filter(uscc="91110000600037341M").exists()


# --- The risk grade is computed, never set by hand (issue 12 item 1) --------------------------------

def edit_form(unit: Unit, **changes) -> dict:
    data = {"uscc": unit.uscc, "name": unit.name, "kinds": unit.kinds, "jurisdiction": unit.jurisdiction_id,
            "address": unit.address, "legal_representative": unit.legal_representative}
    return {**data, **changes}


@pytest.fixture
def graded(world):
    """``unit`` graded C, as the nightly regrade would have written it."""
    Unit.objects.filter(pk=world["unit"].pk).update(risk_grade="C")
    world["unit"].refresh_from_db()
    return world["unit"]


@pytest.mark.parametrize("role", ["enterprise", "county", "station", "city"])
def test_nobody_sets_the_risk_grade_on_the_unit_form(world, graded, role):
    client = logged_in(world["users"][role])
    response = client.get(reverse("units:unit_edit", args=[graded.pk]))
    assert "risk_grade" not in response.context["form"].fields
    assert 'name="risk_grade"' not in response.content.decode()
    response = client.post(reverse("units:unit_edit", args=[graded.pk]),
                           edit_form(graded, risk_grade="A", address="城关区新地址 1 号"))
    assert response.status_code == 302
    graded.refresh_from_db()
    assert (graded.risk_grade, graded.address) == ("C", "城关区新地址 1 号")


def test_the_service_takes_no_risk_grade(world, graded):
    services.update_unit(by=world["users"]["county"], unit=graded, risk_grade="A", address="城关区新地址 2 号")
    assert Unit.objects.values_list("risk_grade", "address").get(pk=graded.pk) == ("C", "城关区新地址 2 号")


# --- The list export --------------------------------------------------------------------------------

@pytest.fixture
def spread(world):
    world["chengguan_2"] = factories.unit("620102002", name="城关第二测试单位")
    world["tianshui"] = factories.unit("620502001", name="天水测试单位")
    return world


def export_rows(user, query: str = "") -> list[dict]:
    response = logged_in(user).get(reverse("units:unit_list") + f"?{query}_export=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


EXPECTED_EXPORT = {
    "province": {"城关测试电梯有限公司", "七里河测试热力有限公司", "城关第二测试单位", "天水测试单位"},
    "city": {"城关测试电梯有限公司", "七里河测试热力有限公司", "城关第二测试单位"},
    "other_city": {"天水测试单位"},
    "county": {"城关测试电梯有限公司", "城关第二测试单位"},
    "other_county": {"七里河测试热力有限公司"},
    "station": {"城关测试电梯有限公司"},
    "enterprise": {"城关测试电梯有限公司"},
    "other_enterprise": {"七里河测试热力有限公司"},
}


@pytest.mark.parametrize("role", sorted(EXPECTED_EXPORT))
def test_unit_export_contains_exactly_the_in_scope_units(spread, role):
    rows = export_rows(spread["users"][role])
    names = [row["单位名称"] for row in rows]
    assert sorted(names) == sorted(EXPECTED_EXPORT[role])


def test_unit_export_writes_an_export_audit_event(spread):
    county = spread["users"]["county"]
    export_rows(county)
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.EXPORT)
    assert (event.user, event.username, event.county_id) == (county, "county", node("620102").pk)
    assert event.detail == {"view": "UnitListView", "format": "csv", "rows": 2, "filter": {}}


def test_unit_export_honours_the_filter_and_records_it(spread):
    rows = export_rows(spread["users"]["county"], "q=第二&")
    assert [row["单位名称"] for row in rows] == ["城关第二测试单位"]
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.EXPORT)
    assert event.detail["rows"] == 1 and event.detail["filter"] == {"q": "第二"}


def test_unit_export_cannot_be_widened_by_a_filter(spread):
    """Searching for another county's unit by its code finds nothing for the county user."""
    rows = export_rows(spread["users"]["county"], f"q={spread['other_unit'].uscc}&")
    assert rows == []
    city_rows = export_rows(spread["users"]["city"], f"q={spread['other_unit'].uscc}&")
    assert [row["单位名称"] for row in city_rows] == ["七里河测试热力有限公司"]


def test_unit_list_page_shows_the_same_units_as_the_export(spread):
    response = logged_in(spread["users"]["county"]).get(reverse("units:unit_list"))
    assert {u.name for u in response.context["table"].data} == EXPECTED_EXPORT["county"]
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT).exists()


def test_unknown_export_format_is_404_and_not_audited(spread):
    response = logged_in(spread["users"]["county"]).get(reverse("units:unit_list") + "?_export=pdf")
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT).exists()


def test_unit_export_as_xlsx(spread):
    response = logged_in(spread["users"]["county"]).get(reverse("units:unit_list") + "?_export=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert response.content[:2] == b"PK"
    assert AuditEvent.objects.get(kind=AuditEvent.Kind.EXPORT).detail["format"] == "xlsx"


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_unit_export_escapes_formula_prefixes(world, prefix):
    hostile = f"{prefix}HYPERLINK(\"http://example.invalid\",\"点击\")"
    Unit.objects.filter(pk=world["unit"].pk).update(name=hostile)
    rows = export_rows(world["users"]["county"])
    cell = rows[0]["单位名称"]
    assert cell.lstrip("'") == hostile and not cell.startswith(prefix)


def test_unit_xlsx_export_holds_no_formula(world):
    from openpyxl import load_workbook

    Unit.objects.filter(pk=world["unit"].pk).update(name='=HYPERLINK("http://example.invalid","点击")')
    response = logged_in(world["users"]["county"]).get(reverse("units:unit_list") + "?_export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert cells and all(cell.data_type != "f" for cell in cells)
    assert "'=HYPERLINK(\"http://example.invalid\",\"点击\")" in [cell.value for cell in cells]


# --- The data-change history page (issue 8 item 11) ----------------------------------------------------

@pytest.fixture
def reviewed(world, settings, tmp_path):
    """A unit that signed itself up, was confirmed by its station and then moved and graded by its county,
    every step through the pages, so each change carries the request's history context."""
    settings.MEDIA_ROOT = tmp_path / "media"
    data = {"uscc": make_uscc("620102", random.Random(11)), "name": "历史测试锅炉有限公司",
            "kinds": ["usage", "filling"],
            "address": "兰州市城关区酒泉路 1 号", "legal_representative": "张三", "contact_person": "李四",
            "contact_phone": "13912345678", "licence": factories.licence_upload(),
            "jurisdiction": node("620102001").pk, "username": "history-boiler", "display_name": "李四",
            "password": factories.PASSWORD, "password_confirm": factories.PASSWORD}
    assert Client().post(reverse("units:signup"), data).status_code == 302
    unit = Unit.objects.get(uscc=data["uscc"])
    station, county = world["users"]["station"], world["users"]["county"]
    assert logged_in(station).post(reverse("units:unit_confirm", args=[unit.pk]), {"note": "已核实"}).status_code == 302
    edit = {**unit_form(unit.uscc, name="历史测试锅炉有限公司", code="620102002"), "kinds": ["usage", "filling"],
            "address": data["address"], "legal_representative": "王五"}
    assert logged_in(county).post(reverse("units:unit_edit", args=[unit.pk]), edit).status_code == 302
    return unit


def history_rows(user, unit) -> list[list[str]]:
    """The history table's rows, each cell's text."""
    html = logged_in(user).get(reverse("units:unit_history", args=[unit.pk])).content.decode()
    rows = re.findall(r'<tr data-testid="history-entry">(.*?)</tr>', html, re.S)
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in rows]


def test_unit_history_names_actions_fields_people_and_local_minutes(world, reviewed):
    rows = history_rows(world["users"]["county"], reviewed)
    assert [row[1] for row in rows] == ["修改", "修改", "新建"]
    edited, confirmed, signed_up = rows

    assert signed_up[2] == "李四（history-boiler）"
    assert "单位名称：历史测试锅炉有限公司" in signed_up[3]
    assert f"单位类别：{reviewed.get_kinds_display()}" in signed_up[3] and "充装单位" in signed_up[3]
    assert "状态：待确认" in signed_up[3]
    assert "所属辖区：酒泉路街道" in signed_up[3]

    assert confirmed[2] == "测试人员（station）"
    assert "状态：待确认 → 正常" in confirmed[3]
    assert "审核人：（空） → 测试人员" in confirmed[3]
    assert "审核意见：（空） → 已核实" in confirmed[3]
    reviewed.refresh_from_db()
    assert f"审核时间：（空） → {formats.date_format(timezone.localtime(reviewed.reviewed_at), 'DATETIME_FORMAT')}" \
        in confirmed[3]

    assert edited[2] == "测试人员（county）"
    assert edited[3] == ("所属辖区：酒泉路街道市场监督管理所 → 张掖路街道市场监督管理所"
                         "法定代表人：张三 → 王五")

    newest = Events.objects.tracks(reviewed).order_by("-pgh_created_at", "-pgh_id").first()
    assert edited[0] == formats.date_format(timezone.localtime(newest.pgh_created_at), "DATETIME_FORMAT")
    for internal in ("insert", "update", "_id", "None", "updated_at", "province", "+00:00", "系统"):
        assert internal not in "".join(cell for row in rows for cell in row), internal


def test_history_shows_the_licence_as_uploaded_not_as_its_storage_path(world, reviewed):
    signed_up = history_rows(world["users"]["county"], reviewed)[-1]
    assert "营业执照：已上传" in signed_up[3]
    html = logged_in(world["users"]["county"]).get(reverse("units:unit_history", args=[reviewed.pk])).content.decode()
    assert "licences/" not in html
    previous = reviewed.licence.name
    reviewed.licence.save("new.png", factories.licence_upload())
    assert reviewed.licence.name != previous
    replaced = history_rows(world["users"]["county"], reviewed)[0]
    assert "营业执照：已更换" in replaced[3]


def test_history_of_a_sealed_value_says_only_that_it_changed(world):
    person = factories.person(world["unit"], name="换号人员", phone="13900001111")
    personnel.update_person(by=factories.system_user(), person=person, version=person.version, name="换号人员",
                            phone="13700002222")
    entries = history.describe(Events.objects.tracks(person).order_by("-pgh_created_at", "-pgh_id"), Person)
    changed = {c.label: (c.before, c.after) for c in entries[0].changes}
    assert changed == {"手机号码": (None, "已修改")}
    shown = repr([(c.label, c.before, c.after) for e in entries for c in e.changes])
    for secret in ("1111", "2222", "密文", "索引", "版本", "version"):
        assert secret not in shown, secret


# --- The scoped jurisdiction filter (issue 8 item 5) -------------------------------------------------

def listed_units(client: Client, **params) -> set[int]:
    response = client.get(reverse("units:unit_list"), params)
    assert response.status_code == 200
    return {u.pk for u in response.context["table"].data}


def test_the_unit_list_filters_by_city_county_or_station_of_the_users_subtree(world):
    in_station, in_other_station = factories.unit("620102001"), factories.unit("620102002")
    in_qilihe = factories.unit("620103001")
    client = logged_in(world["users"]["city"])
    assert listed_units(client, jurisdiction=node("620102001").pk) == {in_station.pk, world["unit"].pk}
    by_county = listed_units(client, jurisdiction=node("620102").pk)
    assert {in_station.pk, in_other_station.pk, world["unit"].pk} <= by_county
    assert in_qilihe.pk not in by_county and world["other_unit"].pk not in by_county
    assert {in_qilihe.pk, in_station.pk} <= listed_units(client, jurisdiction=node("620100").pk)


def test_a_node_outside_the_users_subtree_answers_no_rows_and_says_why(world):
    factories.unit("620103001")
    client = logged_in(world["users"]["county"])
    response = client.get(reverse("units:unit_list"), {"jurisdiction": node("620103").pk})
    assert response.status_code == 200
    assert list(response.context["table"].data) == []
    assert "请选择您辖区范围内的辖区" in response.content.decode()


def test_the_unit_list_offers_the_scoped_picker_not_a_whole_tree_select(world):
    page = logged_in(world["users"]["city"]).get(reverse("units:unit_list")).content.decode()
    assert "data-picker" in page and reverse("jurisdictions:autocomplete") in page
    assert page.count("<option") < 50


def test_a_station_page_shows_its_units_and_figures_and_says_it_has_no_sub_jurisdictions(world):
    station = node("620102001")
    page = logged_in(world["users"]["county"]).get(
        reverse("jurisdictions:jurisdiction_detail", args=[station.pk])).content.decode()
    assert 'data-testid="no-children"' in page and "没有下级辖区" in page
    assert world["unit"].name in page and world["other_unit"].name not in page
    assert f'href="{reverse("units:unit_list")}?jurisdiction={station.pk}"' in page
    assert f'href="{reverse("units:equipment_list")}?jurisdiction={station.pk}"' in page


def test_the_dashboard_figures_link_to_the_rows_of_their_node(world):
    client = logged_in(world["users"]["county"])
    page = client.get(reverse("dashboard:home")).content.decode()
    county, station = node("620102"), node("620102001")
    assert f'href="{reverse("units:unit_list")}?jurisdiction={county.pk}"' in page
    assert f'href="{reverse("units:unit_list")}?jurisdiction={station.pk}"' in page
