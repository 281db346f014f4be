"""Encryption at rest for personal information (docs/security.md §Personal information; PIPL Art. 51).

``FIELD_ENCRYPTION_KEY`` holds one or more keys, newest first, separated by commas (each 32 random
bytes, URL-safe base64; ``manage.py rotate_field_key --generate`` prints a new one). Values are
sealed with AES-256-GCM under the newest key; the purpose ("person.id_number") is authenticated
with the ciphertext, so a value copied into another column, or any flipped bit, fails to open
instead of showing garbage. Exact lookups use an HMAC of the value (a "blind index"): the database
can answer "who has this ID number" without holding the number.

Rotation: put the new key first and keep the old ones after it; everything still opens and lookups
try every key's index. ``manage.py rotate_field_key`` then re-seals every row under the newest key,
after which the old keys can be removed. Keys never reach the database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

FORMAT = 1
KEY_ID_BYTES = 4
NONCE_BYTES = 12


class TamperedCiphertext(Exception):
    """A stored value failed authentication: altered, moved between columns, or sealed by an unknown key."""


@dataclass(frozen=True)
class FieldKey:
    key_id: bytes
    aead: AESGCM
    index_key: bytes


def _derive(secret: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret)


def parse_keys(value: str) -> list[FieldKey]:
    """The key ring from the setting's text; raises ImproperlyConfigured on anything malformed."""
    ring = []
    for text in (part.strip() for part in (value or "").split(",")):
        if not text:
            continue
        try:
            secret = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except (ValueError, TypeError) as exc:
            raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY: a key is not valid base64") from exc
        if len(secret) != 32:
            raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY: each key must be 32 bytes (base64 of 32 random bytes)")
        ring.append(FieldKey(
            key_id=hashlib.sha256(b"portal-key-id" + secret).digest()[:KEY_ID_BYTES],
            aead=AESGCM(_derive(secret, b"portal field encryption")),
            index_key=_derive(secret, b"portal blind index"),
        ))
    if not ring:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY is not set: personal information cannot be stored")
    return ring


@cache
def _ring(value: str) -> list[FieldKey]:
    return parse_keys(value)


def keys() -> list[FieldKey]:
    return _ring(getattr(settings, "FIELD_ENCRYPTION_KEY", ""))


def generate_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")


def encrypt(value: str, purpose: str) -> bytes:
    return encrypt_bytes(value.encode(), purpose)


def decrypt(blob: bytes | memoryview, purpose: str) -> str:
    return decrypt_bytes(blob, purpose).decode()


def encrypt_bytes(data: bytes, purpose: str) -> bytes:
    """Seal any bytes (a field, or a generated file holding personal information)."""
    key = keys()[0]
    nonce = os.urandom(NONCE_BYTES)
    return bytes([FORMAT]) + key.key_id + nonce + key.aead.encrypt(nonce, data, purpose.encode())


def decrypt_bytes(blob: bytes | memoryview, purpose: str) -> bytes:
    blob = bytes(blob)
    head = 1 + KEY_ID_BYTES
    if len(blob) < head + NONCE_BYTES or blob[0] != FORMAT:
        raise TamperedCiphertext(purpose)
    key = next((k for k in keys() if k.key_id == blob[1:head]), None)
    if key is None:
        raise TamperedCiphertext(purpose)
    try:
        return key.aead.decrypt(blob[head:head + NONCE_BYTES], blob[head + NONCE_BYTES:], purpose.encode())
    except InvalidTag as exc:
        raise TamperedCiphertext(purpose) from exc


def is_current(blob: bytes | memoryview) -> bool:
    return bytes(blob)[1:1 + KEY_ID_BYTES] == keys()[0].key_id


def digest(value: str, purpose: str, key: FieldKey | None = None) -> str:
    """The blind index of ``value`` under the newest key (or ``key``)."""
    key = key or keys()[0]
    return hmac.new(key.index_key, f"{purpose}\0{value}".encode(), hashlib.sha256).hexdigest()


def digests(value: str, purpose: str) -> list[str]:
    """The index of ``value`` under every configured key, for lookups in the middle of a rotation."""
    return [digest(value, purpose, key) for key in keys()]
