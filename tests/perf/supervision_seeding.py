"""Inspection records and 安全监察指令书 at province scale for the supervision benchmark (``test_supervision_bench``).

About three years of records over the supervised units ``seed_scale`` made: each record is for a unit drawn in
proportion to the units of each county (C and D units drawn more often), carried out by the unit's county (its
city where there is no county tier, 嘉峪关) or now and then by the city or the province, with two or three of that
authority's inspectors (the M2M rows), kinds and dispositions in realistic shares, completed and signed (a few
refused) except some of the last fortnight's still in progress. Each record disposed of by a directive gets one,
numbered per authority and year as ``directive_services.directive_number`` writes it, and in the state its deadline
and today give it: awaiting the report, reported and awaiting the re-check, accepted, or overdue. The document
counters (``kit_documentcounter``) are moved past the seeded serials so that a directive issued afterwards through
the service continues them.

Loaded with streamed COPYs (``portal.kit.bulk.copy_stream``), a batch of records per transaction. The two tables
are tracked by pghistory and carry pgtrigger triggers (a completed record is locked, nothing is deleted); inside
each batch's transaction ``ALTER TABLE … DISABLE TRIGGER USER`` turns the user triggers off around the COPY and
back on before the commit: a seed writes no history events, and the foreign keys (system triggers) are still
checked. Not seeded: checklist items, sampled equipment, findings, the directives' steps and the referrals of the
overdue ones — no list measured reads them.

Two authorities can share the two characters a directive number starts with (``（临夏）`` is 临夏回族自治州's,
临夏市's and 临夏县's; ``（白银）`` 白银市's and 白银区's); ``Directive.number`` is unique, so where the number the
service would give is taken the seed moves that authority to its next free serial.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from inspections.supervision.inspection_choices import DirectiveStatus, Disposition, InspectionKind, InspectionStatus
from inspections.supervision.models import Directive, Inspection
from jurisdictions.duties import Role, Tier
from jurisdictions.models import Jurisdiction, User
from portal.kit.bulk import copy_stream, copy_value
from portal.kit.pdf import document_number
from tests import factories
from units.choices import SUPERVISED_STATUSES
from units.models import Unit

TZ = ZoneInfo("Asia/Shanghai")
YEARS = 3
BATCH = 100_000
PLACEMENT = ("jurisdiction_id", "province_id", "city_id", "county_id", "station_id")
INSPECTION_COLUMNS = (
    "id", "kind", "status", "started_at", "ended_at", "unit_name", "unit_uscc", "unit_address",
    "unit_legal_representative", "unit_safety_manager", "unit_contact", "unit_kinds", "disposition",
    "disposition_note", "unit_opinion", "signer_name", "signature", "signed_at", "refused", "refusal_note",
    "refusal_photo", "authority_id", "recorder_id", "completed_by_id", "unit_id", *PLACEMENT)
DIRECTIVE_COLUMNS = (
    "id", "inspection_id", "unit_id", "authority_id", "year", "serial", "number", "problems", "legal_basis",
    "measures", "deadline", "status", "issued_by_id", "issued_at", "reported_at", "recheck_due_on", "closed_at",
    "overdue_at", *PLACEMENT)
KINDS = ((InspectionKind.ROUTINE, 62), (InspectionKind.SPECIAL, 23), (InspectionKind.POST_LICENCE, 8),
         (InspectionKind.OTHER, 7))
DISPOSITIONS = ((Disposition.NONE, 55), (Disposition.DIRECTIVE, 30), (Disposition.OTHER, 9), (Disposition.SEAL, 4),
                (Disposition.DETAIN, 2))
GRADE_WEIGHT = {"A": 1.0, "B": 1.5, "C": 2.5, "D": 4.0, "": 1.0}  # 分级分类: the riskier, the more often
BY = (("county", 85), ("city", 12), ("province", 3))  # who carries the inspection out
RECENT_DAYS, RECENT_OPEN_SHARE = 14, 0.3  # records of the last fortnight still 检查中
REFUSED_SHARE = 0.03
THIRD_INSPECTOR_SHARE = 0.15
INSPECTORS_PER_AUTHORITY = 3
NOTES = {Disposition.SEAL: "对存在严重事故隐患的设备实施查封", Disposition.DETAIN: "扣押不符合安全技术规范要求的设备",
         Disposition.OTHER: "责令立即停止使用并现场整改", Disposition.DIRECTIVE: "发现问题，下达安全监察指令书"}
PROBLEMS = ("1. 未按规定落实日管控、周排查、月调度制度，未形成每周安全排查治理报告",
            "1. 部分电梯定期检验已超期，仍在继续使用\n2. 安全管理人员未持证上岗",
            "1. 压力容器安全附件未按规定校验\n2. 特种设备安全技术档案不完整",
            "1. 未配备安全总监\n2. 未制定特种设备事故应急专项预案并组织演练")
MEASURES = ("立即建立周排查制度，由安全总监每周组织排查并形成报告。",
            "立即停止使用超期未检设备，申报定期检验，检验合格后方可使用。",
            "对安全附件送检校验，补齐安全技术档案。",
            "配备安全总监并明确职责，制定应急预案并于一个月内组织演练。")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = ("伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "建国", "海燕", "志强", "桂英")


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _weighted(rng: random.Random, mix, k: int) -> list:
    values, weights = zip(*mix, strict=True)
    return rng.choices(values, weights=weights, k=k)


def _working_hours(moment: datetime) -> datetime:
    """The moment moved onto a working day between 08:30 and 16:30."""
    while moment.weekday() >= 5:
        moment += timedelta(days=1)
    minute = 510 + (moment.hour * 60 + moment.minute) % 480
    return moment.replace(hour=minute // 60, minute=minute % 60, second=0, microsecond=0)


def _ts(moment: datetime | None) -> str:
    return copy_value(moment.isoformat() if moment is not None else None)


def _authorities() -> tuple[dict[int, list[int]], dict[int, int], dict[int, str]]:
    """Every node that inspects — counties, cities, the province — with at least INSPECTORS_PER_AUTHORITY inspector
    accounts (``seed_scale`` made two per county; the rest are made here, once) and the account that signs its
    directives (its leader, else its first inspector); and each node's name."""
    nodes = Jurisdiction.objects.filter(tier__in=[Tier.PROVINCE, Tier.CITY, Tier.COUNTY]).order_by("code")
    inspectors: dict[int, list[int]] = defaultdict(list)
    for user_id, node_id in (User.objects.filter(role=Role.INSPECTOR, jurisdiction__in=nodes, is_active=True)
                             .order_by("id").values_list("id", "jurisdiction_id")):
        inspectors[node_id].append(user_id)
    leaders: dict[int, int] = {}
    for user_id, node_id in (User.objects.filter(role=Role.LEADER, jurisdiction__in=nodes, is_active=True)
                             .order_by("id").values_list("id", "jurisdiction_id")):
        leaders.setdefault(node_id, user_id)
    names = {}
    for node in nodes:
        names[node.pk] = node.name
        for n in range(len(inspectors[node.pk]), INSPECTORS_PER_AUTHORITY):
            username = f"bench-sup-jcy-{node.code}-{n}"
            user = User.objects.filter(username=username).first() or factories.regulator(
                node.code, Role.INSPECTOR, username=username)
            inspectors[node.pk].append(user.pk)
        leaders.setdefault(node.pk, inspectors[node.pk][0])
    return dict(inspectors), leaders, names


