"""Synthetic personnel for benchmarks: the responsibility system of every unit ``seed_scale`` made.

For every supervised unit (active or stopped) that has no people and no ``UnitStaffing`` row yet,
people and appointments are generated exactly as ``services.appoint`` would leave them: one holder
of each post the unit's kinds require (``rules.posts_for``), one or two officers per officer post,
each post held by its own person, placed where the unit is. About 70% of units are fully staffed;
the rest miss one random required post (sometimes because its holder left: an ended appointment
without a successor). Some single-holder posts have a predecessor whose appointment ended the day
the current one started (the replacement history). ``UnitStaffing`` carries the in-office counts;
about 1% of units are flagged, with one in-office person marked as having failed a spot assessment.

ID numbers are check-valid (GB 11643-1999, ``samples.make_id_number``), of people aged 24–60,
mostly issued in the unit's own county; ID and phone numbers are sealed with ``portal.kit.crypto``
and indexed and masked as ``services._seal`` does. Everything goes in with PostgreSQL ``COPY`` (ids
drawn from the tables' sequences first, so appointments can name their people), inside one
transaction. Running it again only touches units that still have nobody, so it is a top-up.
"""

from __future__ import annotations

import random
import time
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef

from jurisdictions.duties import Tier
from jurisdictions.models import Jurisdiction
from personnel import rollup, rules
from personnel.choices import Education, EndReason, Post, Sex
from personnel.models import ID_PURPOSE, PHONE_PURPOSE, Appointment, Person, UnitStaffing
from portal.kit import crypto
from portal.kit.bulk import copy_rows
from portal.kit.masking import mask_id_number, mask_phone
from portal.kit.samples import make_id_number
from units.choices import SUPERVISED_STATUSES
from units.management.commands.seed_scale import GIVEN, SURNAMES
from units.models import Unit

TZ = ZoneInfo("Asia/Shanghai")
SEED_LOCK_KEY = 620_000_062
CHUNK = 20_000  # units per COPY round: bounds memory, not the transaction
PLACEMENT = ("jurisdiction_id", "province_id", "city_id", "county_id", "station_id")

STAFFED_SHARE = 0.70  # units with every required post filled
LEFT_SHARE = 0.4  # of the missing posts: the holder left and nobody was appointed yet
PREDECESSOR_SHARE = 0.12  # single-holder posts whose current holder replaced someone
FLAGGED_SHARE = 0.01
TWO_OFFICERS_SHARE = 0.35
MALE_SHARE = 0.72
HOME_COUNTY_SHARE = 0.8  # ID numbers issued in the unit's own county (the rest anywhere in Gansu)

EDUCATIONS, EDUCATION_WEIGHTS = zip(
    (Education.BACHELOR, 38), (Education.JUNIOR_COLLEGE, 32), (Education.SECONDARY, 18), (Education.MASTER, 6),
    (Education.BELOW, 5), (Education.DOCTORATE, 1), strict=True)
TITLES = ("", "", "", "助理工程师", "工程师", "工程师", "高级工程师", "技师", "高级技师")
COVERS = ("", "", "电梯", "锅炉、压力容器", "起重机械", "场（厂）内专用机动车辆", "压力管道", "气瓶充装",
          "大型游乐设施")
END_REASONS = (EndReason.RESIGNED, EndReason.RESIGNED, EndReason.DISMISSED, EndReason.OTHER)

PERSON_COLUMNS = (
    "id", "unit_id", "name", "id_cipher", "id_digest", "id_masked", "sex", "birth_date", "phone_cipher",
    "phone_masked", "education", "title", "assessment_failed", "version", "created_at", "updated_at", *PLACEMENT,
)
APPOINTMENT_COLUMNS = (
    "id", "unit_id", "person_id", "post", "started_on", "ended_on", "end_reason", "replaces_id", "covers",
    "document", "created_by_id", "created_at", *PLACEMENT,
)
STAFFING_COLUMNS = ("unit_id", *Post.values, "flagged", "updated_at")


def bytea(blob: bytes) -> str:
    """bytea in its hex input form; ``copy_value`` doubles the backslash for COPY's text format."""
    return "\\x" + blob.hex()


def next_ids(table: str, n: int) -> list[int]:
    """``n`` ids from ``table``'s id sequence, so COPY can write them and other rows can refer to them."""
    if not n:
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n])
        return [row[0] for row in cursor.fetchall()]


def _between(rng: random.Random, low: int, high: int) -> int:
    """``rng.randint`` at a third of the cost (it runs a dozen times per person)."""
    return low + int(rng.random() * (high - low + 1))


def _stamp(day: date, rng: random.Random) -> str:
    """A time in office hours on ``day``, Beijing time, as COPY reads it."""
    return f"{day.isoformat()} {_between(rng, 8, 17):02d}:{_between(rng, 0, 59):02d}:00+08"


