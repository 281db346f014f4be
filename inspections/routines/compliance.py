"""Compliance: what each unit owed against what it filed, per day, week and month (docs/domain.md §Compliance).

``expected.py`` is the one definition of what is owed; this module restates it in set SQL for every unit at once
(the nightly roll-up, ``refresh``), keeps the exemptions it reads in step with the units' and the equipment's
statuses (``sync_exemptions`` and the two ``post_save`` receivers), records the enterprise's 临时停用
(``record_temporary_stop``, ``end_exemption``), and reads the summary tables for the pages. ``reckon`` counts one
unit's month from ``expected.ledger`` the way the roll-up does; the tests hold the two equal.

How the SQL restates expected.py. A unit's days of one month are the bits of a bigint (bit k: the month's
day k + 1; ``routines_days(a, b, n)`` is the mask of days a..b). Per unit, from one pass over each source:

- ``win``: the days it was on the books (from confirmation, else creation) up to today;
- ``wide``: the days a unit-wide exemption (停产停业, a 临时停用 of the whole unit) covers;
- ``svc``: the days something was in service — the OR over its live equipment of "on the books since its
  creation day" less the days that piece's own exemptions (设备停用, its 临时停用) cover;
- ``part``: the days any equipment exemption of the unit covers (what makes an empty day *exempt* rather than
  *not due*, as ``expected._reason`` says);
- ``fa`` / ``ot``: the days with any check / with a check filed on time (a day with an on-time check is on time,
  a day whose every check is 补录 is late).

Then ``due = win & ~wide & svc``, ``exempt = win & (wide | ~svc & part)`` (the latter only for a unit with live
equipment), ``on_time = due & ot``, ``late = due & fa & ~ot``, ``missing = due & ~fa`` less today (still open).
A week overlapping the month is owed in that month when its days in the month owe anything (as
``filing.month_figures`` counts them), the minutes when any day of the month does; each is counted once its
deadline has passed or its record is in. No unit-day grid is ever built: a month costs one scan of its checks,
of the equipment, of the units, and index reads of the month's weekly reports and minutes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from inspections.routines import expected
from inspections.routines.choices import ExemptionKind
from inspections.routines.models import (
    ComplianceRefresh,
    Exemption,
    JurisdictionDayCompliance,
    JurisdictionMonthCompliance,
    MonthlyMinutes,
    UnitMonthCompliance,
    WeeklyReport,
)
from jurisdictions import access
from jurisdictions.audit import record as audit
from jurisdictions.duties import Duty
from jurisdictions.models import AuditEvent, Jurisdiction
from units.choices import EquipmentStatus, UnitStatus
from units.models import Equipment, Unit

# Refreshes wait for each other on this key (the staffing roll-up uses 620_000_070, the seeds 620_000_06x).
LOCK_KEY = 620_000_080
# Stored as the reason of what the system records (recorded_by is None), translated where it is shown.
STOPPED_REASON = gettext_noop("单位状态为停产停业")
SUSPENDED_REASON = gettext_noop("设备使用登记状态为停用")
# A filing that was in flight when the last run began is caught by the next one.
SINCE_SLACK = timedelta(hours=1)
REFRESHES_KEPT = timedelta(days=400)
SUPERVISED = [UnitStatus.ACTIVE.value, UnitStatus.STOPPED.value]
LIVE = [str(s) for s in expected.LIVE_EQUIPMENT]


def month_start(day: date) -> date:
    return day.replace(day=1)


def previous_month(month: date) -> date:
    return month_start(month_start(month) - timedelta(days=1))


def next_month(month: date) -> date:
    return month_start(expected.month_of(month)[1] + timedelta(days=1))


def weeks_of_month(month: date) -> list[date]:
    """The Mondays of the weeks with a day in ``month``."""
    start, end = expected.month_of(month)
    first = expected.week_of(start)[0]
    return [first + timedelta(days=7 * n) for n in range((end - first).days // 7 + 1)]


def reason_shown(exemption: Exemption) -> str:
    """The reason as the reader should see it: what the system recorded is a msgid, in the reader's language."""
    return _(exemption.reason) if exemption.recorded_by_id is None else exemption.reason


# --- Exemptions that follow a status (002 附件 6) -------------------------------------------------------

