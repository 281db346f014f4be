"""ID and mobile numbers (docs/domain.md §Identifiers): GB 11643-1999 check character and birth date, the retired
15-digit form, and the facts a valid number gives (sex, birth date)."""

import random
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import ric as stdnum_ric

from portal.kit.identifiers import validate_id_number, validate_mobile
from portal.kit.samples import make_id_number


def refusal(value: str, validator=validate_id_number) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validator(value)
    return caught.value


# --- 居民身份证号码 ----------------------------------------------------------------------------------

@pytest.mark.parametrize("number", ["360426199101010071", "11010519491231002X"])
def test_valid_id_numbers_pass(number):
    assert validate_id_number(number).number == number


def test_a_lowercase_x_check_character_is_accepted_and_stored_uppercase():
    assert validate_id_number(" 11010519491231002x ").number == "11010519491231002X"


def test_sex_and_birth_date_are_read_from_the_number():
    """The 17th digit is odd for men, even for women."""
    man = validate_id_number("360426199101010071")
    woman = validate_id_number("11010519491231002X")
    assert (man.sex, man.birth_date) == ("male", date(1991, 1, 1))
    assert (woman.sex, woman.birth_date) == ("female", date(1949, 12, 31))


@pytest.mark.parametrize("number", ["360426199101010072", "110105194912310021", "36042619910101007X"])
def test_a_wrong_check_character_is_refused_in_chinese(number):
    error = refusal(number)
    assert error.code == "id_checksum"
    assert error.messages == ["居民身份证号码校验位错误，请核对后重新输入。"]


def test_the_retired_15_digit_form_gets_its_own_message():
    error = refusal("110105491231002")
    assert error.code == "id_legacy"
    assert "15 位旧版身份证号码" in error.messages[0] and "18 位" in error.messages[0]


@pytest.mark.parametrize("number", ["", "36042619910101007", "3604261991010100711", "1101054912310"])
def test_an_id_number_of_the_wrong_length_is_refused(number):
    assert refusal(number).code == "id_length"


def test_letters_inside_the_id_number_are_refused():
    assert refusal("3604261991O1010071").code == "id_chars"


@pytest.mark.parametrize("birth", ["19910230", "19911301", "18991231", "20990101"])
def test_an_impossible_or_out_of_range_birth_date_is_refused(birth):
    """Check-valid numbers whose date is 30 February, month 13, before 1900, or in the future."""
    body = "360426" + birth + "007"
    error = refusal(body + stdnum_ric.calc_check_digit(body + "0"))
    assert error.code == "id_birth_date"
    assert error.messages == ["居民身份证号码中的出生日期无效。"]


def test_generated_sample_id_numbers_are_valid_and_say_what_was_asked():
    rng = random.Random(5)
    for _ in range(50):
        born = date.fromordinal(date(1950, 1, 1).toordinal() + rng.randrange(20000))
        seq = rng.randrange(1000)
        facts = validate_id_number(make_id_number("620102", born, seq))
        assert facts.birth_date == born
        assert facts.sex == ("male" if seq % 2 else "female")


# --- 手机号码 ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["13812348000", "+86 138-1234-8000", "+8613812348000", "138 1234 8000"])
def test_mobile_numbers_are_normalised(value):
    assert validate_mobile(value) == "13812348000"


@pytest.mark.parametrize("value", ["12345678901", "1381234800", "138123480001", "0931-8123456", ""])
def test_a_number_outside_the_mobile_plan_is_refused(value):
    error = refusal(value, validate_mobile)
    assert error.code == "mobile"
    assert error.messages == ["手机号码应为 11 位数字，以 13–19 开头。"]
