"""分级分类: every supervised unit's risk grade, recomputed each night from documented inputs (docs/domain.md §Risk
grade). This module is the one place the rule lives; its weights and cut-offs are settings (``SUPERVISION_*``).

Sources, and what each contributes:

- 国市监信发〔2022〕6号, SAMR's credit-risk classification: four classes, A lowest risk to D highest
  (``units.choices.RiskGrade``) [C]. Hebei's classification of users weighs the equipment's hazard, the unit's
  management capability, its staff, the equipment's condition and its violation record [P]: the inputs below
  follow those five.
- Hazard of the equipment (特种设备目录, docs/domain.md §Equipment catalogue): points for each category in service
  (``SUPERVISION_CATEGORY_POINTS``) and for the number of pieces, cylinders excluded, with TSG 08's threshold for
  a safety management body (≥ 50 pieces, docs/domain.md §Use registration) as the top step.
- Public gathering places, Order 57 Art. 9: elevators, large amusement rides and passenger ropeways serving a
  school, hospital, station, mall or scenic spot (``Equipment.place_kind``).
- Violation record, Order 57 Art. 9 (近两年): the findings of regulators' inspections raised in the last
  ``SUPERVISION_LOOKBACK_DAYS``, by hazard level, and the findings of any origin not rectified by their due date
  (still open past it, or rectified after it). A unit's own self-check findings count only when overdue: reporting
  a hazard is what the orders ask of it. Accidents (Order 57 Art. 9) will count here once incidents are recorded;
  the portal has no incident records yet, so they add nothing. A 安全监察指令书 issued in the same window that went
  past its deadline unverified (``Directive.overdue_at``, Order 57 Art. 29) counts as well, whether or not the unit
  rectified later.
- Management capability, 002 §二(二): the share of 日管控/周排查/月调度 records owed over the last
  ``SUPERVISION_COMPLIANCE_MONTHS`` months of the compliance roll-up (``routines.UnitMonthCompliance``) that were
  not filed on time.
- Staff, seed 002 附件 1–3 (Orders 73/74): each post the unit's kinds require with nobody in office, and a person
  who failed a spot assessment still in post (Order 74 Art. 147).
- A unit whose production stopped (停产停业, 002 附件 6) owes no records and keeps no staff mechanism: the compliance
  and staffing inputs do not apply to it.
- 重点单位 (Order 57 Art. 9): a unit a regulator listed with a reason takes ``SUPERVISION_KEY_UNIT_GRADE`` (the top
  grade) whatever its score.

How it runs: one query reads every input of every unit at once (``INPUTS``), Python applies the rule (``assess``),
and the outcomes go back in bulk — one COPY into a temporary table, one upsert of ``UnitRisk``, one update of the
units whose grade changed. The number of statements does not depend on the number of units.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock

import pghistory
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from inspections.findings.choices import PENDING, HazardLevel, Origin
from inspections.findings.models import Finding
from inspections.routines.models import UnitMonthCompliance
from inspections.supervision.models import Directive, KeyUnit, UnitRisk
from personnel import rules
from personnel.choices import Post
from personnel.models import UnitStaffing
from portal.kit.bulk import copy_stream, copy_value
from portal.kit.wording import listing
from units.choices import SUPERVISED_STATUSES, EquipmentStatus, RiskGrade, UnitStatus
from units.models import Equipment, EquipmentType, Unit

# Regrades wait for each other on this key (compliance uses 620_000_080, staffing 620_000_070).
LOCK_KEY = 620_000_090
# Equipment on the books and not taken out of service: what the unit may be running.
IN_SERVICE = (EquipmentStatus.IN_USE, EquipmentStatus.UNREGISTERED)
CYLINDERS = "23"  # variety codes 23xx: 气瓶, counted by category but not by piece (TSG 08's threshold excludes them)
TEMPORARY = "supervision_regrade"


@dataclass(frozen=True)
class Inputs:
    """What the rule reads of one unit (``INPUTS``, one row per unit)."""

    unit_id: int
    stopped: bool = False
    kinds: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    pieces: int = 0
    crowded: int = 0
    inspection_general: int = 0
    inspection_major: int = 0
    overdue: int = 0
    overdue_directives: int = 0
    shortfall: int = 0
    owed: int = 0
    holders: dict = field(default_factory=dict)
    flagged: bool = False
    key_reason: str | None = None


@dataclass(frozen=True)
class Outcome:
    grade: str
    score: int
    reasons: list[dict]


def _step(value, steps) -> int:
    """The points of the first ``(at least, points)`` step ``value`` reaches; steps run largest first."""
    return next((points for least, points in steps if value >= least), 0)


def grade_for(score: int) -> str:
    return next((grade for grade, least in settings.SUPERVISION_GRADE_THRESHOLDS if score >= least), RiskGrade.A)


def assess(unit: Inputs) -> Outcome:
    """The rule: each input's points (capped where a setting says so), their sum, its grade, and one reason per
    input that added anything, in the order the sources list them."""
    reasons: list[dict] = []

    def add(code: str, points: int, **detail) -> None:
        if points:
            reasons.append({"code": code, "points": points, **detail})

    category_points = settings.SUPERVISION_CATEGORY_POINTS
    categories = sorted(c for c in unit.categories if category_points.get(c))
    add("categories", sum(category_points[c] for c in categories), categories=categories)
    add("pieces", _step(unit.pieces, settings.SUPERVISION_EQUIPMENT_COUNT_POINTS), count=unit.pieces)
    add("crowded", min(unit.crowded * settings.SUPERVISION_CROWDED_POINTS, settings.SUPERVISION_CROWDED_CAP),
        count=unit.crowded)
    per_level = settings.SUPERVISION_INSPECTION_FINDING_POINTS
    add("inspection_findings", min(unit.inspection_general * per_level[HazardLevel.GENERAL]
                                   + unit.inspection_major * per_level[HazardLevel.MAJOR],
                                   settings.SUPERVISION_INSPECTION_FINDINGS_CAP),
        general=unit.inspection_general, major=unit.inspection_major)
    add("overdue_findings", min(unit.overdue * settings.SUPERVISION_OVERDUE_FINDING_POINTS,
                                settings.SUPERVISION_OVERDUE_FINDINGS_CAP), count=unit.overdue)
    add("overdue_directives", min(unit.overdue_directives * settings.SUPERVISION_OVERDUE_DIRECTIVE_POINTS,
                                  settings.SUPERVISION_OVERDUE_DIRECTIVES_CAP), count=unit.overdue_directives)
    if not unit.stopped:
        if unit.owed:
            share = unit.shortfall / unit.owed
            add("compliance", _step(share, settings.SUPERVISION_COMPLIANCE_POINTS),
                percent=round(100 * share), months=settings.SUPERVISION_COMPLIANCE_MONTHS)
        missing = rules.missing_posts(unit.kinds, unit.holders)
        add("missing_posts", len(missing) * settings.SUPERVISION_MISSING_POST_POINTS, posts=[str(p) for p in missing])
        add("flagged", settings.SUPERVISION_FLAGGED_POINTS if unit.flagged else 0)
    score = sum(r["points"] for r in reasons)
    grade = grade_for(score)
    if unit.key_reason is not None:
        grade = max(grade, settings.SUPERVISION_KEY_UNIT_GRADE, key=RiskGrade.values.index)
        reasons.append({"code": "key_unit", "points": 0, "reason": unit.key_reason})
    return Outcome(grade, score, reasons)


# --- Reading every unit's inputs at once ----------------------------------------------------------------------

POSTS = tuple(Post.values)

INPUTS = """
WITH graded AS (
    SELECT u.id, u.status, u.kinds FROM {unit} u WHERE u.status = ANY(%(supervised)s) {only_u}
), equipment AS (
    SELECT e.unit_id, array_agg(DISTINCT c.code) AS categories,
           count(*) FILTER (WHERE t.code NOT LIKE %(cylinders)s) AS pieces,
           count(*) FILTER (WHERE c.code = ANY(%(crowded_categories)s) AND e.place_kind <> '') AS crowded
      FROM {equipment} e JOIN {type} c ON c.id = e.category_id JOIN {type} t ON t.id = e.equipment_type_id
     WHERE e.status = ANY(%(in_service)s) {only_e}
     GROUP BY e.unit_id
), findings AS (
    SELECT f.unit_id,
           count(*) FILTER (WHERE f.origin = %(inspection)s AND f.hazard_level = %(general)s) AS inspection_general,
           count(*) FILTER (WHERE f.origin = %(inspection)s AND f.hazard_level = %(major)s) AS inspection_major,
           count(*) FILTER (WHERE (f.status = ANY(%(pending)s) AND f.due_on < %(today)s)
                               OR (f.rectified_at AT TIME ZONE %(tz)s)::date > f.due_on) AS overdue
      FROM {finding} f
     WHERE f.raised_at >= %(since)s {only_f}
     GROUP BY f.unit_id
), directives AS (
    SELECT d.unit_id, count(*) AS overdue
      FROM {directive} d
     WHERE d.issued_at >= %(since)s AND d.overdue_at IS NOT NULL {only_d}
     GROUP BY d.unit_id
), compliance AS (
    SELECT m.unit_id, sum(m.shortfall) AS shortfall, sum(m.days_due + m.weeks_due + m.month_due::int) AS owed
      FROM {month} m
     WHERE m.month >= %(months_from)s {only_m}
     GROUP BY m.unit_id
)
SELECT g.id, g.status, g.kinds, coalesce(e.categories, '{{}}'), coalesce(e.pieces, 0), coalesce(e.crowded, 0),
       coalesce(f.inspection_general, 0), coalesce(f.inspection_major, 0), coalesce(f.overdue, 0),
       coalesce(d.overdue, 0), coalesce(m.shortfall, 0), coalesce(m.owed, 0), {posts}, coalesce(s.flagged, false),
       k.reason
  FROM graded g
  LEFT JOIN equipment e ON e.unit_id = g.id
  LEFT JOIN findings f ON f.unit_id = g.id
  LEFT JOIN directives d ON d.unit_id = g.id
  LEFT JOIN compliance m ON m.unit_id = g.id
  LEFT JOIN {staffing} s ON s.unit_id = g.id
  LEFT JOIN {key} k ON k.unit_id = g.id
 ORDER BY g.id