_OPEN_STOPS = """
INSERT INTO routines_exemption (unit_id, equipment_id, kind, starts_on, ends_on, reason, recorded_by_id, recorded_at,
                                jurisdiction_id, province_id, city_id, county_id, station_id)
SELECT u.id, NULL, 'production_stopped', %(today)s, NULL, %(stopped)s, NULL, now(),
       u.jurisdiction_id, u.province_id, u.city_id, u.county_id, u.station_id
  FROM units_unit u
 WHERE u.status = 'stopped' {unit}
   AND NOT EXISTS (SELECT 1 FROM routines_exemption x
                    WHERE x.unit_id = u.id AND x.kind = 'production_stopped' AND x.ends_on IS NULL)
ON CONFLICT (unit_id) WHERE kind = 'production_stopped' AND ends_on IS NULL DO NOTHING
"""
_CLOSE_STOPS = """
UPDATE routines_exemption x SET ends_on = greatest(x.starts_on, %(today)s::date - 1)
  FROM units_unit u
 WHERE u.id = x.unit_id AND x.kind = 'production_stopped' AND x.ends_on IS NULL AND u.status <> 'stopped' {unit}
"""
_OPEN_SUSPENSIONS = """
INSERT INTO routines_exemption (unit_id, equipment_id, kind, starts_on, ends_on, reason, recorded_by_id, recorded_at,
                                jurisdiction_id, province_id, city_id, county_id, station_id)
SELECT e.unit_id, e.id, 'equipment_suspended', %(today)s, NULL, %(suspended)s, NULL, now(),
       u.jurisdiction_id, u.province_id, u.city_id, u.county_id, u.station_id
  FROM units_equipment e JOIN units_unit u ON u.id = e.unit_id
 WHERE e.status = 'suspended' {equipment}
   AND NOT EXISTS (SELECT 1 FROM routines_exemption x
                    WHERE x.equipment_id = e.id AND x.kind = 'equipment_suspended' AND x.ends_on IS NULL)
ON CONFLICT (equipment_id) WHERE kind = 'equipment_suspended' AND ends_on IS NULL DO NOTHING
"""
_CLOSE_SUSPENSIONS = """
UPDATE routines_exemption x SET ends_on = greatest(x.starts_on, %(today)s::date - 1)
  FROM units_equipment e
 WHERE e.id = x.equipment_id AND x.kind = 'equipment_suspended' AND x.ends_on IS NULL
   AND e.status <> 'suspended' {equipment}
"""


def _params(today: date | None) -> dict:
    return {"today": today or timezone.localdate(), "stopped": STOPPED_REASON, "suspended": SUSPENDED_REASON}


def sync_exemptions(today: date | None = None) -> dict[str, int]:
    """Open a 停产停业 exemption for every stopped unit without an open one and a 设备停用 one for every suspended
    piece of equipment, from today; end the open ones whose status has moved on, yesterday (today when they began
    today). Four statements whatever the number of units: this is what catches a status changed by
    ``QuerySet.update`` or a bulk load, which send no signal. Returns how many rows each statement touched."""
    params, counts = _params(today), {}
    with connection.cursor() as cursor:
        for name, sql in (("stops_opened", _OPEN_STOPS), ("stops_closed", _CLOSE_STOPS),
                          ("suspensions_opened", _OPEN_SUSPENSIONS), ("suspensions_closed", _CLOSE_SUSPENSIONS)):
            cursor.execute(sql.format(unit="", equipment=""), params)
            counts[name] = cursor.rowcount
    return counts


def _status_saved(update_fields) -> bool:
    return update_fields is None or "status" in update_fields


def unit_saved(sender, instance: Unit, raw=False, update_fields=None, **kwargs) -> None:
    """``post_save`` of a unit: its 停产停业 exemption opens or ends with its status, in the same transaction."""
    if raw or not _status_saved(update_fields):
        return
    sql = _OPEN_STOPS if instance.status == UnitStatus.STOPPED else _CLOSE_STOPS
    with connection.cursor() as cursor:
        cursor.execute(sql.format(unit="AND u.id = %(pk)s"), {**_params(None), "pk": instance.pk})


def equipment_saved(sender, instance: Equipment, raw=False, update_fields=None, **kwargs) -> None:
    """``post_save`` of a piece of equipment: its 设备停用 exemption opens or ends with its registration status."""
    if raw or not _status_saved(update_fields):
        return
    sql = _OPEN_SUSPENSIONS if instance.status == EquipmentStatus.SUSPENDED else _CLOSE_SUSPENSIONS
    with connection.cursor() as cursor:
        cursor.execute(sql.format(equipment="AND e.id = %(pk)s"), {**_params(None), "pk": instance.pk})


def follow_unit(sender, *, unit: Unit, columns: dict, **kwargs) -> None:
    """A unit moved (``units.signals.unit_moved``): its exemptions and its months' figures move with it, so its
    new regulators see them. The jurisdictions' own figures of months already counted stay where it was then."""
    Exemption.objects.filter(unit=unit).update(**columns)
    UnitMonthCompliance.objects.filter(unit=unit).update(**columns)


# --- 临时停用, recorded by the unit -----------------------------------------------------------------------

def _live_unit(by, unit: Unit) -> Unit:
    unit = access.get_or_404(Unit.objects.all(), by, Duty.KEEP_RECORDS, pk=unit.pk)
    if not expected.supervised(unit):
        raise ValidationError(_("单位尚未经属地市场监管所确认，暂不能登记临时停用。"))
    return unit


