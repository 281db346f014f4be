"""Encryption at rest (docs/security.md §Personal information): sealed values open only under their purpose
and untouched, the key ring rotates without downtime, and ``rotate_field_key`` finishes a rotation."""

import base64
import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from personnel import services
from personnel.models import ID_PURPOSE, PHONE_PURPOSE, Person
from portal.kit import crypto
from tests import factories

OLD = crypto.generate_key()
NEW = crypto.generate_key()


@pytest.fixture
def old_key(settings):
    settings.FIELD_ENCRYPTION_KEY = OLD
    return settings


def test_a_sealed_value_opens_to_itself():
    sealed = crypto.encrypt("360426199101010071", ID_PURPOSE)
    assert b"360426199101010071" not in sealed
    assert crypto.decrypt(sealed, ID_PURPOSE) == "360426199101010071"
    assert crypto.decrypt(memoryview(sealed), ID_PURPOSE) == "360426199101010071"  # as the DB returns it


def test_the_same_value_seals_differently_each_time():
    """A random nonce per value: equal ciphertexts would tell who shares an ID number."""
    assert crypto.encrypt("13812348000", PHONE_PURPOSE) != crypto.encrypt("13812348000", PHONE_PURPOSE)


@pytest.mark.parametrize("position", [0, 1, 7, 20, -1], ids=["format", "key-id", "nonce", "body", "tag"])
def test_a_flipped_byte_is_an_integrity_error_not_garbage(position):
    sealed = bytearray(crypto.encrypt("360426199101010071", ID_PURPOSE))
    sealed[position] ^= 0x01
    with pytest.raises(crypto.TamperedCiphertext):
        crypto.decrypt(bytes(sealed), ID_PURPOSE)


def test_a_truncated_value_is_an_integrity_error():
    with pytest.raises(crypto.TamperedCiphertext):
        crypto.decrypt(crypto.encrypt("13812348000", PHONE_PURPOSE)[:10], PHONE_PURPOSE)


def test_a_phone_number_copied_into_the_id_column_does_not_open():
    sealed = crypto.encrypt("13812348000", PHONE_PURPOSE)
    with pytest.raises(crypto.TamperedCiphertext):
        crypto.decrypt(sealed, ID_PURPOSE)
    assert crypto.decrypt(sealed, PHONE_PURPOSE) == "13812348000"


def test_the_blind_index_depends_on_the_purpose_and_the_key(settings):
    settings.FIELD_ENCRYPTION_KEY = OLD
    under_old = crypto.digest("360426199101010071", ID_PURPOSE)
    assert under_old == crypto.digest("360426199101010071", ID_PURPOSE)
    assert under_old != crypto.digest("360426199101010071", PHONE_PURPOSE)
    settings.FIELD_ENCRYPTION_KEY = NEW
    assert crypto.digest("360426199101010071", ID_PURPOSE) != under_old


@pytest.mark.parametrize("value", ["", " , ", "not base64 at all!", base64.urlsafe_b64encode(b"short").decode()])
def test_a_missing_or_malformed_key_refuses_rather_than_store_plaintext(settings, value):
    settings.FIELD_ENCRYPTION_KEY = value
    with pytest.raises(ImproperlyConfigured):
        crypto.encrypt("13812348000", PHONE_PURPOSE)


def test_a_generated_key_is_32_random_bytes():
    key = crypto.generate_key()
    assert len(base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))) == 32
    assert crypto.parse_keys(key) and key != crypto.generate_key()


# --- Rotation -----------------------------------------------------------------------------------------

def test_in_the_middle_of_a_rotation_old_values_open_and_are_found(old_key):
    sealed = crypto.encrypt("360426199101010071", ID_PURPOSE)
    old_digest = crypto.digest("360426199101010071", ID_PURPOSE)
    old_key.FIELD_ENCRYPTION_KEY = f"{NEW},{OLD}"
    assert crypto.decrypt(sealed, ID_PURPOSE) == "360426199101010071"
    assert not crypto.is_current(sealed)
    assert old_digest in crypto.digests("360426199101010071", ID_PURPOSE)
    assert crypto.digests("360426199101010071", ID_PURPOSE)[0] == crypto.digest("360426199101010071", ID_PURPOSE)
    assert crypto.is_current(crypto.encrypt("360426199101010071", ID_PURPOSE))  # new values use the new key


