"""Valid synthetic identifiers (and a placeholder licence scan) for demo and benchmark data."""

import random
from datetime import date

from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc

ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def make_uscc(area_code: str, rng: random.Random) -> str:
    """A check-valid 统一社会信用代码: 9 (市场监管) 1 (企业) + area + organisation code + check."""
    body = "91" + area_code[:6] + "".join(rng.choice(ORG_ALPHABET) for _ in range(9))
    return body + stdnum_uscc.calc_check_digit(body)


def uscc_for_serial(area_code: str, serial: int, prefix: str = "Y") -> str:
    """A check-valid 统一社会信用代码 whose organisation code encodes ``serial`` (unique per serial).

    The organisation code is ``prefix`` + ``serial`` in base 31 over ``ORG_ALPHABET``, 8 digits wide, so
    codes of one prefix sort like their serials and bulk seeds can continue where the last one stopped.
    """
    base = len(ORG_ALPHABET)
    if not 0 <= serial < base**8:
        raise ValueError(f"serial {serial} does not fit in 8 base-{base} digits")
    digits = []
    for _ in range(8):
        serial, rem = divmod(serial, base)
        digits.append(ORG_ALPHABET[rem])
    body = "91" + area_code[:6] + prefix + "".join(reversed(digits))
    return body + stdnum_uscc.calc_check_digit(body)


def serial_of_uscc(uscc: str) -> int:
    """The serial encoded by ``uscc_for_serial`` (positions 10–17 of the code)."""
    value = 0
    for ch in uscc[9:17]:
        value = value * len(ORG_ALPHABET) + ORG_ALPHABET.index(ch)
    return value


def make_id_number(area: str, birth: date, seq: int) -> str:
    """A check-valid 18-digit 居民身份证号码 (GB 11643-1999): ``area`` (6 digits), ``birth``, the 3-digit
    sequence ``seq`` (odd: male, even: female) and the check character. Synthetic: not anyone's number."""
    if not 0 <= seq <= 999:
        raise ValueError(f"sequence {seq} does not fit in 3 digits")
    body = f"{area[:6]}{birth:%Y%m%d}{seq:03d}"
    # stdnum expects the number with a check position and ignores what is in it.
    return body + stdnum_ric.calc_check_digit(body + "0")


def make_png(width: int = 40, height: int = 24) -> bytes:
    """A real, viewable PNG (a grey rectangle): the stand-in for a scanned 营业执照."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\xc8\xc8\xc8" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