class _Numbers:
    """Directive serials per (authority, year), continuing the document counters, with each authority's own
    abbreviation (``Jurisdiction.abbreviation``); a number already taken (a directive issued through the
    services before the seed ran) is skipped and counted."""

    def __init__(self, names: dict[int, str]):
        self.names, self.word = names, settings.SUPERVISION_DIRECTIVE_WORD
        self.codes = dict(Jurisdiction.objects.filter(pk__in=names).values_list("pk", "code"))
        self.short = {node.pk: node.abbreviation() for node in Jurisdiction.objects.filter(pk__in=names)}
        with connection.cursor() as cursor:
            cursor.execute("SELECT prefix, year, last FROM kit_documentcounter WHERE prefix LIKE %s",
                           [f"%:{self.word}"])
            counters = {(prefix, year): last for prefix, year, last in cursor.fetchall()}
        self.last = {(node, year): last for node, code in self.codes.items()
                     for (prefix, year), last in counters.items() if prefix == f"{code}:{self.word}"}
        self.taken = set(Directive.objects.values_list("number", flat=True))
        self.skipped = 0

    def next(self, authority: int, year: int) -> tuple[int, str]:
        serial = self.last.get((authority, year), 0)
        while True:
            serial += 1
            number = document_number(self.short[authority], self.word, year, serial)
            if number not in self.taken:
                break
            self.skipped += 1
        self.last[authority, year] = serial
        self.taken.add(number)
        return serial, number

    def save(self) -> None:
        """The counters past every seeded serial, as ``portal.kit.numbering.next_serial`` keeps them."""
        with connection.cursor() as cursor:
            for (authority, year), last in self.last.items():
                cursor.execute(
                    "INSERT INTO kit_documentcounter (prefix, year, last) VALUES (%s, %s, %s) "
                    "ON CONFLICT (prefix, year) DO UPDATE SET last = greatest(kit_documentcounter.last, EXCLUDED.last)",
                    [f"{self.codes[authority]}:{self.word}", year, last])