"""


def _months_from(today: date) -> date:
    month = today.replace(day=1)
    for _n in range(settings.SUPERVISION_COMPLIANCE_MONTHS - 1):
        month = (month - timedelta(days=1)).replace(day=1)
    return month


def _inputs_sql(only: bool) -> str:
    def restrict(column: str) -> str:
        return f"AND {column} = ANY(%(only)s)" if only else ""

    return INPUTS.format(
        unit=Unit._meta.db_table, equipment=Equipment._meta.db_table, type=EquipmentType._meta.db_table,
        finding=Finding._meta.db_table, directive=Directive._meta.db_table, month=UnitMonthCompliance._meta.db_table,
        staffing=UnitStaffing._meta.db_table, key=KeyUnit._meta.db_table,
        posts=", ".join(f"coalesce(s.{post}, 0)" for post in POSTS),
        only_u=restrict("u.id"), only_e=restrict("e.unit_id"), only_f=restrict("f.unit_id"),
        only_d=restrict("d.unit_id"), only_m=restrict("m.unit_id"))


def read_inputs(today: date, only: list[int] | None = None) -> list[Inputs]:
    """Every supervised unit's inputs (or those of the units ``only`` names), in one statement."""
    params = {
        "supervised": [str(s) for s in SUPERVISED_STATUSES], "in_service": [str(s) for s in IN_SERVICE],
        "cylinders": CYLINDERS + "%", "crowded_categories": list(settings.SUPERVISION_CROWDED_CATEGORIES),
        "inspection": str(Origin.INSPECTION), "general": str(HazardLevel.GENERAL), "major": str(HazardLevel.MAJOR),
        "pending": [str(s) for s in PENDING], "today": today, "tz": settings.TIME_ZONE,
        "since": timezone.make_aware(datetime.combine(today - timedelta(days=settings.SUPERVISION_LOOKBACK_DAYS),
                                                      clock.min)),
        "months_from": _months_from(today), "only": only or [],
    }
    with connection.cursor() as cursor:
        cursor.execute(_inputs_sql(only is not None), params)
        rows = cursor.fetchall()
    width = len(POSTS)
    return [Inputs(unit_id=row[0], stopped=row[1] == UnitStatus.STOPPED, kinds=tuple(row[2]),
                   categories=tuple(row[3]), pieces=row[4], crowded=row[5], inspection_general=row[6],
                   inspection_major=row[7], overdue=row[8], overdue_directives=row[9], shortfall=row[10],
                   owed=row[11], holders=dict(zip(POSTS, row[12:12 + width], strict=True)), flagged=row[12 + width],
                   key_reason=row[13 + width])
            for row in rows]


