"""The starting risk control lists per equipment category, shipped as data (``data/risk_templates.json``).

Keyed by the equipment catalogue's codes (``units/fixtures/equipment-catalogue.csv``): a category
(x000), or a kind where one needs its own list (2300 气瓶, for filling units). Where their content
comes from is stated in the file itself (``_source``, docs/domain.md §Risk control list).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from inspections.routines.choices import RESPONSIBLE_POSTS, Frequency, RiskCategory

PATH = Path(__file__).resolve().parent / "data" / "risk_templates.json"
ROW_FIELDS = ("category", "risk_item", "check_content", "control_measure", "post", "frequency")
CYLINDERS = "2300"


@cache
def templates() -> dict[str, dict]:
    """code → {"name", "rows"}; every row checked complete, so a broken file fails on first use."""
    data = json.loads(PATH.read_text(encoding="utf-8"))["templates"]
    for code, template in data.items():
        for n, row in enumerate(template["rows"], 1):
            missing = [f for f in ROW_FIELDS if not str(row.get(f, "")).strip()]
            if missing:
                raise ValueError(f"risk template {code} row {n}: missing {missing}")
            if (row["category"] not in RiskCategory.values or row["frequency"] not in Frequency.values
                    or row["post"] not in RESPONSIBLE_POSTS):
                raise ValueError(f"risk template {code} row {n}: unknown category, frequency or post")
    return data


def template_code(type_code: str) -> str | None:
    """Which template a variety's equipment takes: cylinders their own, everything else its category's."""
    code = CYLINDERS if type_code.startswith(CYLINDERS[:2]) else type_code[0] + "000"
    return code if code in templates() else None