def _record_line(rng, unit, row: dict) -> str:
    """One inspection record in COPY's format, in ``INSPECTION_COLUMNS``' order."""
    open_, refused, ended = row["open"], row["refused"], row["ended_at"]
    status = InspectionStatus.IN_PROGRESS if open_ else InspectionStatus.COMPLETED
    signer = "" if open_ or refused else rng.choice((unit[4], unit[4], _person(rng)))
    fields = [
        copy_value(v) for v in (
            row["id"], row["kind"], status, row["started_at"].isoformat(), ended.isoformat() if ended else None,
            unit[1], unit[2], unit[3], unit[4], _person(rng), unit[5], "{" + ",".join(unit[6]) + "}",
            row["disposition"], NOTES.get(row["disposition"], ""), "" if open_ else "无异议", signer, "",
            ended.isoformat() if signer else None, "t" if refused else "f",
            "被检查单位负责人拒绝签字，已拍照记录" if refused else "", "", row["authority_id"], row["team"][0],
            None if open_ else row["team"][0], unit[0])
    ] + row["placement"]
    return "\t".join(fields) + "\n"


def _directive(rng, numbers: _Numbers, leaders, inspection: dict, now: datetime) -> list:
    issued = inspection["ended_at"] + timedelta(hours=rng.randint(1, 48))
    issued = min(issued, now)
    local = issued.astimezone(TZ)
    deadline = local.date() + timedelta(days=rng.choice((settings.SUPERVISION_DIRECTIVE_DAYS, 20, 30)))
    serial, number = numbers.next(inspection["authority_id"], local.year)
    reported = recheck = closed = overdue = None
    today = now.astimezone(TZ).date()
    if deadline >= today:
        status = DirectiveStatus.ISSUED
        if rng.random() < 0.3 and issued + timedelta(days=1) < now:
            status = DirectiveStatus.REPORTED
            reported = issued + (now - issued) * rng.random()
    else:
        roll = rng.random()
        if roll < 0.07:
            status = DirectiveStatus.OVERDUE
            overdue = datetime.combine(deadline + timedelta(days=1), datetime.min.time(), TZ) + timedelta(minutes=10)
        else:
            status = DirectiveStatus.ACCEPTED
            reported = issued + (datetime.combine(deadline, datetime.min.time(), TZ) - issued) * rng.random()
            closed = reported + timedelta(days=rng.randint(2, 10), hours=rng.randint(0, 8))
            if closed > now:
                status, closed = DirectiveStatus.REPORTED, None
    if reported is not None:
        recheck = reported.astimezone(TZ).date() + timedelta(days=14)
    return [copy_value(v) for v in (
        inspection["directive_id"], inspection["id"], inspection["unit_id"], inspection["authority_id"], local.year,
        serial, number, rng.choice(PROBLEMS), settings.SUPERVISION_DIRECTIVE_DEFAULT_BASIS, rng.choice(MEASURES),
        deadline.isoformat(), status, leaders[inspection["authority_id"]], issued.isoformat())] + [
        _ts(reported), copy_value(recheck.isoformat() if recheck else None), _ts(closed), _ts(overdue),
        *inspection["placement"]]


def _table_triggers(enabled: bool) -> None:
    with connection.cursor() as cursor:
        for table in (Inspection._meta.db_table, Directive._meta.db_table):
            cursor.execute(f"ALTER TABLE {table} {'ENABLE' if enabled else 'DISABLE'} TRIGGER USER")


