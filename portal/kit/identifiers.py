"""Identifier validators (DOMAIN.md §2), built on python-stdnum rather than hand-rolled checksums."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def normalize_uscc(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def validate_uscc(value: str) -> None:
    """GB 32100-2015. stdnum rejects codes whose first eight positions are not digits (e.g. 'Y…' for
    other registering departments), so for those only the check character is verified (DOMAIN.md §2)."""
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
