"""Enterprise sign-up (public) and its confirmation by the station or a tier above (000 §四)."""

import random
import re
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.http import Http404
from django.test import Client
from django.urls import reverse

from jurisdictions import access
from jurisdictions.duties import Duty, Role, Tier
from jurisdictions.models import AuditEvent, Jurisdiction, User
from portal.kit import crypto
from portal.kit.samples import make_uscc
from tests.factories import PASSWORD, licence_upload, logged_in, node, png_bytes
from units import services
from units.choices import UnitKind, UnitStatus
from units.models import CONTACT_PHONE_PURPOSE, EquipmentType, Unit

STATION = "620102001"  # 酒泉路街道所 (城关区, 兰州市): the world fixture's station
_rng = random.Random(2026)


def signup_data(**overrides) -> dict:
    data = {
        "uscc": make_uscc("620102", _rng), "name": "兰州注册测试锅炉有限公司", "kinds": ["usage", "filling"],
        "address": "兰州市城关区酒泉路 1 号", "legal_representative": "张三", "contact_person": "李四",
        "contact_phone": "139 1234 5678", "licence": licence_upload(), "jurisdiction": node(STATION).pk,
        "username": "signup-boiler", "display_name": "李四",
        "password": PASSWORD, "password_confirm": PASSWORD,
    }
    data.update(overrides)
    return data


def sign_up(data: dict | None = None, **overrides):
    return Client().post(reverse("units:signup"), {**(data or signup_data()), **overrides})


def field_errors(response, field: str) -> list[str]:
    return response.context["form"].errors.get(field, [])


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploaded licences go to a throwaway directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def pending(world):
    """A unit that signed itself up at the world's station, with its first account."""
    unit, user = services.signup_unit(
        uscc=make_uscc("620102", _rng), name="待确认测试电梯有限公司", kinds=[UnitKind.USAGE],
        jurisdiction=node(STATION), username="pending-ent", display_name="王五", password=PASSWORD,
        address="兰州市城关区", legal_representative="王五", contact_person="王五", contact_phone="13812345678",
        licence=licence_upload(),
    )
    return unit, user


# --- Sign-up ------------------------------------------------------------------------------------------

def test_sign_up_page_opens_without_login(tree):
    response = Client().get(reverse("units:signup"))
    assert response.status_code == 200
    assert "企业注册" in response.content.decode()


def test_sign_up_creates_a_pending_unit_at_the_station_and_its_account(tree):
    data = signup_data()
    response = sign_up(data)
    assert response.status_code == 302 and response["Location"] == reverse("login")

    unit = Unit.objects.get(uscc=data["uscc"])
    station = node(STATION)
    assert unit.status == UnitStatus.PENDING
    assert unit.kinds == ["filling", "usage"]
    assert (unit.contact_person, unit.legal_representative, unit.address) == ("李四", "张三", "兰州市城关区酒泉路 1 号")
    assert unit.jurisdiction == station
    assert (unit.station_id, unit.county_id, unit.city_id) == (station.pk, node("620102").pk, node("620100").pk)

    user = User.objects.get(username="signup-boiler")
    assert user.role == Role.ENTERPRISE and user.jurisdiction == station and user.created_by is None
    assert access.can(user, Duty.KEEP_RECORDS, unit)
    assert services.unit_of(user) == unit
    signup_event = AuditEvent.objects.get(object_type="units.Unit", object_id=str(unit.pk))
    assert signup_event.detail["action"] == "signup_unit" and signup_event.username == "signup-boiler"


def test_signed_in_user_is_sent_to_the_dashboard_instead_of_signing_up(world):
    response = logged_in(world["users"]["enterprise"]).get(reverse("units:signup"))
    assert response.status_code == 302 and response["Location"] == reverse("dashboard:home")


def test_duplicate_uscc_is_refused_next_to_the_field_and_creates_nothing(world):
    existing = world["unit"]
    units, users = Unit.objects.count(), User.objects.count()
    response = sign_up(uscc=existing.uscc.lower())
    assert response.status_code == 200
    assert field_errors(response, "uscc") == [
        f"统一社会信用代码 {existing.uscc} 已在平台登记，不能重复注册。如需开通账号，请联系属地市场监管所。"
    ]
    assert "已在平台登记" in response.content.decode()
    assert (Unit.objects.count(), User.objects.count()) == (units, users)


