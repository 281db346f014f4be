"""People (seed 002 附件 9–11; docs/security.md §Personal information): numbers sealed at rest and shown
masked, exact search through the blind index, one entry per person per unit, and the audited reveal."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404

from jurisdictions.models import AuditEvent
from personnel import services
from personnel.models import Person

ID_NUMBER = "360426199101010071"
PHONE = "13812348000"


@pytest.fixture
def entered(world):
    """One person entered by the unit's own enterprise account."""
    person = services.add_person(by=world["users"]["enterprise"], unit=world["unit"], name="张三",
                                 id_number=ID_NUMBER, phone="+86 138-1234-8000")
    return {**world, "person": person}


def reveals(person) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(kind=AuditEvent.Kind.FULL_REVEAL, object_id=str(person.pk)))


# --- At rest ----------------------------------------------------------------------------------------

def test_the_database_holds_neither_number_in_plaintext(entered):
    person = entered["person"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_cipher, phone_cipher FROM personnel_person WHERE id = %s", [person.pk])
        id_cipher, phone_cipher = (bytes(column) for column in cursor.fetchone())
        cursor.execute("SELECT row_to_json(p)::text FROM personnel_person p WHERE id = %s", [person.pk])
        (row,) = cursor.fetchone()
        cursor.execute("SELECT row_to_json(e)::text FROM personnel_personevent e WHERE pgh_obj_id = %s", [person.pk])
        history = [text for (text,) in cursor.fetchall()]
    for sealed in (id_cipher, phone_cipher):
        assert ID_NUMBER.encode() not in sealed and PHONE.encode() not in sealed
    assert history, "the person's history row was written"
    for text in [row, *history]:
        assert ID_NUMBER not in text and PHONE not in text
        assert ID_NUMBER[6:14] + ID_NUMBER[14:] not in text  # not even the birth date and sequence together
    assert "360426********0071" in row and "138****8000" in row


def test_the_person_is_shown_masked_and_described_by_the_number(entered):
    person = Person.objects.get(pk=entered["person"].pk)
    assert (person.id_masked, person.phone_masked) == ("360426********0071", "138****8000")
    assert (person.sex, str(person.birth_date)) == ("male", "1991-01-01")
    assert (person.unit, person.station_id, person.county_id) == (
        entered["unit"], entered["unit"].station_id, entered["unit"].county_id)


def test_the_add_audit_event_carries_only_the_masked_number(entered):
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.DATA_CHANGED, object_id=str(entered["person"].pk),
                                   detail__action="add_person")
    text = json.dumps(event.detail, ensure_ascii=False) + event.object_repr
    assert ID_NUMBER not in text and PHONE not in text
    assert event.detail["id_number"] == "360426********0071"


# --- Search and uniqueness ------------------------------------------------------------------------------

@pytest.mark.parametrize("typed", [ID_NUMBER, f" {ID_NUMBER} "])
def test_search_by_the_full_id_number_finds_the_person(entered, typed):
    assert list(services.with_id_number(Person.objects.all(), typed)) == [entered["person"]]


def test_search_accepts_a_lowercase_x(world):
    person = services.add_person(by=world["users"]["enterprise"], unit=world["unit"], name="李四",
                                 id_number="11010519491231002X", phone=PHONE)
    assert list(services.with_id_number(Person.objects.all(), "11010519491231002x")) == [person]
    assert not services.with_id_number(Person.objects.all(), ID_NUMBER).exists()


def test_the_same_id_number_twice_at_one_unit_is_refused_on_the_id_field(entered):
    with pytest.raises(ValidationError) as caught:
        services.add_person(by=entered["users"]["enterprise"], unit=entered["unit"], name="张三（重复）",
                            id_number=f" {ID_NUMBER} ", phone="13900000000")
    assert "该身份证号码已在本单位登记" in caught.value.message_dict["id_number"][0]
    assert Person.objects.filter(unit=entered["unit"]).count() == 1


def test_the_same_person_may_be_entered_at_another_unit(entered):
    """The rule is one entry per unit: someone may work for two units."""
    other = services.add_person(by=entered["users"]["other_enterprise"], unit=entered["other_unit"], name="张三",
                                id_number=ID_NUMBER, phone=PHONE)
    assert set(services.with_id_number(Person.objects.all(), ID_NUMBER)) == {entered["person"], other}


@pytest.mark.parametrize(("field", "kwargs"), [
    ("id_number", {"id_number": "360426199101010072"}),
    ("id_number", {"id_number": "360426910101007"}),
    ("phone", {"phone": "12345678901"}),
    ("name", {"name": "  "}),
])
def test_invalid_details_are_refused_on_their_field(world, field, kwargs):
    details = {"name": "王五", "id_number": ID_NUMBER, "phone": PHONE, **kwargs}
    with pytest.raises(ValidationError) as caught:
        services.add_person(by=world["users"]["enterprise"], unit=world["unit"], **details)
    assert list(caught.value.message_dict) == [field]
    assert not Person.objects.exists()


# --- Reveal ---------------------------------------------------------------------------------------

def test_the_county_leader_reveals_the_full_numbers_and_the_reveal_is_audited(entered):
    county = entered["users"]["county"]
    full = services.reveal(by=county, person=entered["person"], reason="监督抽查考核核对身份")
    assert full == {"id_number": ID_NUMBER, "phone": PHONE}
    (event,) = reveals(entered["person"])
    assert event.user == county and event.success
    assert event.detail["reason"] == "监督抽查考核核对身份"
    assert event.detail["id_number"] == "360426********0071"
    text = json.dumps(event.detail, ensure_ascii=False) + event.object_repr
    assert ID_NUMBER not in text and PHONE not in text


@pytest.mark.parametrize("who", ["station", "other_enterprise", "other_county", "other_city"])
def test_a_user_without_the_reveal_duty_here_gets_404_and_no_reveal_is_recorded(entered, who):
    """The station inspector sees the person but holds no REVEAL_PERSONAL_INFO; the others are out of scope.
    The county leader's reveal above is the rightful pair of this denial."""
    with pytest.raises(Http404):
        services.reveal(by=entered["users"][who], person=entered["person"], reason="核对身份")
    assert reveals(entered["person"]) == []


def test_the_enterprise_reveals_its_own_person(entered):
    full = services.reveal(by=entered["users"]["enterprise"], person=entered["person"], reason="核对本单位人员信息")
    assert full["id_number"] == ID_NUMBER
    assert len(reveals(entered["person"])) == 1


@pytest.mark.parametrize("reason", ["", "  ", "查"])
def test_a_reveal_without_a_reason_is_refused_and_not_recorded(entered, reason):
    with pytest.raises(ValidationError) as caught:
        services.reveal(by=entered["users"]["county"], person=entered["person"], reason=reason)
    assert list(caught.value.message_dict) == ["reason"]
    assert reveals(entered["person"]) == []
