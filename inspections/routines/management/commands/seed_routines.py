"""Synthetic 日管控、周排查、月调度 records for benchmarks at Gansu ×3 scale (~65M daily checks a year).

For every active unit with live equipment (``seed_scale``, ``seed_equipment``), from ``--start`` to yesterday:
a daily check for each day the unit was on the books with equipment, filed at a rate drawn per unit (most file
nearly every day, some often miss, a few seldom file), a few of them 补录 and a few with an 异常 item; a weekly
report for each week whose deadline has passed and minutes for each such month, at the unit's rate. The rows
carry what the filing services write — the placement ids, ``positions``, ``exceptions`` only for the items that
were not 正常, a seal-shaped value, ``filed_at`` from the filing's day — but the seal chain is not computed
(nothing here verifies it) and one seed account and person stand in as filer and signer of every record.

Each month of checks goes into a bare table through one streamed COPY and is then attached as that month's
partition, so PostgreSQL builds the partition's indexes once, sorted, and checks its keys in one pass instead of
maintaining seven indexes row by row. A month whose partition already holds rows is skipped, and so is a week
or month that has any report or minutes, so a run that stopped resumes and an earlier ``--start`` adds only
what is missing.
"""

from __future__ import annotations

import json
import random
import secrets
import time
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from inspections.routines import expected
from inspections.routines import services as routines
from inspections.routines.choices import CheckResult
from inspections.routines.compliance import month_start, next_month
from inspections.routines.models import MonthlyMinutes, RiskListVersion, WeeklyReport
from jurisdictions import access
from jurisdictions.models import User
from personnel import services as personnel
from portal.kit.bulk import copy_stream, copy_value
from portal.kit.samples import make_id_number
from units.choices import UnitStatus
from units.models import Unit
from units.services import create_enterprise_user

SEED_LOCK_KEY = 620_000_065
SEED_USERNAME = "seed-routines"
# Share of units, and the share of their days (weeks, months) they file: the compliance pages need a spread.
HABITS = ((0.98, 70), (0.85, 22), (0.45, 8))
LATE_SHARE = 0.03  # of filed checks: 补录 one to three days after
ABNORMAL_SHARE = 0.03  # of filed checks: one item 异常 (the rest 零风险报告)
NOT_APPLICABLE_SHARE = 0.05  # of filed checks: one item 无此项
ITEMS_PER_EQUIPMENT, BASE_ITEMS, MAX_ITEMS = 2, 4, 40
CHECK_COLUMNS = ("day", "period", "unit_id", "jurisdiction_id", "province_id", "city_id", "county_id", "station_id",
                 "risk_version_id", "filed_by_id", "signer_id", "filed_at", "late", "chain_seq", "seal", "positions",
                 "exceptions", "result", "note")
PLACED = ("unit_id", "jurisdiction_id", "province_id", "city_id", "county_id", "station_id", "filed_by_id",
          "signer_id")
SEALED = ("filed_at", "late", "chain_seq", "seal")
REPORT_COLUMNS = (*PLACED, *SEALED, "week_start", "figures", "findings_summary", "assessment", "next_focus")
MINUTES_COLUMNS = (*PLACED, *SEALED, "month", "held_at", "location", "recorder_id", "attendees", "figures",
                   "problems", "rectification", "unresolved", "dispatch", "other_matters", "measures", "decisions")


@dataclass
class SeedUnit:
    prefix: str  # unit and placement ids, COPY-formatted
    placed: str  # the same for the weekly and monthly records (with filer and signer)
    first: date  # the first day anything was owed
    rate: float
    positions: str


def copy_per_unit(table: str, columns: tuple[str, ...], units, lines_of) -> int:
    """COPY into ``table`` the lines ``lines_of(unit)`` gives for each unit, streamed a unit at a time; the rows
    written."""
    count = 0

    def chunks():
        nonlocal count
        for unit in units:
            lines = lines_of(unit)
            count += len(lines)
            if lines:
                yield "".join(lines)

    copy_stream(table, columns, chunks())
    return count