@pytest.mark.django_db(transaction=True)
def test_duplicate_uscc_racing_a_concurrent_sign_up_gets_the_same_message(tree):
    """The other sign-up has inserted but not committed when this one checks: the pre-check sees
    nothing, the insert waits on the unique index, and its IntegrityError becomes the field message."""
    uscc = make_uscc("620102", _rng)
    station = node(STATION)
    inserted, errors = threading.Event(), []

    def first_sign_up():
        try:
            with transaction.atomic():
                unit = Unit(uscc=uscc, name="先注册的单位", kinds=[UnitKind.USAGE], status=UnitStatus.PENDING)
                unit.place(station)
                unit.save()
                inserted.set()
                with connection.cursor() as cursor:
                    for _attempt in range(200):  # until the second insert is waiting on our row lock
                        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
                        if cursor.fetchone()[0]:
                            break
                        threading.Event().wait(0.05)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=first_sign_up)
    thread.start()
    assert inserted.wait(timeout=10)
    with pytest.raises(ValidationError) as caught:
        services.signup_unit(uscc=uscc, name="后注册的单位", kinds=[UnitKind.USAGE], jurisdiction=station,
                             username="racer", display_name="赛跑者", password=PASSWORD,
                             contact_phone="13812345678", licence=licence_upload())
    thread.join(timeout=30)
    assert errors == []
    assert caught.value.message_dict["uscc"] == [
        f"统一社会信用代码 {uscc} 已在平台登记，不能重复注册。如需开通账号，请联系属地市场监管所。"
    ]
    assert list(Unit.objects.filter(uscc=uscc).values_list("name", flat=True)) == ["先注册的单位"]
    assert not User.objects.filter(username="racer").exists()


def test_invalid_uscc_is_refused_with_the_check_character_message(tree):
    good = make_uscc("620102", _rng)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    response = sign_up(uscc=bad)
    assert response.status_code == 200
    assert field_errors(response, "uscc") == ["统一社会信用代码校验位错误，请核对后重新输入。"]
    assert not Unit.objects.filter(uscc=bad).exists()
    assert not User.objects.filter(username="signup-boiler").exists()


def test_account_errors_land_next_to_their_fields_and_nothing_is_created(world):
    response = sign_up(password="short", password_confirm="different")
    assert field_errors(response, "password")
    assert field_errors(response, "password_confirm") == ["两次输入的密码不一致。"]
    taken = sign_up(username=world["users"]["enterprise"].username)
    assert field_errors(taken, "username") == ["用户名“enterprise”已被使用。"]
    assert not Unit.objects.filter(name="兰州注册测试锅炉有限公司").exists()


def test_jurisdiction_must_be_a_station(tree):
    response = sign_up(jurisdiction=node("620102").pk)
    assert field_errors(response, "jurisdiction") == ["请选择单位所在地的市场监管所（乡镇、街道）。"]
    with pytest.raises(ValidationError) as caught:
        services.signup_unit(uscc=make_uscc("620102", _rng), name="测试", kinds=["usage"],
                             jurisdiction=node("620102"), username="x1", display_name="x", password=PASSWORD,
                             contact_phone="13812345678", licence=licence_upload())
    assert "jurisdiction" in caught.value.message_dict


def test_unit_kinds_are_required(tree):
    response = sign_up(kinds=[])
    assert field_errors(response, "kinds")


def test_public_station_search_answers_only_stations_at_most_twenty(tree):
    url = reverse("jurisdictions:station_autocomplete")
    client = Client()
    empty = client.get(url, {"field": "jurisdiction", "jurisdiction__search": ""})
    assert empty.status_code == 200 and "data-pick" not in empty.content.decode()

    response = client.get(url, {"field": "jurisdiction", "jurisdiction__search": "街道"})
    picked = [int(pk) for pk in re.findall(r'data-pick="(\d+)"', response.content.decode())]
    assert 0 < len(picked) <= 20
    assert set(Jurisdiction.objects.filter(pk__in=picked).values_list("tier", flat=True)) == {Tier.STATION}

    by_code = client.get(url, {"q": "620102"}).content.decode()  # a county's code prefix: its stations
    assert f'data-pick="{node(STATION).pk}"' in by_code
    assert f'data-pick="{node("620102").pk}"' not in by_code
    assert client.post(url).status_code == 405