# --- Writing the outcomes back ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Regrade:
    graded: int
    changed: int
    seconds: float


def _lines(outcomes):
    for unit_id, outcome in outcomes:
        reasons = json.dumps(outcome.reasons, ensure_ascii=False, separators=(",", ":"))
        yield f"{unit_id}\t{outcome.grade}\t{outcome.score}\t{copy_value(reasons)}\n"


STAGE = """
CREATE TEMPORARY TABLE IF NOT EXISTS {stage} (unit_id bigint PRIMARY KEY, grade varchar(1) NOT NULL,
                                               score integer NOT NULL, reasons jsonb NOT NULL) ON COMMIT DROP;
TRUNCATE {stage}
"""
STORE = """
INSERT INTO {risk} (unit_id, grade, score, reasons, computed_at)
SELECT unit_id, grade, score, reasons, %(now)s FROM {stage}
    ON CONFLICT (unit_id) DO UPDATE SET grade = EXCLUDED.grade, score = EXCLUDED.score, reasons = EXCLUDED.reasons,
                                        computed_at = EXCLUDED.computed_at;
DELETE FROM {risk} r WHERE NOT EXISTS (SELECT 1 FROM {stage} t WHERE t.unit_id = r.unit_id) {only_r}
"""
COPY_GRADES = """
UPDATE {unit} u SET risk_grade = t.grade FROM {stage} t WHERE t.unit_id = u.id AND u.risk_grade IS DISTINCT FROM t.grade
"""
UNGRADE = """
UPDATE {unit} u SET risk_grade = '' WHERE u.risk_grade <> '' AND NOT (u.status = ANY(%(supervised)s)) {only_u}
"""