def record_temporary_stop(*, by, unit: Unit, equipment: Equipment | None = None, starts_on: date, ends_on: date,
                          reason: str) -> Exemption:
    """临时停用 (002 附件 6: "临时停用的，调整相关内容并记录"): the whole unit, or one piece of its equipment, stops
    for the days ``starts_on``–``ends_on``; nothing is expected of it (or of that piece) on those days.

    Dated by the server's clock like every record: it may not begin before today
    (``ROUTINES_TEMPORARY_STOP_BACKDATE_DAYS``), so a stop cannot erase days already missed. It must end, at most
    ``ROUTINES_TEMPORARY_STOP_MAX_DAYS`` after it begins, and may not overlap another 临时停用 of the same target.
    The regulators see it with its reason; it is never removed, only ended early (``end_exemption``)."""
    reason = (reason or "").strip()
    today = timezone.localdate()
    errors = {}
    if not reason:
        errors["reason"] = _("请填写临时停用的原因。")
    elif len(reason) > 500:
        errors["reason"] = _("不能超过 %(n)d 个字。") % {"n": 500}
    earliest = today - timedelta(days=settings.ROUTINES_TEMPORARY_STOP_BACKDATE_DAYS)
    if starts_on is None:
        errors["starts_on"] = _("请填写开始日期。")
    elif starts_on < earliest:
        errors["starts_on"] = _("开始日期不能早于 %(day)s：临时停用应在停用前或当天登记。") % {
            "day": earliest.isoformat()}
    if ends_on is None:
        errors["ends_on"] = _("请填写结束日期；恢复使用后可以提前结束。")
    elif starts_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("结束日期不能早于开始日期。")
    elif starts_on is not None and (ends_on - starts_on).days + 1 > settings.ROUTINES_TEMPORARY_STOP_MAX_DAYS:
        errors["ends_on"] = _("一次临时停用最长 %(n)d 天。") % {"n": settings.ROUTINES_TEMPORARY_STOP_MAX_DAYS}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        unit = _live_unit(by, unit)
        Unit.objects.select_for_update().filter(pk=unit.pk).first()
        if equipment is not None:
            equipment = Equipment.objects.filter(pk=equipment.pk, unit=unit).first()
            if equipment is None:
                raise ValidationError({"equipment": _("只能选择本单位的设备。")})
            if equipment.status not in expected.LIVE_EQUIPMENT:
                raise ValidationError({"equipment": _("该设备已报废或注销，无需登记临时停用。")})
        overlapping = Exemption.objects.filter(unit=unit, kind=ExemptionKind.TEMPORARY_STOP,
                                               equipment=equipment, starts_on__lte=ends_on, ends_on__gte=starts_on)
        if overlapping.exists():
            raise ValidationError({"starts_on": _("与已登记的临时停用日期重叠。")})
        exemption = Exemption(unit=unit, equipment=equipment, kind=ExemptionKind.TEMPORARY_STOP, starts_on=starts_on,
                              ends_on=ends_on, reason=reason, recorded_by=access.account(by),
                              recorded_at=timezone.now())
        exemption.place_with(unit)
        exemption.save()
        audit(AuditEvent.Kind.DATA_CHANGED, user=by, obj=exemption, detail={
            "action": "record_temporary_stop", "unit": unit.uscc, "equipment": equipment.pk if equipment else None,
            "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()})
        return exemption


def end_exemption(*, by, exemption: Exemption, ends_on: date) -> Exemption:
    """End a 临时停用 early: the equipment is back in service, so the days after ``ends_on`` are owed again.

    Only a 临时停用 (the other two end with their status), only earlier than planned, and not before yesterday:
    the days it gives back are then always in a month the roll-up counts again."""
    today = timezone.localdate()
    with transaction.atomic():
        exemption = access.get_or_404(Exemption.objects.select_for_update(), by, Duty.KEEP_RECORDS, pk=exemption.pk)
        if exemption.kind != ExemptionKind.TEMPORARY_STOP:
            raise ValidationError(_("停产停业和设备停用随单位、设备状态自动结束。"))
        if ends_on is None:
            raise ValidationError({"ends_on": _("请填写结束日期。")})
        if ends_on < exemption.starts_on:
            raise ValidationError({"ends_on": _("结束日期不能早于开始日期 %(day)s。") % {
                "day": exemption.starts_on.isoformat()}})
        if exemption.ends_on is not None and ends_on >= exemption.ends_on:
            raise ValidationError({"ends_on": _("提前结束的日期应早于原定结束日期 %(day)s。") % {
                "day": exemption.ends_on.isoformat()}})
        if ends_on < today - timedelta(days=1):
            raise ValidationError({"ends_on": _("结束日期最早为昨天。")})
        before = exemption.ends_on
        exemption.ends_on = ends_on
        exemption.save(update_fields=["ends_on"])
        audit(AuditEvent.Kind.DATA_CHANGED, user=by, obj=exemption, detail={
            "action": "end_exemption", "unit": exemption.unit.uscc,
            "ends_on": [before.isoformat() if before else None, ends_on.isoformat()]})
        return exemption


# --- The roll-up ------------------------------------------------------------------------------------------

_UNIT_MASKS = """
CREATE TEMP TABLE routines_cu ON COMMIT DROP AS
WITH ex AS (
    SELECT unit_id, equipment_id,
           routines_days(starts_on - %(m0)s, coalesce(ends_on, %(m1)s) - %(m0)s, %(n)s) AS m
      FROM routines_exemption
     WHERE starts_on <= %(m1)s AND (ends_on IS NULL OR ends_on >= %(m0)s)
), wide AS (
    SELECT unit_id, bit_or(m) AS m FROM ex WHERE equipment_id IS NULL GROUP BY unit_id
), part AS (
    SELECT unit_id, bit_or(m) AS m FROM ex WHERE equipment_id IS NOT NULL GROUP BY unit_id
), stopped AS (
    SELECT unit_id, equipment_id, bit_or(m) AS m FROM ex WHERE equipment_id IS NOT NULL GROUP BY 1, 2
), svc AS (
    SELECT e.unit_id,
           bit_or(routines_days((e.created_at AT TIME ZONE %(tz)s)::date - %(m0)s, %(n)s, %(n)s)
                  & ~coalesce(s.m, 0)) AS m
      FROM units_equipment e
      LEFT JOIN stopped s ON s.equipment_id = e.id AND s.unit_id = e.unit_id
     WHERE e.status = ANY(%(live)s)
     GROUP BY e.unit_id
), filed AS (
    SELECT unit_id, bit_or(1::bigint << (day - %(m0)s)) AS fa,
           bit_or(CASE WHEN late THEN 0::bigint ELSE 1::bigint << (day - %(m0)s) END) AS ot
      FROM routines_dailycheck
     WHERE day BETWEEN %(m0)s AND %(m1)s
     GROUP BY unit_id
), masks AS (
    SELECT u.id AS unit_id, u.jurisdiction_id, u.province_id, u.city_id, u.county_id, u.station_id,
           routines_days((coalesce(u.reviewed_at, u.created_at) AT TIME ZONE %(tz)s)::date - %(m0)s,
                         %(k_today)s, %(n)s) AS win,
           coalesce(w.m, 0) AS wide, coalesce(p.m, 0) AS part, coalesce(s.m, 0) AS svc,
           CASE WHEN s.unit_id IS NULL THEN 0::bigint ELSE -1::bigint END AS live,
           coalesce(f.fa, 0) AS fa, coalesce(f.ot, 0) AS ot
      FROM units_unit u
      LEFT JOIN wide w ON w.unit_id = u.id
      LEFT JOIN part p ON p.unit_id = u.id
      LEFT JOIN svc s ON s.unit_id = u.id
      LEFT JOIN filed f ON f.unit_id = u.id
     WHERE u.status = ANY(%(supervised)s)
       AND (coalesce(u.reviewed_at, u.created_at) AT TIME ZONE %(tz)s)::date <= %(m1)s
), days AS (
    SELECT *, win & ~wide & svc AS due, win & (wide | (~svc & part & live)) AS exempt FROM masks
)
SELECT unit_id, jurisdiction_id, province_id, city_id, county_id, station_id, due, exempt,
       due & ot AS on_time, due & fa & ~ot AS late, due & ~fa & ~%(today_bit)s::bigint AS missing
  FROM days
"""

_UNIT_ROWS = """
INSERT INTO routines_unitmonthcompliance
       (unit_id, month, jurisdiction_id, province_id, city_id, county_id, station_id, days_due, days_on_time,
        days_late, days_missing, days_exempt, weeks_due, weeks_on_time, weeks_late, month_due, month_on_time,
        month_late, shortfall, computed_at)
WITH wk AS (
    SELECT * FROM unnest(%(weeks)s::date[], %(week_masks)s::bigint[], %(week_closed)s::boolean[]) AS t(ws, wm, closed)
), rep AS MATERIALIZED (
    SELECT unit_id, week_start, late FROM routines_weeklyreport
     WHERE province_id = ANY(%(provinces)s) AND week_start = ANY(%(weeks)s::date[])
), weeks AS (
    SELECT c.unit_id, count(*) AS due, count(*) FILTER (WHERE NOT r.late) AS on_time,
           count(*) FILTER (WHERE r.late) AS late
      FROM routines_cu c
      JOIN wk ON c.due & wk.wm <> 0
      LEFT JOIN rep r ON r.unit_id = c.unit_id AND r.week_start = wk.ws
     WHERE wk.closed OR r.unit_id IS NOT NULL
     GROUP BY c.unit_id
), mm AS MATERIALIZED (
    SELECT unit_id, late FROM routines_monthlyminutes WHERE province_id = ANY(%(provinces)s) AND month = %(m0)s
), f AS (
    SELECT c.*, bit_count(c.on_time::bit(64)) AS d_on, bit_count(c.late::bit(64)) AS d_late,
           bit_count(c.missing::bit(64)) AS d_miss, bit_count(c.exempt::bit(64)) AS d_ex,
           coalesce(w.due, 0) AS w_due, coalesce(w.on_time, 0) AS w_on, coalesce(w.late, 0) AS w_late,
           c.due <> 0 AND (%(month_closed)s OR m.unit_id IS NOT NULL) AS m_due,
           coalesce(NOT m.late, false) AS m_on, coalesce(m.late, false) AS m_late
      FROM routines_cu c
      LEFT JOIN weeks w ON w.unit_id = c.unit_id
      LEFT JOIN mm m ON m.unit_id = c.unit_id
)
SELECT unit_id, %(m0)s, jurisdiction_id, province_id, city_id, county_id, station_id, d_on + d_late + d_miss,
       d_on, d_late, d_miss, d_ex, w_due, w_on, w_late, m_due, m_due AND m_on, m_due AND m_late,
       d_miss + d_late + (w_due - w_on) + CASE WHEN m_due AND NOT m_on THEN 1 ELSE 0 END, %(now)s
  FROM f
ON CONFLICT (unit_id, month) DO UPDATE SET {columns}
 WHERE ({old}) IS DISTINCT FROM ({new})
"""
_UNIT_COLUMNS = ("jurisdiction_id", "province_id", "city_id", "county_id", "station_id", "days_due", "days_on_time",
                 "days_late", "days_missing", "days_exempt", "weeks_due", "weeks_on_time", "weeks_late", "month_due",
                 "month_on_time", "month_late", "shortfall")
_UNIT_ROWS = _UNIT_ROWS.format(
    columns=", ".join(f"{c} = EXCLUDED.{c}" for c in (*_UNIT_COLUMNS, "computed_at")),
    old=", ".join(f"routines_unitmonthcompliance.{c}" for c in _UNIT_COLUMNS),
    new=", ".join(f"EXCLUDED.{c}" for c in _UNIT_COLUMNS))
_GONE_UNITS = """
DELETE FROM routines_unitmonthcompliance t
 WHERE t.province_id = ANY(%(provinces)s) AND t.month = %(m0)s
   AND NOT EXISTS (SELECT 1 FROM routines_cu c WHERE c.unit_id = t.unit_id)
"""

_NODE_MONTHS = """
INSERT INTO routines_jurisdictionmonthcompliance
       (node_id, month, units, units_due, units_noncompliant, days_due, days_on_time, days_late, days_missing,
        days_exempt, weeks_due, weeks_on_time, weeks_late, months_due, months_on_time, months_late, computed_at)
WITH g AS (
    SELECT province_id, city_id, county_id, station_id, count(*) AS units,
           count(*) FILTER (WHERE days_due > 0 OR weeks_due > 0 OR month_due) AS units_due,
           count(*) FILTER (WHERE shortfall > 0) AS units_noncompliant,
           sum(days_due) AS days_due, sum(days_on_time) AS days_on_time, sum(days_late) AS days_late,
           sum(days_missing) AS days_missing, sum(days_exempt) AS days_exempt, sum(weeks_due) AS weeks_due,
           sum(weeks_on_time) AS weeks_on_time, sum(weeks_late) AS weeks_late,
           count(*) FILTER (WHERE month_due) AS months_due, count(*) FILTER (WHERE month_on_time) AS months_on_time,
           count(*) FILTER (WHERE month_late) AS months_late
      FROM routines_unitmonthcompliance
     WHERE province_id = ANY(%(provinces)s) AND month = %(m0)s
     GROUP BY 1, 2, 3, 4
)
SELECT node, %(m0)s, sum(units), sum(units_due), sum(units_noncompliant), sum(days_due), sum(days_on_time),
       sum(days_late), sum(days_missing), sum(days_exempt), sum(weeks_due), sum(weeks_on_time), sum(weeks_late),
       sum(months_due), sum(months_on_time), sum(months_late), %(now)s
  FROM g CROSS JOIN LATERAL unnest(ARRAY[g.province_id, g.city_id, g.county_id, g.station_id]) AS node
 WHERE node IS NOT NULL
 GROUP BY node
"""

_NODE_DAYS = """
INSERT INTO routines_jurisdictiondaycompliance
       (node_id, day, units_due, units_on_time, units_late, units_missing, units_exempt)
WITH d AS (
    SELECT province_id, city_id, county_id, station_id, k,
           ((on_time >> k) & 1) + 2 * ((late >> k) & 1) + 3 * ((missing >> k) & 1) + 4 * ((exempt >> k) & 1) AS s,
           count(*) AS n
      FROM routines_cu CROSS JOIN generate_series(0, %(k_last)s) AS k
     GROUP BY 1, 2, 3, 4, 5, 6
)
SELECT node, %(m0)s::date + k, coalesce(sum(n) FILTER (WHERE s BETWEEN 1 AND 3), 0),
       coalesce(sum(n) FILTER (WHERE s = 1), 0), coalesce(sum(n) FILTER (WHERE s = 2), 0),
       coalesce(sum(n) FILTER (WHERE s = 3), 0), coalesce(sum(n) FILTER (WHERE s = 4), 0)
  FROM d CROSS JOIN LATERAL unnest(ARRAY[d.province_id, d.city_id, d.county_id, d.station_id]) AS node
 WHERE node IS NOT NULL
 GROUP BY node, k
"""


def _span(first: int, last: int) -> int:
    return ((1 << (last - first + 1)) - 1) << first if last >= first else 0


def _month_params(month: date, today: date, provinces: list[int], now) -> dict:
    m0, m1 = expected.month_of(month)
    n = (m1 - m0).days + 1
    weeks = weeks_of_month(m0)
    return {
        "m0": m0, "m1": m1, "n": n, "k_today": (today - m0).days, "k_last": min(n - 1, (today - m0).days),
        "today_bit": 1 << (today - m0).days if m0 <= today <= m1 else 0,
        "tz": settings.TIME_ZONE, "live": LIVE, "supervised": SUPERVISED, "provinces": provinces, "now": now,
        "weeks": weeks,
        "week_masks": [_span(max(0, (w - m0).days), min(n - 1, (w - m0).days + 6)) for w in weeks],
        "week_closed": [expected.weekly_deadline(w) < today for w in weeks],
        "month_closed": expected.monthly_deadline(m0) < today,
    }


def _refresh_month(cursor, month: date, today: date, provinces: list[int], now) -> int:
    params = _month_params(month, today, provinces, now)
    cursor.execute(_UNIT_MASKS, params)
    counted = cursor.rowcount
    cursor.execute("ANALYZE routines_cu")
    cursor.execute(_UNIT_ROWS, params)
    cursor.execute(_GONE_UNITS, params)
    cursor.execute("DELETE FROM routines_jurisdictionmonthcompliance WHERE month = %(m0)s", params)
    cursor.execute("DELETE FROM routines_jurisdictiondaycompliance WHERE day BETWEEN %(m0)s AND %(m1)s", params)
    cursor.execute(_NODE_MONTHS, params)
    if params["k_last"] >= 0:
        cursor.execute(_NODE_DAYS, params)
    cursor.execute("DROP TABLE routines_cu")
    return counted


def last_refresh() -> ComplianceRefresh | None:
    return ComplianceRefresh.objects.order_by("-started_at").first()


def touched_months(since, today: date) -> set[date]:
    """The months whose figures a record filed (or an exemption recorded) at or after ``since`` changes: a daily
    check's month, the months a weekly report's week overlaps, the minutes' month, the months an exemption covers
    up to today. Read on the ``filed_at`` / ``recorded_at`` columns, so a quiet night costs next to nothing."""
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT DISTINCT m::date FROM (
                SELECT date_trunc('month', day) AS m FROM routines_dailycheck WHERE filed_at >= %(since)s
                UNION SELECT date_trunc('month', week_start) FROM routines_weeklyreport WHERE filed_at >= %(since)s
                UNION SELECT date_trunc('month', week_start + 6) FROM routines_weeklyreport WHERE filed_at >= %(since)s
                UNION SELECT month FROM routines_monthlyminutes WHERE filed_at >= %(since)s
                UNION SELECT generate_series(date_trunc('month', starts_on),
                                             date_trunc('month', least(coalesce(ends_on, %(today)s), %(today)s)),
                                             interval '1 month')
                        FROM routines_exemption WHERE recorded_at >= %(since)s AND starts_on <= %(today)s
            ) t""", {"since": since, "today": today})
        return {row[0] for row in cursor.fetchall()}


def months_to_refresh(today: date, since=None) -> list[date]:
    """This month and the last, and every earlier month touched since the last run began."""
    current = month_start(today)
    months = {current, previous_month(current)}
    if since is not None:
        months |= {m for m in touched_months(since, today) if m <= current}
    return sorted(months)


def refresh(months=None, *, today: date | None = None) -> ComplianceRefresh:
    """Recount ``months`` (default: ``months_to_refresh``) for every unit and node, in one transaction.

    The advisory lock is taken first, so concurrent runs (the beat's, a redelivery, ``manage.py
    refresh_compliance``) queue; readers keep the previous figures until the commit. Each month's rows are
    deleted and rewritten whole: idempotent, and a run after a late filing corrects what the earlier one counted.
    The exemptions are brought in step with the statuses first (``sync_exemptions``)."""
    today = today or timezone.localdate()
    clock = time.monotonic()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
            started = timezone.now()
            sync_exemptions(today)
            if months is None:
                previous = last_refresh()
                months = months_to_refresh(today, previous.started_at - SINCE_SLACK if previous else None)
            months = sorted({month_start(m) for m in months if month_start(m) <= month_start(today)})
            # Batch work over whole tables: JIT compilation costs more than it saves here (measured), and the
            # month's hash tables fit in memory.
            cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SELECT coalesce(array_agg(id), '{}') FROM jurisdictions_jurisdiction "
                           "WHERE parent_id IS NULL")
            provinces = cursor.fetchone()[0]
            written = sum(_refresh_month(cursor, m, today, provinces, started) for m in months)
            # The month just rewritten is new to the planner: with the statistics of yesterday it expects a
            # handful of this month's rows where there are 170,000 and sorts them all for the shortfall list's
            # first page instead of reading its index (measured: 680 ms against 1 ms at Gansu ×3).
            cursor.execute("ANALYZE routines_unitmonthcompliance, routines_jurisdictionmonthcompliance, "
                           "routines_jurisdictiondaycompliance")
        ComplianceRefresh.objects.filter(started_at__lt=started - REFRESHES_KEPT).delete()
        return ComplianceRefresh.objects.create(started_at=started, finished_at=timezone.now(), months=months,
                                                seconds=round(time.monotonic() - clock, 3), units=written)


def ensure_partitions(ahead: int = 3, today: date | None = None) -> list[str]:
    """The daily checks' monthly partitions of this month through ``ahead`` months on
    (``routines_dailycheck_partition``, migration 0002: a partition that exists is left alone). The filing service
    makes a missing one too, so a filing never waits for this; it keeps the DDL out of the day's traffic."""
    month, names = month_start(today or timezone.localdate()), []
    with connection.cursor() as cursor:
        for _n in range(ahead + 1):
            cursor.execute("SELECT routines_dailycheck_partition(%s)", [month])
            names.append(cursor.fetchone()[0])
            month = next_month(month)
    return names


# --- One unit's month from expected.ledger (what the roll-up must equal) --------------------------------

@dataclass
class UnitMonth:
    """``UnitMonthCompliance``'s figures for one unit and month, counted in Python from ``expected.ledger``."""

    days_due: int = 0
    days_on_time: int = 0
    days_late: int = 0
    days_missing: int = 0
    days_exempt: int = 0
    weeks_due: int = 0
    weeks_on_time: int = 0
    weeks_late: int = 0
    month_due: bool = False
    month_on_time: bool = False
    month_late: bool = False
    weeks: dict[date, str] = field(default_factory=dict)

    @property
    def shortfall(self) -> int:
        return (self.days_missing + self.days_late + self.weeks_due - self.weeks_on_time
                + int(self.month_due and not self.month_on_time))

    def figures(self) -> dict:
        return {name: getattr(self, name) for name in FIGURES}


FIGURES = ("days_due", "days_on_time", "days_late", "days_missing", "days_exempt", "weeks_due", "weeks_on_time",
           "weeks_late", "month_due", "month_on_time", "month_late", "shortfall")
OWES = (expected.Day.ON_TIME, expected.Day.LATE, expected.Day.MISSING, expected.Day.TODAY)


class Standing:
    """How a week's report or a month's minutes stand: not begun yet, not owed, owed and still open (before its
    deadline), filed on time, filed late (补录), missing."""

    FUTURE, NOT_DUE, OPEN, ON_TIME, LATE, MISSING = "future", "not_due", "open", "on_time", "late", "missing"


def period_state(owed: bool, record, closed: bool) -> str:
    if not owed:
        return Standing.NOT_DUE
    if record is not None:
        return Standing.LATE if record.late else Standing.ON_TIME
    return Standing.MISSING if closed else Standing.OPEN


def reckon(unit: Unit, month: date, today: date | None = None, ledger: expected.Ledger | None = None,
           reports: dict | None = None, minutes=None) -> UnitMonth | None:
    """``unit``'s month as the roll-up counts it, from ``expected.ledger``; None where the roll-up writes no row (a
    unit not under supervision, or on the books only after the month)."""
    today = today or timezone.localdate()
    start, end = expected.month_of(month)
    if not expected.supervised(unit) or expected.on_books_from(unit) > end:
        return None
    ledger = ledger or expected.ledger(unit, start, end, today)
    if reports is None:
        found = WeeklyReport.objects.filter(unit=unit, week_start__in=weeks_of_month(start))
        reports = {r.week_start: r for r in found}
    if minutes is None:
        minutes = MonthlyMinutes.objects.filter(unit=unit, month=start).first()
    result = UnitMonth(days_on_time=ledger.count(expected.Day.ON_TIME), days_late=ledger.count(expected.Day.LATE),
                       days_missing=ledger.count(expected.Day.MISSING), days_exempt=ledger.count(expected.Day.EXEMPT))
    result.days_due = result.days_on_time + result.days_late + result.days_missing
    for week in weeks_of_month(start):
        inside = expected.days(max(week, start), min(week + timedelta(days=6), end))
        owed = any(ledger.states[d] in OWES for d in inside)
        state = period_state(owed, reports.get(week), expected.weekly_deadline(week) < today)
        result.weeks[week] = state
        result.weeks_due += state in (Standing.ON_TIME, Standing.LATE, Standing.MISSING)
        result.weeks_on_time += state == Standing.ON_TIME
        result.weeks_late += state == Standing.LATE
    state = period_state(ledger.owes_any(), minutes, expected.monthly_deadline(start) < today)
    result.month_due = state in (Standing.ON_TIME, Standing.LATE, Standing.MISSING)
    result.month_on_time, result.month_late = state == Standing.ON_TIME, state == Standing.LATE
    return result


# --- Reads for the pages ------------------------------------------------------------------------------

@dataclass
class Rate:
    """One line of the regulators' page: a node (or the units placed at the node itself) and its month."""

    name: str
    row: JurisdictionMonthCompliance
    node: Jurisdiction | None = None

    @staticmethod
    def percent(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def daily_on_time(self):
        return self.percent(self.row.days_on_time, self.row.days_due)

    @property
    def daily_late(self):
        return self.percent(self.row.days_late, self.row.days_due)

    @property
    def daily_missing(self):
        return self.percent(self.row.days_missing, self.row.days_due)

    @property
    def weekly_on_time(self):
        return self.percent(self.row.weeks_on_time, self.row.weeks_due)

    @property
    def weekly_late(self):
        return self.percent(self.row.weeks_late, self.row.weeks_due)

    @property
    def monthly_on_time(self):
        return self.percent(self.row.months_on_time, self.row.months_due)

    @property
    def monthly_late(self):
        return self.percent(self.row.months_late, self.row.months_due)


SUMMED = ("units", "units_due", "units_noncompliant", "days_due", "days_on_time", "days_late", "days_missing",
          "days_exempt", "weeks_due", "weeks_on_time", "weeks_late", "months_due", "months_on_time", "months_late")


def empty_row(node: Jurisdiction | None, month: date) -> JurisdictionMonthCompliance:
    return JurisdictionMonthCompliance(node=node, month=month, computed_at=timezone.now())


@dataclass
class NodeMonth:
    """What ``/compliance/`` shows for a node and month: its line, its children's (and 直属本级), its last twelve
    months and the month's days."""

    overall: Rate
    children: list[Rate]
    trend: list[JurisdictionMonthCompliance]
    days: list[JurisdictionDayCompliance]


def node_month(node: Jurisdiction, month: date) -> NodeMonth:
    """Four queries whatever the subtree: the children, their and the node's rows of the month, the node's twelve
    months, the node's days. A node or month the roll-up has no row for reads as zeros (no supervised unit)."""
    month = month_start(month)
    children = sorted(node.get_children(), key=lambda child: child.code)
    rows = {r.node_id: r for r in JurisdictionMonthCompliance.objects.filter(
        month=month, node__in=[node.pk, *(c.pk for c in children)])}
    own = rows.get(node.pk) or empty_row(node, month)
    lines = [Rate(child.name, rows.get(child.pk) or empty_row(child, month), child) for child in children]
    direct = empty_row(None, month)
    for name in SUMMED:
        setattr(direct, name, getattr(own, name) - sum(getattr(line.row, name) for line in lines))
    if children and direct.units:
        lines.append(Rate(_("（直属本级的单位）"), direct))
    first = month
    for _n in range(11):
        first = previous_month(first)
    found = {r.month: r for r in JurisdictionMonthCompliance.objects.filter(node=node, month__range=(first, month))}
    trend, cursor = [], first
    while cursor <= month:
        trend.append(found.get(cursor) or empty_row(node, cursor))
        cursor = next_month(cursor)
    days = list(JurisdictionDayCompliance.objects.filter(node=node, day__range=expected.month_of(month))
                .order_by("day"))
    return NodeMonth(Rate(node.name, own, node), lines, trend, days)


def noncompliant(node: Jurisdiction, month: date):
    """The node's units that fell short in ``month``, worst first: one range of the tier index."""
    return (UnitMonthCompliance.objects.filter(**{f"{node.tier}_id": node.pk}, month=month_start(month),
                                               shortfall__gt=0)
            .select_related("unit", "jurisdiction").order_by("-shortfall", "unit_id"))