class Command(BaseCommand):
    help = ("批量生成压测用的日管控、周排查、月调度记录：每个在册且有在用设备的单位，从 --start 起到昨天，"
            "按单位的填报习惯生成每日检查记录、每周排查报告和每月调度纪要。每月的检查记录用一次 COPY 写入后挂为分区；"
            "已有数据的月份跳过，可中断后继续。需先运行 seed_scale 和 seed_equipment。")

    def add_arguments(self, parser):
        parser.add_argument("--start", type=date.fromisoformat, default=None,
                            help="起始日期（默认：11 个月前的月初）")
        parser.add_argument("--seed", type=int, default=2026, help="随机种子")

    def handle(self, *args, **options):
        today = timezone.localdate()
        end = today - timedelta(days=1)
        start = options["start"] or month_start(month_start(today) - timedelta(days=320))
        if start > end:
            raise CommandError("起始日期应早于今天。")
        started = time.perf_counter()
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEED_LOCK_KEY])
            filer, signer, version = self.stand_ins()
        units = self.units(filer, signer, version, options["seed"])
        if not units:
            raise CommandError("没有有在用设备的在册单位，请先运行 seed_scale 和 seed_equipment。")
        month, loaded = month_start(start), 0
        while month <= end:
            loaded += self.load_month(units, max(month, start), min(expected.month_of(month)[1], end),
                                      random.Random(f"{options['seed']}:{month}"))
            month = next_month(month)
        reports = self.load_weekly(units, start, today, random.Random(f"{options['seed']}:weeks"))
        minutes = self.load_monthly(units, start, today, signer, random.Random(f"{options['seed']}:months"))
        with connection.cursor() as cursor:
            for table in ("routines_dailycheck", "routines_weeklyreport", "routines_monthlyminutes"):
                cursor.execute(f"ANALYZE {table}")
        self.stdout.write(self.style.SUCCESS(
            f"新增每日检查记录 {loaded} 条、每周报告 {reports} 份、每月纪要 {minutes} 份（{len(units)} 个单位，"
            f"{start}–{end}），耗时 {time.perf_counter() - started:.0f} s。"))

    def stand_ins(self):
        """The seed account, person and risk-list version every seeded record names (one unit's, made once)."""
        unit = Unit.objects.filter(status=UnitStatus.ACTIVE).order_by("id").first()
        if unit is None:
            raise CommandError("没有在册单位，请先运行 seed_scale。")
        filer = User.objects.filter(username=SEED_USERNAME).first() or create_enterprise_user(
            by=access.COMMAND_LINE, unit=unit, username=SEED_USERNAME, password=secrets.token_urlsafe(24),
            display_name="压测填报账号")
        person = getattr(filer, "person", None)
        if person is None:
            person = personnel.add_person(by=access.COMMAND_LINE, unit=unit, name="压测安全员",
                                          id_number=make_id_number("620102", date(1985, 3, 1), 11),
                                          phone="13900000000")
            personnel.link_account(by=access.COMMAND_LINE, person=person, account=filer)
        version = RiskListVersion.objects.filter(risk_list__unit=unit).order_by("-number").first()
        if version is None:
            version = routines.save_list(by=filer, unit=unit, note="压测清单", rows=[
                {"category": "equipment", "risk_item": "设备运行", "check_content": "设备运行正常",
                 "control_measure": "停机报修", "responsible_post": "safety_officer", "frequency": "daily",
                 "equipment": None, "equipment_type": None}])
        return filer, person, version

    def units(self, filer, signer, version, seed: int) -> list[SeedUnit]:
        with connection.cursor() as cursor:
            cursor.execute("""
                SELECT u.id, u.jurisdiction_id, u.province_id, u.city_id, u.county_id, u.station_id,
                       greatest((coalesce(u.reviewed_at, u.created_at) AT TIME ZONE %(tz)s)::date,
                                min((e.created_at AT TIME ZONE %(tz)s)::date)),
                       count(*)
                  FROM units_unit u JOIN units_equipment e ON e.unit_id = u.id AND e.status = ANY(%(live)s)
                 WHERE u.status = %(active)s
                 GROUP BY u.id ORDER BY u.id""", {"tz": settings.TIME_ZONE, "active": UnitStatus.ACTIVE,
                                                  "live": [str(s) for s in expected.LIVE_EQUIPMENT]})
            rows = cursor.fetchall()
        rng = random.Random(f"{seed}:habits")
        rates, weights = zip(*HABITS, strict=True)
        units = []
        for unit_id, *placement, first, live in rows:
            ids = "\t".join(copy_value(v) for v in (unit_id, *placement))
            items = min(MAX_ITEMS, BASE_ITEMS + ITEMS_PER_EQUIPMENT * live)
            units.append(SeedUnit(
                prefix=f"{ids}\t{version.pk}\t{filer.pk}\t{signer.pk}", placed=f"{ids}\t{filer.pk}\t{signer.pk}",
                first=first, rate=rng.choices(rates, weights=weights)[0],
                positions="{" + ",".join(str(p) for p in range(1, items + 1)) + "}"))
        return units

    def load_month(self, units: list[SeedUnit], first: date, last: date, rng: random.Random) -> int:
        """One month's checks from ``first`` to ``last``: COPY into a bare table, then attach it as the partition."""
        m0 = month_start(first)
        with connection.cursor() as cursor:
            cursor.execute("SELECT routines_dailycheck_partition(%s)", [m0])
            name = connection.ops.quote_name(cursor.fetchone()[0])
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {name})")  # noqa: S608 -- the partition function's name
            if cursor.fetchone()[0]:
                return 0
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            load = connection.ops.quote_name(name.strip('"') + "_load")
            cursor.execute(f"ALTER TABLE routines_dailycheck DETACH PARTITION {name}")
            cursor.execute(f"DROP TABLE {name}")
            cursor.execute(f"CREATE TABLE {load} (LIKE routines_dailycheck INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
            count = copy_per_unit(load, CHECK_COLUMNS, units, self.check_lines(first, last, rng))
            cursor.execute(f"ALTER TABLE {load} RENAME TO {name}")
            upper = next_month(m0)
            check = connection.ops.quote_name(name.strip('"') + "_range")
            cursor.execute(f"ALTER TABLE {name} ADD CONSTRAINT {check} CHECK (day >= %s AND day < %s)",
                           [m0, upper])
            cursor.execute(f"ALTER TABLE routines_dailycheck ATTACH PARTITION {name} FOR VALUES FROM (%s) TO (%s)",
                           [m0, upper])
            cursor.execute(f"ALTER TABLE {name} DROP CONSTRAINT {check}")
        self.stdout.write(f"  {m0:%Y-%m}：{count} 条，{time.perf_counter() - started:.0f} s")
        return count

    def check_lines(self, first: date, last: date, rng: random.Random):
        """A unit's COPY lines from ``first`` to ``last``: ``filed_at`` within the day (or one to three days on:
        补录, never after ``last``)."""
        rand = rng.random
        days = [(first + timedelta(days=k)) for k in range((last - first).days + 1)]
        times = [f" {h:02d}:{m:02d}:{s:02d}+08" for h, m, s in
                 ((rng.randint(7, 18), rng.randint(0, 59), rng.randint(0, 59)) for _ in range(512))]
        abnormal = '{"%d": {"r": "abnormal", "note": "门锁动作异常，已停用待修"}}'
        not_applicable = '{"%d": {"r": "na"}}'

        def lines_of(unit: SeedUnit) -> list[str]:
            lines = []
            for day in days:
                if day < unit.first or rand() >= unit.rate:
                    continue
                late, filed = "f", day
                draw = rand()
                if draw < LATE_SHARE and day < last:
                    late, filed = "t", min(last, day + timedelta(days=1 + int(draw * 100) % 3))
                exceptions, result = "{}", CheckResult.ZERO_RISK
                draw = rand()
                if draw < ABNORMAL_SHARE:
                    exceptions, result = abnormal % (1 + int(draw * 1000) % 3), CheckResult.HAZARD
                elif draw < ABNORMAL_SHARE + NOT_APPLICABLE_SHARE:
                    exceptions, result = not_applicable % 2, CheckResult.NORMAL
                lines.append(f"{day}\tfull\t{unit.prefix}\t{filed}{times[int(rand() * 512)]}\t{late}\t"
                             f"{(day - unit.first).days}\t{rng.getrandbits(256):064x}\t{unit.positions}\t"
                             f"{exceptions}\t{result}\t\n")
            return lines

        return lines_of

    def load_weekly(self, units, start: date, today: date, rng: random.Random) -> int:
        weeks = []
        week = expected.week_of(start)[0]
        while expected.weekly_deadline(week) < today:
            weeks.append(week)
            week += timedelta(days=7)
        weeks = [w for w in weeks if not WeeklyReport.objects.filter(week_start=w).exists()]
        if not weeks:
            return 0

        def lines_of(unit: SeedUnit) -> list[str]:
            lines = []
            for k, week in enumerate(weeks):
                if week + timedelta(days=6) < unit.first or rng.random() >= unit.rate:
                    continue
                deadline = expected.weekly_deadline(week)
                late = rng.random() < LATE_SHARE and deadline + timedelta(days=3) < today
                filed = deadline + timedelta(days=3) if late else week + timedelta(days=rng.randint(4, 6))
                lines.append(f"{unit.placed}\t{filed} 17:30:00+08\t{'t' if late else 'f'}\t{k}\t"
                             f"{rng.getrandbits(256):064x}\t{week}\t{{}}\t按清单排查\t本周运行平稳\t继续做好日管控\n")
            return lines

        with transaction.atomic():
            return copy_per_unit("routines_weeklyreport", REPORT_COLUMNS, units, lines_of)

    def load_monthly(self, units, start: date, today: date, signer, rng: random.Random) -> int:
        months = []
        month = month_start(start)
        while expected.monthly_deadline(month) < today:
            months.append(month)
            month = next_month(month)
        months = [m for m in months if not MonthlyMinutes.objects.filter(month=m).exists()]
        if not months:
            return 0
        attendees = copy_value(json.dumps([{"id": signer.pk, "name": signer.name}], ensure_ascii=False))

        def lines_of(unit: SeedUnit) -> list[str]:
            lines = []
            for k, month in enumerate(months):
                if expected.month_of(month)[1] < unit.first or rng.random() >= unit.rate:
                    continue
                deadline = expected.monthly_deadline(month)
                late = rng.random() < LATE_SHARE and deadline + timedelta(days=5) < today
                held = expected.month_of(month)[1] - timedelta(days=2)
                filed = deadline + timedelta(days=5) if late else held
                lines.append(f"{unit.placed}\t{filed} 16:00:00+08\t{'t' if late else 'f'}\t{k}\t"
                             f"{rng.getrandbits(256):064x}\t{month}\t{held} 10:00:00+08\t会议室\t{signer.pk}\t"
                             f"{attendees}\t{{}}\t\t\t\t\t\t\t[]\n")
            return lines

        with transaction.atomic():
            return copy_per_unit("routines_monthlyminutes", MINUTES_COLUMNS, units, lines_of)