def _next_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")  # noqa: S608 - a model's table name
        return cursor.fetchone()[0]


def _restart_identity(table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM {table}))",  # noqa: S608
                       [table])


def seed(inspections: int, *, seed: int = 2026) -> dict:
    """``inspections`` more records (and their directives) over the supervised units; returns counts and seconds."""
    started = time.perf_counter()
    inspectors, leaders, names = _authorities()
    units = list(Unit.objects.filter(status__in=SUPERVISED_STATUSES).order_by("pk").values_list(
        "pk", "name", "uscc", "address", "legal_representative", "contact_person", "kinds", "risk_grade",
        *PLACEMENT))
    rng = random.Random(f"{seed}:{_next_id(Inspection._meta.db_table)}")
    now = timezone.now().replace(microsecond=0)
    first = now - timedelta(days=365 * YEARS)
    span = (now - first).total_seconds()
    # When each record starts, in order, so that ids follow time as the service writes them.
    starts = sorted(_working_hours((first + timedelta(seconds=rng.random() * span)).astimezone(TZ))
                    for _ in range(inspections))
    starts = [start if start <= now else start - timedelta(days=7) for start in starts]
    chosen = rng.choices(units, weights=[GRADE_WEIGHT.get(u[7], 1.0) for u in units], k=inspections)
    numbers = _Numbers(names)
    made = {"inspections": 0, "inspectors": 0, "directives": 0}
    for offset in range(0, inspections, BATCH):
        batch = range(offset, min(offset + BATCH, inspections))
        with transaction.atomic():
            _table_triggers(False)
            inspection_id = _next_id(Inspection._meta.db_table)
            directive_id = _next_id(Directive._meta.db_table)
            records, pairs, directives = [], [], []
            kinds = _weighted(rng, KINDS, len(batch))
            dispositions = _weighted(rng, DISPOSITIONS, len(batch))
            by = _weighted(rng, BY, len(batch))
            for n, i in enumerate(batch):
                unit, start = chosen[i], starts[i]
                placement = unit[8:]
                county = placement[3] or placement[2]
                authority = {"county": county, "city": placement[2] or county, "province": placement[1]}[by[n]]
                pool = inspectors[authority]
                team = rng.sample(pool, 3 if rng.random() < THIRD_INSPECTOR_SHARE else 2)
                open_ = start > now - timedelta(days=RECENT_DAYS) and rng.random() < RECENT_OPEN_SHARE
                row = {"id": inspection_id, "unit_id": unit[0], "authority_id": authority, "team": team,
                       "started_at": start, "kind": kinds[n], "open": open_,
                       "ended_at": None if open_ else min(start + timedelta(minutes=rng.randint(60, 240)), now),
                       "disposition": "" if open_ else dispositions[n],
                       "refused": not open_ and rng.random() < REFUSED_SHARE,
                       "placement": [copy_value(v) for v in placement], "directive_id": directive_id}
                records.append(_record_line(rng, unit, row))
                pairs.extend(f"{inspection_id}\t{user_id}\n" for user_id in team)
                if row["disposition"] == Disposition.DIRECTIVE:
                    directives.append("\t".join(_directive(rng, numbers, leaders, row, now)) + "\n")
                    directive_id += 1
                inspection_id += 1
            copy_stream(Inspection._meta.db_table, INSPECTION_COLUMNS, iter(records))
            copy_stream(Inspection.inspectors.through._meta.db_table, ("inspection_id", "user_id"), iter(pairs))
            copy_stream(Directive._meta.db_table, DIRECTIVE_COLUMNS, iter(directives))
            with connection.cursor() as cursor:  # the deferred foreign-key checks, before the tables change again
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            _table_triggers(True)
            numbers.save()
            for table in (Inspection._meta.db_table, Directive._meta.db_table):
                _restart_identity(table)
        made["inspections"] += len(records)
        made["inspectors"] += len(pairs)
        made["directives"] += len(directives)
    with connection.cursor() as cursor:
        for table in (Inspection._meta.db_table, Inspection.inspectors.through._meta.db_table,
                      Directive._meta.db_table):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    return {**made, "skipped_numbers": numbers.skipped, "seconds": time.perf_counter() - started}
