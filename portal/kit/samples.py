"""Valid synthetic identifiers for demo and benchmark data."""

import random

from stdnum.cn import uscc as stdnum_uscc

ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def make_uscc(area_code: str, rng: random.Random) -> str:
    """A check-valid 统一社会信用代码: 9 (市场监管) 1 (企业) + area + organisation code + check."""
    body = "91" + area_code[:6] + "".join(rng.choice(ORG_ALPHABET) for _ in range(9))
    return body + stdnum_uscc.calc_check_digit(body)