class Builder:
    """The rows of one chunk of units; person and appointment ids are filled in just before COPY."""

    def __init__(self, rng: random.Random, areas: dict[int, str], all_areas: list[str], today: date):
        self.rng, self.areas, self.all_areas, self.today = rng, areas, all_areas, today
        self.now = datetime.now(TZ).isoformat()
        self.people: list[list] = []
        self.appointments: list[list] = []
        self.staffing: list[tuple] = []
        self.ended = 0

    def person(self, unit, taken: set[str], joined: date) -> int:
        """A new person on ``unit``'s books; returns its index in ``self.people``."""
        rng = self.rng
        unit_id, _kinds, _created, *placement = unit
        male = rng.random() < MALE_SHARE
        born = self.today - timedelta(days=_between(rng, 24 * 365, 60 * 365))
        home = self.areas.get(placement[3] or placement[2])  # county, else the city (嘉峪关)
        area = home if home and rng.random() < HOME_COUNTY_SHARE else rng.choice(self.all_areas)
        number = make_id_number(area, born, int(rng.random() * 500) * 2 + male)  # odd sequence: male
        while number in taken:  # unique (unit, id_digest)
            number = make_id_number(area, born, int(rng.random() * 500) * 2 + male)
        taken.add(number)
        phone = f"1{rng.choice('3456789')}{int(rng.random() * 10**9):09d}"
        stamp = _stamp(joined, rng)
        self.people.append([
            None, unit_id, rng.choice(SURNAMES) + rng.choice(GIVEN),
            bytea(crypto.encrypt(number, ID_PURPOSE)), crypto.digest(number, ID_PURPOSE), mask_id_number(number),
            Sex.MALE if male else Sex.FEMALE, born.isoformat(),
            bytea(crypto.encrypt(phone, PHONE_PURPOSE)), mask_phone(phone),
            rng.choices(EDUCATIONS, EDUCATION_WEIGHTS)[0], rng.choice(TITLES), False, 1, stamp, stamp,
            *placement,
        ])
        return len(self.people) - 1

    def appoint(self, unit, person: int, post: str, started: date, ended: date | None = None, reason: str = "",
                replaces: int | None = None) -> int:
        rng = self.rng
        unit_id, _kinds, _created, *placement = unit
        officer = post not in rules.SINGLE_HOLDER_POSTS
        self.appointments.append([
            None, unit_id, person, post, started.isoformat(), ended.isoformat() if ended else None, reason,
            replaces, rng.choice(COVERS) if officer else "", "", None, _stamp(started, rng), *placement,
        ])
        self.ended += ended is not None
        return len(self.appointments) - 1

    def unit(self, unit) -> None:
        rng, today = self.rng, self.today
        _unit_id, kinds, created, *_placement = unit
        opened = created.astimezone(TZ).date()
        span = max((today - opened).days, 0)
        posts = rules.posts_for(kinds)
        missing = None if rng.random() < STAFFED_SHARE else rng.choice(posts)
        taken: set[str] = set()
        counts = dict.fromkeys(Post.values, 0)
        in_office: list[int] = []
        for post in posts:
            started = opened + timedelta(days=_between(rng, 0, span))
            if post == missing:
                if rng.random() < LEFT_SHARE:  # the holder left; nobody appointed yet
                    left = started + timedelta(days=_between(rng, 0, (today - started).days))
                    self.appoint(unit, self.person(unit, taken, started), post, started, left, rng.choice(END_REASONS))
                continue
            holders = 1 if post in rules.SINGLE_HOLDER_POSTS or rng.random() >= TWO_OFFICERS_SHARE else 2
            for _ in range(holders):
                replaces = None
                if post in rules.SINGLE_HOLDER_POSTS and rng.random() < PREDECESSOR_SHARE:
                    before = started - timedelta(days=_between(rng, 180, 6 * 365))
                    replaces = self.appoint(unit, self.person(unit, taken, before), post, before, started,
                                            EndReason.REPLACED)
                person = self.person(unit, taken, started)
                self.appoint(unit, person, post, started, replaces=replaces)
                in_office.append(person)
                counts[post] += 1
        flagged = bool(in_office) and rng.random() < FLAGGED_SHARE
        if flagged:
            self.people[rng.choice(in_office)][12] = True  # assessment_failed
        self.staffing.append((unit[0], *counts.values(), flagged, self.now))

    def resolve(self) -> None:
        """Give every row its id, and every appointment its person's and predecessor's ids."""
        person_ids = next_ids(Person._meta.db_table, len(self.people))
        appointment_ids = next_ids(Appointment._meta.db_table, len(self.appointments))
        for row, pk in zip(self.people, person_ids, strict=True):
            row[0] = pk
        for row, pk in zip(self.appointments, appointment_ids, strict=True):
            row[0] = pk
            row[2] = person_ids[row[2]]
            if row[7] is not None:
                row[7] = appointment_ids[row[7]]