def _sql(template: str, only: list[int] | None = None) -> str:
    restricted = only is not None
    return template.format(stage=TEMPORARY, risk=UnitRisk._meta.db_table, unit=Unit._meta.db_table,
                           only_r="AND r.unit_id = ANY(%(only)s)" if restricted else "",
                           only_u="AND u.id = ANY(%(only)s)" if restricted else "")


def regrade(only: list[int] | None = None, *, today: date | None = None) -> Regrade:
    """Grade every supervised unit (or the units ``only`` names) and store the outcome: ``UnitRisk`` rows and
    ``Unit.risk_grade``. Idempotent — a second run writes the same grades and reasons with a later time — and set
    based: a constant number of statements whatever the number of units. Runs wait for each other on an advisory
    lock; a unit that is no longer supervised (a sign-up not confirmed) loses its grade."""
    started = time.monotonic()
    today = today or timezone.localdate()
    now = timezone.now()
    with transaction.atomic(), pghistory.context(action="regrade_units"), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        outcomes = [(unit.unit_id, assess(unit)) for unit in read_inputs(today, only)]
        cursor.execute(_sql(STAGE))
        copy_stream(TEMPORARY, ("unit_id", "grade", "score", "reasons"), _lines(outcomes))
        params = {"now": now, "only": only or [], "supervised": [str(s) for s in SUPERVISED_STATUSES]}
        cursor.execute(_sql(STORE, only), params)
        cursor.execute(_sql(COPY_GRADES), params)
        changed = cursor.rowcount
        cursor.execute(_sql(UNGRADE, only), params)
        changed += cursor.rowcount
    return Regrade(len(outcomes), changed, time.monotonic() - started)


# --- Saying why ---------------------------------------------------------------------------------------------

REASONS = {
    "categories": gettext_noop("在用设备类别：%(categories)s"),
    "pieces": gettext_noop("在用设备 %(count)d 台（不含气瓶）"),
    "crowded": gettext_noop("用于公众聚集场所的电梯、大型游乐设施、客运索道 %(count)d 台"),
    "inspection_findings": gettext_noop("近两年监督检查发现问题：一般 %(general)d 项，重大 %(major)d 项"),
    "overdue_findings": gettext_noop("近两年隐患逾期未整改 %(count)d 项"),
    "overdue_directives": gettext_noop("近两年安全监察指令书逾期未整改 %(count)d 份"),
    "compliance": gettext_noop("近 %(months)d 个月日管控、周排查、月调度未按时记录 %(percent)d%%"),
    "missing_posts": gettext_noop("未配备：%(posts)s"),
    "flagged": gettext_noop("有监督抽查考核不合格人员仍在岗"),
    "key_unit": gettext_noop("监管部门列为重点单位，评定为最高风险等级"),
}


@dataclass(frozen=True)
class Line:
    text: str
    points: int
    note: str = ""


def describe(reasons: list[dict], *, with_key_reason: bool = True) -> list[Line]:
    """The stored reasons in the reader's language; the key-unit listing's own reason only where asked."""
    names = dict(EquipmentType.objects.filter(parent__isnull=True).values_list("code", "name"))
    posts = dict(Post.choices)
    lines = []
    for reason in reasons:
        params = dict(reason)
        if reason["code"] == "categories":
            params["categories"] = listing(names.get(c, c) for c in reason["categories"])
        elif reason["code"] == "missing_posts":
            params["posts"] = listing(str(posts.get(p, p)) for p in reason["posts"])
        note = reason.get("reason", "") if with_key_reason else ""
        lines.append(Line(_(REASONS[reason["code"]]) % params, reason["points"], note))
    return lines
