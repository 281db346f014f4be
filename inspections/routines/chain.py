"""可核实 (002 §二(二)): every locked record of a unit is sealed into one chain, so a regulator can show that
no record was altered, removed or slipped in outside the portal's amendment path.

A record's seal is SHA-256 over the previous seal and the record's canonical content (sorted-key JSON of
``sealed_content()``); ``UnitChain`` holds the unit's head and is locked while a record is sealed, so the
unit's seals form one line whatever else files at the same time. ``verify`` recomputes each seal from the
stored previous one, so an altered record is named on its own, a removed one leaves a gap in the numbers,
and an altered seal breaks the link to the next record.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.db import connection
from django.utils.translation import gettext as _

from inspections.routines.models import Amendment, DailyCheck, MonthlyMinutes, UnitChain, WeeklyReport
from units.models import Unit

SEALED_MODELS = (DailyCheck, WeeklyReport, MonthlyMinutes, Amendment)


def canonical(content: dict) -> bytes:
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def digest(previous: str, content: dict) -> str:
    return hashlib.sha256(previous.encode() + b"\n" + canonical(content)).hexdigest()


def next_id(model) -> int:
    """The record's id before its row exists: the seal covers it, and a sealed row may not be updated."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [model._meta.db_table])
        return cursor.fetchone()[0]


def seal(record) -> None:
    """Number and seal ``record`` (not yet saved, its id set) as the unit's next link; call inside the
    transaction that saves it."""
    chain, _created = UnitChain.objects.select_for_update().get_or_create(unit_id=record.unit_id)
    record.chain_seq = chain.length + 1
    record.seal = digest(chain.head, record.sealed_content())
    chain.length, chain.head = record.chain_seq, record.seal
    chain.save(update_fields=["length", "head"])


@dataclass
class Problem:
    seq: int
    record: object | None
    message: str


def _links(unit: Unit) -> list:
    records = []
    for model in SEALED_MODELS:
        records.extend(model.objects.filter(unit=unit).order_by("chain_seq"))
    return sorted(records, key=lambda r: r.chain_seq)


def describe(record) -> str:
    return _("%(kind)s #%(pk)s（%(record)s）") % {"kind": record._meta.verbose_name, "pk": record.pk, "record": record}


def verify(unit: Unit) -> tuple[int, list[Problem]]:
    """Recompute the unit's chain: how many records it holds, and each record or gap that does not hold."""
    records = _links(unit)
    problems, previous, expected_seq = [], "", 1
    for record in records:
        if record.chain_seq != expected_seq:
            problems.append(Problem(expected_seq, None, _("第 %(a)d–%(b)d 条记录缺失或编号被改动。") % {
                "a": expected_seq, "b": record.chain_seq - 1} if record.chain_seq > expected_seq
                else _("第 %(n)d 条记录重复。") % {"n": record.chain_seq}))
        if digest(previous, record.sealed_content()) != record.seal:
            problems.append(Problem(record.chain_seq, record, _("%(record)s 的内容与提交时的校验值不符，"
                                                                "已在更正程序之外被改动。") % {
                "record": describe(record)}))
        previous, expected_seq = record.seal, record.chain_seq + 1
    chain = UnitChain.objects.filter(unit=unit).first()
    if chain is not None and (chain.length != len(records) or chain.head != previous):
        problems.append(Problem(chain.length, None, _("记录链的末端与现存记录不一致：链上应有 %(n)d 条记录，"
                                                      "现存 %(m)d 条。") % {"n": chain.length, "m": len(records)}))
    return len(records), problems