class Command(BaseCommand):
    help = (
        "批量生成压测用人员：为每个尚无人员的在册单位（正常、停产停业）按其类别生成主要负责人、安全总监"
        "（生产单位为质量安全总监）和 1–2 名安全员及其任职，约 70% 的单位配备齐全，其余缺一个岗位；"
        "同时写入人员配备情况（约 1% 有考核不合格人员在岗）。身份证号码校验位有效，身份证号码和手机号码"
        "加密保存。用 PostgreSQL COPY 写入；--no-history 时不写人员和任职的历史事件。需先运行 seed_scale。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="随机种子（同一数据库状态、同一种子得到相同人员）")
        parser.add_argument("--limit", type=int, default=None, help="最多处理的单位数（默认全部尚无人员的单位）")
        parser.add_argument("--no-history", action="store_true",
                            help="装载时忽略 pghistory 触发器 personnel.Person/Appointment:insert_insert（更快）")

    def handle(self, *args, **options):
        limit = options["limit"]
        if limit is not None and limit < 0:
            raise CommandError("--limit 不能为负数")
        history = not options["no_history"]
        nodes = Jurisdiction.objects.filter(tier__in=[Tier.CITY, Tier.COUNTY])
        areas = dict(nodes.values_list("id", "code"))
        all_areas = sorted(nodes.filter(tier=Tier.COUNTY).values_list("code", flat=True))
        if not all_areas:
            raise CommandError("辖区树中没有县区，请先运行 load_jurisdictions。")
        started = time.perf_counter()
        totals = {"units": 0, "people": 0, "appointments": 0, "ended": 0, "flagged": 0}
        built = copied = 0.0
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEED_LOCK_KEY])
            units = (Unit.objects.filter(status__in=SUPERVISED_STATUSES)
                     .exclude(Exists(Person.objects.filter(unit_id=OuterRef("pk"))))
                     .exclude(Exists(UnitStaffing.objects.filter(unit_id=OuterRef("pk"))))
                     .order_by("pk").values_list("pk", "kinds", "created_at", *PLACEMENT))
            units = list(units[:limit] if limit is not None else units)
            if not units:
                self.stdout.write("所有在册单位都已有人员，未生成。")
                return
            rng = random.Random(f"{options['seed']}:{units[0][0]}")
            context_id = uuid.UUID(int=rng.getrandbits(128), version=4)
            today = datetime.now(TZ).date()
            for start in range(0, len(units), CHUNK):
                t0 = time.perf_counter()
                builder = Builder(rng, areas, all_areas, today)
                for unit in units[start:start + CHUNK]:
                    builder.unit(unit)
                builder.resolve()
                built += time.perf_counter() - t0
                t0 = time.perf_counter()
                self.copy(builder, context_id, history)
                copied += time.perf_counter() - t0
                totals["units"] += len(builder.staffing)
                totals["people"] += len(builder.people)
                totals["appointments"] += len(builder.appointments)
                totals["ended"] += builder.ended
                totals["flagged"] += sum(row[-2] for row in builder.staffing)
            t0 = time.perf_counter()
        committed = time.perf_counter() - t0  # deferred foreign-key checks run at commit
        t0 = time.perf_counter()
        self.analyze()
        analyzed = time.perf_counter() - t0
        t0 = time.perf_counter()
        nodes = rollup.refresh()  # the staffed-rate page reads the roll-up, not the rows just copied
        rolled = time.perf_counter() - t0
        self.stdout.write(self.style.SUCCESS(
            f"为 {totals['units']} 个单位生成人员 {totals['people']} 人、任职 {totals['appointments']} 条"
            f"（其中已离任 {totals['ended']} 条），有考核不合格人员在岗的单位 {totals['flagged']} 个；"
            f"人员总数 {Person.objects.count()}。"
        ))
        self.stdout.write(
            f"耗时 {time.perf_counter() - started:.1f} s：生成（含加密）{built:.1f} s，COPY {copied:.1f} s"
            f"（{'含' if history else '未'}历史触发器），提交 {committed:.1f} s，VACUUM/ANALYZE {analyzed:.1f} s，"
            f"重算 {nodes} 个辖区的人员配备率 {rolled:.1f} s"
        )

    def copy(self, builder: Builder, context_id: uuid.UUID, history: bool) -> None:
        metadata = {"command": "seed_personnel", "people": len(builder.people)}
        copy_rows(Person._meta.db_table, PERSON_COLUMNS, builder.people, context_id=context_id, metadata=metadata,
                  history_trigger=None if history else "personnel.Person:insert_insert")
        copy_rows(Appointment._meta.db_table, APPOINTMENT_COLUMNS, builder.appointments, context_id=context_id,
                  metadata=metadata, history_trigger=None if history else "personnel.Appointment:insert_insert")
        copy_rows(UnitStaffing._meta.db_table, STAFFING_COLUMNS, builder.staffing, context_id=context_id,
                  metadata=metadata)

    def analyze(self) -> None:
        tables = (Person._meta.db_table, Appointment._meta.db_table, UnitStaffing._meta.db_table)
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"{'ANALYZE' if connection.in_atomic_block else 'VACUUM (ANALYZE)'} {table}")