def test_after_the_old_key_is_removed_its_values_no_longer_open(old_key):
    sealed = crypto.encrypt("360426199101010071", ID_PURPOSE)
    old_key.FIELD_ENCRYPTION_KEY = NEW
    with pytest.raises(crypto.TamperedCiphertext):
        crypto.decrypt(sealed, ID_PURPOSE)


def rotate(**options) -> str:
    out = io.StringIO()
    call_command("rotate_field_key", stdout=out, **options)
    return out.getvalue()


def test_generate_prints_a_usable_key_and_touches_nothing(world, old_key):
    person = factories.person(world["unit"])
    printed = rotate(generate=True).strip()
    assert crypto.parse_keys(printed) and printed not in (OLD, NEW)
    stored = Person.objects.get(pk=person.pk)
    assert bytes(stored.id_cipher) == bytes(person.id_cipher)


def test_rotation_reseals_every_row_so_the_old_key_can_be_removed(world, old_key):
    unit = world["unit"]
    people = [factories.person(unit, id_number=number, phone=phone) for number, phone in
              [("360426199101010071", "13812348000"), ("11010519491231002X", "13912340001")]]
    people += [factories.person(unit) for _ in range(3)]
    numbers = {p.pk: (crypto.decrypt(p.id_cipher, ID_PURPOSE), crypto.decrypt(p.phone_cipher, PHONE_PURPOSE))
               for p in people}

    old_key.FIELD_ENCRYPTION_KEY = f"{NEW},{OLD}"
    already_current = factories.person(unit, id_number="620102198001010017")
    output = rotate(batch_size=2)
    assert "5 名人员" in output
    assert "删除旧密钥" in output

    old_key.FIELD_ENCRYPTION_KEY = NEW
    for stored in Person.objects.filter(pk__in=numbers):
        assert crypto.is_current(stored.id_cipher) and crypto.is_current(stored.phone_cipher)
        assert (crypto.decrypt(stored.id_cipher, ID_PURPOSE),
                crypto.decrypt(stored.phone_cipher, PHONE_PURPOSE)) == numbers[stored.pk]
        assert stored.version == 1  # a form opened before the rotation still saves
    assert list(services.with_id_number(Person.objects.all(), "360426199101010071")) == [people[0]]
    assert list(services.with_id_number(Person.objects.all(), "11010519491231002x")) == [people[1]]
    assert list(services.with_id_number(Person.objects.all(), "620102198001010017")) == [already_current]
    assert "0 名人员" in rotate()  # a rerun has nothing left to do


def test_rotation_stops_on_a_row_sealed_under_a_key_already_removed(world, old_key):
    person = factories.person(world["unit"])
    old_key.FIELD_ENCRYPTION_KEY = NEW
    with pytest.raises(CommandError, match=f"人员 {person.pk} 的身份证号码无法解密"):
        rotate()
    assert bytes(Person.objects.get(pk=person.pk).id_cipher) == bytes(person.id_cipher)


def test_rotation_reseals_the_contact_phones_units_gave_at_sign_up(tree, old_key, settings, tmp_path):
    import random

    from portal.kit.samples import make_uscc
    from units import services as unit_services
    from units.models import CONTACT_PHONE_PURPOSE, Unit

    settings.MEDIA_ROOT = tmp_path / "media"
    unit, _user = unit_services.signup_unit(
        uscc=make_uscc("620102", random.Random(5)), name="轮换测试单位", kinds=["usage"],
        jurisdiction=factories.node("620102001"), username="rotate-unit", display_name="轮换",
        password=factories.PASSWORD, address="兰州市", contact_phone="13812345678", licence=factories.licence_upload())
    old_key.FIELD_ENCRYPTION_KEY = f"{NEW},{OLD}"
    assert "1 个单位的联系电话" in rotate()

    old_key.FIELD_ENCRYPTION_KEY = NEW
    stored = Unit.objects.get(pk=unit.pk)
    assert crypto.decrypt(stored.contact_phone_cipher, CONTACT_PHONE_PURPOSE) == "13812345678"
    assert stored.contact_phone_digest == crypto.digest("13812345678", CONTACT_PHONE_PURPOSE)
    assert "0 个单位的联系电话" in rotate()