# --- The pending enterprise ---------------------------------------------------------------------------

def test_pending_enterprise_logs_in_and_sees_it_awaits_the_station(pending):
    client = Client()
    response = client.post(reverse("login"), {"username": "pending-ent", "password": PASSWORD})
    assert response.status_code == 302
    dashboard = client.get(reverse("dashboard:home")).content.decode()
    assert "待属地市场监管所确认" in dashboard
    assert "酒泉路" in dashboard


def test_pending_unit_cannot_add_equipment_yet(pending):
    unit, user = pending
    with pytest.raises(ValidationError):
        services.add_equipment(by=user, unit=unit, equipment_type=EquipmentType.objects.get(code="3110"))
    assert logged_in(user).get(reverse("units:unit_detail", args=[unit.pk])).context["can_add_equipment"] is False


def test_rejected_enterprise_reads_the_reason_on_its_dashboard(world, pending):
    unit, user = pending
    services.reject_unit(by=world["users"]["station"], unit=unit, reason="地址不在本所辖区")
    dashboard = logged_in(user).get(reverse("dashboard:home")).content.decode()
    assert "地址不在本所辖区" in dashboard


# --- Confirmation -------------------------------------------------------------------------------------

def test_station_sees_the_pending_unit_in_its_work_list(world, pending):
    unit, _user = pending
    rows = logged_in(world["users"]["station"]).get(reverse("units:unit_pending_list")).context["table"].data
    assert [u.pk for u in rows] == [unit.pk]
    assert list(logged_in(world["users"]["other_county"]).get(reverse("units:unit_pending_list"))
                .context["table"].data) == []


def test_station_confirms_a_pending_unit(world, pending):
    unit, _user = pending
    station = world["users"]["station"]
    client = logged_in(station)
    url = reverse("units:unit_confirm", args=[unit.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"note": "已现场核实"})
    assert response.status_code == 302 and response["Location"] == unit.get_absolute_url()
    unit.refresh_from_db()
    assert unit.status == UnitStatus.ACTIVE
    assert (unit.reviewed_by, unit.review_note) == (station, "已现场核实") and unit.reviewed_at is not None
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.APPROVAL, object_id=str(unit.pk))
    assert event.user == station and event.detail["action"] == "confirm_unit"
    assert list(client.get(reverse("units:unit_pending_list")).context["table"].data) == []


def test_station_rejects_only_with_a_reason(world, pending):
    unit, _user = pending
    client = logged_in(world["users"]["station"])
    url = reverse("units:unit_reject", args=[unit.pk])
    empty = client.post(url, {"reason": "  "})
    assert empty.status_code == 200 and empty.context["form"].errors["reason"]
    unit.refresh_from_db()
    assert unit.status == UnitStatus.PENDING

    response = client.post(url, {"reason": "营业执照信息与填报不符"})
    assert response.status_code == 302
    unit.refresh_from_db()
    assert (unit.status, unit.review_note) == (UnitStatus.REJECTED, "营业执照信息与填报不符")
    assert unit.reviewed_by == world["users"]["station"]
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.APPROVAL, object_id=str(unit.pk))
    assert event.detail == {"action": "reject_unit", "note": "营业执照信息与填报不符"}


def test_county_can_confirm(world, pending):
    unit, _user = pending
    response = logged_in(world["users"]["county"]).post(reverse("units:unit_confirm", args=[unit.pk]), {"note": ""})
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.status == UnitStatus.ACTIVE and unit.reviewed_by == world["users"]["county"]


@pytest.mark.parametrize("view", ["units:unit_confirm", "units:unit_reject"])
def test_other_county_gets_404_and_the_unit_stays_pending(world, pending, view):
    unit, _user = pending
    client = logged_in(world["users"]["other_county"])
    url = reverse(view, args=[unit.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"note": "", "reason": "越权"}).status_code == 404
    with pytest.raises(Http404):
        services.confirm_unit(by=world["users"]["other_county"], unit=unit)
    unit.refresh_from_db()
    assert unit.status == UnitStatus.PENDING and unit.reviewed_by is None


def test_enterprise_cannot_confirm_its_own_unit(pending):
    unit, user = pending
    assert logged_in(user).post(reverse("units:unit_confirm", args=[unit.pk]), {"note": ""}).status_code == 404
    unit.refresh_from_db()
    assert unit.status == UnitStatus.PENDING


