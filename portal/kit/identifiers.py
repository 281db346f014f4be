"""Identifier validators (docs/domain.md §Identifiers), built on python-stdnum rather than hand-rolled checksums."""

import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def normalize_uscc(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def validate_uscc(value: str) -> None:
    """GB 32100-2015. stdnum rejects codes whose first eight positions are not digits (e.g. 'Y…' for
    other registering departments), so for those only the check character is verified (docs/domain.md §Identifiers)."""
    code = normalize_uscc(value)
    if len(code) != 18:
        raise ValidationError(_("统一社会信用代码应为 18 位。"), code="uscc_length")
    if any(c not in USCC_ALPHABET for c in code):
        raise ValidationError(_("统一社会信用代码含有无效字符（不使用 I、O、Z、S、V）。"), code="uscc_chars")
    if stdnum_uscc.calc_check_digit(code[:17]) != code[17]:
        raise ValidationError(_("统一社会信用代码校验位错误，请核对后重新输入。"), code="uscc_checksum")
    if code[:8].isdigit():
        try:
            stdnum_uscc.validate(code)
        except (InvalidChecksum, InvalidFormat, InvalidLength, InvalidComponent) as exc:
            raise ValidationError(_("统一社会信用代码格式不正确。"), code="uscc_format") from exc


# --- 居民身份证号码 (GB 11643-1999) ------------------------------------------------------------------

@dataclass(frozen=True)
class IdFacts:
    """What an 18-digit number says about its holder: odd sequence digit male, even female."""

    number: str
    birth_date: date
    sex: str  # "male" / "female"


def normalize_id_number(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def validate_id_number(value: str) -> IdFacts:
    """GB 11643-1999: 6-digit address code, YYYYMMDD, 3-digit sequence, check char (docs/domain.md §Identifiers).

    The check char and the birth date are verified; the address code is not looked up, so a holder
    whose county has since been renamed is not refused (stdnum's county table would refuse them).
    The 15-digit form of the 1984 standard has no check char and was replaced in 2004–2013.
    """
    number = normalize_id_number(value)
    if len(number) == 15 and number.isdigit():
        raise ValidationError(_("这是 15 位旧版身份证号码，已停止使用。请填写现行 18 位居民身份证号码。"),
                              code="id_legacy")
    if len(number) != 18:
        raise ValidationError(_("居民身份证号码应为 18 位。"), code="id_length")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(_("居民身份证号码前 17 位应为数字，最后一位为数字或 X。"), code="id_chars")
    if stdnum_ric.calc_check_digit(number) != number[17]:
        raise ValidationError(_("居民身份证号码校验位错误，请核对后重新输入。"), code="id_checksum")
    try:
        born = stdnum_ric.get_birth_date(number)
    except InvalidComponent as exc:
        raise ValidationError(_("居民身份证号码中的出生日期无效。"), code="id_birth_date") from exc
    if born < date(1900, 1, 1) or born > date.today():
        raise ValidationError(_("居民身份证号码中的出生日期无效。"), code="id_birth_date")
    return IdFacts(number=number, birth_date=born, sex="male" if int(number[16]) % 2 else "female")


# --- Mainland mobile numbers ---------------------------------------------------------------------

_MOBILE = re.compile(r"1[3-9]\d{9}")


def normalize_phone(value: str) -> str:
    phone = re.sub(r"[\s-]", "", value or "")
    return phone[3:] if phone.startswith("+86") else phone


def validate_mobile(value: str) -> str:
    """11 digits starting 13–19 (MIIT numbering plan); spaces, dashes and +86 are dropped."""
    phone = normalize_phone(value)
    if not _MOBILE.fullmatch(phone):
        raise ValidationError(_("手机号码应为 11 位数字，以 13–19 开头。"), code="mobile")
    return phone
