"""Server-side masking of personal data (docs/security.md §Personal information).

Applied to anything that leaves the database for a screen, a file or a log: an 18-digit ID number
shows its first six and last four characters, a mobile number its first three and last four.
"""

import re

_ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")
_MOBILE_RE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")


def mask_id_number(value: str) -> str:
    value = (value or "").strip()
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    value = (value or "").strip()
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_text(text: str) -> str:
    """Mask ID and mobile numbers wherever they occur in free text."""
    text = _ID_RE.sub(lambda m: m.group(1) + "*" * 8 + m.group(2), text or "")
    return _MOBILE_RE.sub(lambda m: m.group(1) + "****" + m.group(2), text)