def test_a_unit_is_reviewed_once(world, pending):
    unit, _user = pending
    station = world["users"]["station"]
    services.confirm_unit(by=station, unit=unit)
    with pytest.raises(ValidationError):
        services.reject_unit(by=station, unit=unit, reason="改主意了")
    response = logged_in(station).get(reverse("units:unit_reject", args=[unit.pk]))
    assert response.status_code == 302 and response["Location"] == unit.get_absolute_url()
    unit.refresh_from_db()
    assert unit.status == UnitStatus.ACTIVE


def test_confirmed_enterprise_can_add_equipment(world, pending):
    unit, user = pending
    services.confirm_unit(by=world["users"]["station"], unit=unit)
    equipment = services.add_equipment(by=user, unit=unit, equipment_type=EquipmentType.objects.get(code="3110"))
    assert equipment.unit == unit and equipment.station_id == unit.station_id


# --- Contact phone and 营业执照 (issue 8 item 6) -----------------------------------------------------

def test_sign_up_seals_and_masks_the_contact_phone_and_stores_the_licence_under_a_generated_name(tree):
    data = signup_data()
    assert sign_up(data).status_code == 302
    unit = Unit.objects.get(uscc=data["uscc"])
    assert unit.contact_phone_masked == "139****5678"
    assert crypto.decrypt(unit.contact_phone_cipher, CONTACT_PHONE_PURPOSE) == "13912345678"
    assert unit.contact_phone_digest == crypto.digest("13912345678", CONTACT_PHONE_PURPOSE)
    assert re.fullmatch(r"licences/\d{4}/\d{2}/[0-9a-f]{32}\.png", unit.licence.name)
    assert unit.licence.read() == png_bytes()
    # Neither the history nor the audit keeps the full number.
    history = str(list(Unit.pgh_event_model.objects.filter(pgh_obj_id=unit.pk).values()))
    audit = str(list(AuditEvent.objects.filter(object_id=str(unit.pk)).values("detail")))
    assert "13912345678" not in history + audit and "139****5678" in audit


def test_sign_up_needs_a_mobile_and_a_licence_checked_by_content_and_creates_nothing(tree):
    fake = SimpleUploadedFile("营业执照.png", b"%PDF-1.4 not an image", content_type="image/png")
    response = sign_up(contact_phone="0931-1234", licence=fake)
    assert field_errors(response, "contact_phone") == ["手机号码应为 11 位数字，以 13–19 开头。"]
    assert field_errors(response, "licence") == ["文件 营业执照.png 的内容与扩展名不符。"]
    missing = sign_up({k: v for k, v in signup_data().items() if k != "licence"})
    assert field_errors(missing, "licence")
    assert not Unit.objects.filter(name="兰州注册测试锅炉有限公司").exists()
    assert not User.objects.filter(username="signup-boiler").exists()


def test_confirmation_page_shows_the_masked_phone_and_the_licence_served_only_in_scope(world, pending):
    unit, user = pending
    page = logged_in(world["users"]["station"]).get(reverse("units:unit_confirm", args=[unit.pk]))
    html = page.content.decode()
    licence_url = reverse("units:unit_licence", args=[unit.pk])
    assert "138****5678" in html and "13812345678" not in html
    assert f'<img src="{licence_url}"' in html and "/media/" not in html
    for role in ("station", "county", "city"):
        served = logged_in(world["users"][role]).get(licence_url)
        assert served.status_code == 200 and b"".join(served.streaming_content) == png_bytes()
        assert served["Content-Type"] == "image/png" and "no-store" in served["Cache-Control"]
    assert logged_in(user).get(licence_url).status_code == 200
    for role in ("other_county", "other_enterprise", "enterprise"):
        assert logged_in(world["users"][role]).get(licence_url).status_code == 404
    assert Client().get(licence_url).status_code == 302


