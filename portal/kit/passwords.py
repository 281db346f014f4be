"""Password rules of 等保 2.0 level 3 (docs/security.md): length, three character classes, no truncation.

ASVS 5.0 advises against composition rules; the government standard requires them, so we follow it.
"""

import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class CharacterClassValidator:
    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    @staticmethod
    def classes(password: str) -> int:
        found = {
            "lower": any(c in string.ascii_lowercase for c in password),
            "upper": any(c in string.ascii_uppercase for c in password),
            "digit": any(c.isdigit() for c in password),
            "other": any(not c.isascii() or c in string.punctuation or c.isspace() for c in password),
        }
        return sum(found.values())

    def validate(self, password, user=None):
        if self.classes(password) < self.min_classes:
            raise ValidationError(
                _("密码须至少包含大写字母、小写字母、数字、符号中的 %(n)d 类。") % {"n": self.min_classes},
                code="password_too_few_classes",
            )

    def get_help_text(self):
        return _("密码须至少包含大写字母、小写字母、数字、符号中的 %(n)d 类。") % {"n": self.min_classes}


class MaximumLengthValidator:
    """Long passphrases are welcome; past the limit we refuse rather than silently truncate."""

    def __init__(self, max_length: int = 128):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(
                ngettext("密码不能超过 %(n)d 个字符。", "密码不能超过 %(n)d 个字符。", self.max_length)
                % {"n": self.max_length},
                code="password_too_long",
            )

    def get_help_text(self):
        return _("密码最长 %(n)d 个字符。") % {"n": self.max_length}


class MinimumLengthValidator:
    """Django 5.2's own validator changed its message and the zh_Hans catalogue lacks the new one,
    so the length rule carries its Chinese message here."""

    def __init__(self, min_length: int = 8):
        self.min_length = min_length

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(
                _("密码长度太短，至少需要 %(n)d 个字符。") % {"n": self.min_length}, code="password_too_short"
            )

    def get_help_text(self):
        return _("密码至少 %(n)d 个字符。") % {"n": self.min_length}