def test_rejected_sign_up_is_corrected_resubmitted_and_seen_again_with_its_rejection_on_record(world, pending):
    unit, user = pending
    station = world["users"]["station"]
    services.reject_unit(by=station, unit=unit, reason="营业执照上的名称与填报不符")
    dashboard = logged_in(user).get(reverse("dashboard:home")).content.decode()
    url = reverse("units:unit_resubmit", args=[unit.pk])
    assert url in dashboard

    client = logged_in(user)
    form = client.get(url)
    assert form.status_code == 200 and "营业执照上的名称与填报不符" in form.content.decode()
    assert form.context["form"]["name"].value() == "待确认测试电梯有限公司"
    response = client.post(url, {
        "uscc": unit.uscc, "name": "待确认测试电梯股份有限公司", "kinds": ["usage"], "address": "兰州市城关区",
        "legal_representative": "王五", "contact_person": "王五", "contact_phone": "13987654321",
        "licence": licence_upload("新执照.png"), "jurisdiction": unit.jurisdiction_id})
    assert response.status_code == 302, response.context["form"].errors
    unit.refresh_from_db()
    assert (unit.status, unit.name, unit.contact_phone_masked) == (UnitStatus.PENDING, "待确认测试电梯股份有限公司",
                                                                   "139****4321")
    assert [u.pk for u in logged_in(station).get(reverse("units:unit_pending_list")).context["table"].data] == [
        unit.pk]
    review = logged_in(station).get(reverse("units:unit_confirm", args=[unit.pk])).content.decode()
    assert "营业执照上的名称与填报不符" in review and "待确认测试电梯股份有限公司" in review

    actions = list(AuditEvent.objects.filter(object_type="units.Unit", object_id=str(unit.pk))
                   .order_by("pk").values_list("detail", flat=True))
    assert [a["action"] for a in actions] == ["signup_unit", "reject_unit", "resubmit_unit"]
    assert actions[1]["note"] == "营业执照上的名称与填报不符"
    assert actions[2]["rejected"]["reason"] == "营业执照上的名称与填报不符"
    assert actions[2]["changed"]["name"] == ["待确认测试电梯有限公司", "待确认测试电梯股份有限公司"]
    statuses = list(Unit.pgh_event_model.objects.filter(pgh_obj_id=unit.pk).order_by("pgh_id")
                    .values_list("status", "review_note"))
    assert (UnitStatus.REJECTED, "营业执照上的名称与填报不符") in statuses and statuses[-1][0] == UnitStatus.PENDING

    services.confirm_unit(by=station, unit=unit, note="已核实新执照")
    unit.refresh_from_db()
    assert unit.status == UnitStatus.ACTIVE


def test_resubmit_keeps_phone_and_licence_left_blank_and_may_move_to_the_right_station(world, pending):
    unit, user = pending
    services.reject_unit(by=world["users"]["station"], unit=unit, reason="不在本所辖区")
    other_station = Jurisdiction.objects.filter(tier=Tier.STATION, parent__code="620102").exclude(
        code=STATION).first()
    licence = unit.licence.name
    services.resubmit_unit(by=user, unit=unit, jurisdiction=other_station, uscc=unit.uscc, name=unit.name,
                           kinds=unit.kinds)
    unit.refresh_from_db()
    user.refresh_from_db()
    assert (unit.contact_phone_masked, unit.licence.name) == ("138****5678", licence)
    assert unit.jurisdiction == other_station and unit.station_id == other_station.pk
    assert user.jurisdiction == other_station


def test_only_a_rejected_sign_up_is_resubmitted_and_only_by_its_own_enterprise(world, pending):
    unit, user = pending
    url = reverse("units:unit_resubmit", args=[unit.pk])
    response = logged_in(user).get(url)
    assert response.status_code == 302 and response["Location"] == unit.get_absolute_url()
    with pytest.raises(ValidationError):
        services.resubmit_unit(by=user, unit=unit, jurisdiction=unit.jurisdiction, name="改名")
    services.reject_unit(by=world["users"]["station"], unit=unit, reason="资料不全")
    for role in ("other_enterprise", "station", "county"):
        assert logged_in(world["users"][role]).get(url).status_code == 404
        assert logged_in(world["users"][role]).post(url, {"name": "越权"}).status_code == 404
    unit.refresh_from_db()
    assert unit.status == UnitStatus.REJECTED


def test_signing_up_again_with_a_rejected_uscc_points_to_the_resubmission(world, pending):
    unit, _user = pending
    services.reject_unit(by=world["users"]["station"], unit=unit, reason="资料不全")
    response = sign_up(uscc=unit.uscc, username="second-try")
    assert field_errors(response, "uscc") == [
        f"统一社会信用代码 {unit.uscc} 的注册未通过确认。请用注册时设置的账号登录，更正后重新提交。"]
