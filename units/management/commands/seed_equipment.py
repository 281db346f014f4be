"""Synthetic equipment for benchmarks: hundreds of thousands of rows on the units ``seed_scale`` made.

Each piece is placed exactly like ``Placed.place_with(unit)`` (jurisdiction and province/city/county/
station ids copied from its unit), ``category`` is the top-level type of ``equipment_type`` as
``services.add_equipment`` sets it, codes are unique (or blank), registered equipment carries a unique
certificate number, and the next periodic inspection is spread over two years either side of today.
All rows go in with one PostgreSQL ``COPY``. Running it again adds ``--count`` more: serials continue
from the highest one seeded (kept in ``factory_number``), so codes and numbers stay unique.
"""

from __future__ import annotations

import random
import string
import time
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef

from portal.kit.bulk import copy_rows
from units.choices import EquipmentStatus, UnitStatus
from units.models import Equipment, EquipmentType, Unit

TZ = ZoneInfo("Asia/Shanghai")
SEED_LOCK_KEY = 620_000_061
SERIAL_PREFIX = "SEED-"  # factory_number of seeded equipment: SEED-00001234
MAKER = "99999"  # the 5-digit maker code of seeded equipment codes (no real maker holds it)
BASE36 = string.digits + string.ascii_uppercase
# category code → weight: elevators, vessels, cranes and forklifts are most of what a city registers.
CATEGORY_WEIGHT = {"3000": 40, "2000": 22, "4000": 14, "5000": 12, "1000": 6, "8000": 3, "6000": 1, "9000": 1,
                   "7000": 1}
STATUS_MIX = ((EquipmentStatus.IN_USE, 86), (EquipmentStatus.UNREGISTERED, 5), (EquipmentStatus.SUSPENDED, 4),
              (EquipmentStatus.SCRAPPED, 2), (EquipmentStatus.DEREGISTERED, 3))
REGISTERED = {EquipmentStatus.IN_USE, EquipmentStatus.SUSPENDED, EquipmentStatus.SCRAPPED,
              EquipmentStatus.DEREGISTERED}
BLANK_CODE_SHARE = 0.1  # older equipment registered before 设备代码 existed
COPY_COLUMNS = (
    "unit_id", "equipment_type_id", "category_id", "code", "factory_number", "manufacturer", "model_number",
    "location", "status", "registration_number", "registered_on", "commissioned_on", "last_inspection_on",
    "next_inspection_on", "version", "created_at", "updated_at",
    "jurisdiction_id", "province_id", "city_id", "county_id", "station_id",
)
PLACEMENT = ("jurisdiction_id", "province_id", "city_id", "county_id", "station_id")
MANUFACTURERS = ("西子奥的斯电梯有限公司", "通力电梯有限公司", "日立电梯（中国）有限公司",
                 "兰州兰石重型装备股份有限公司", "太原重工股份有限公司", "杭叉集团股份有限公司", "安徽合力股份有限公司",
                 "无锡华光环保能源集团股份有限公司")
PLACES = ("1号楼", "2号楼", "3号楼", "主厂房", "锅炉房", "仓库", "车间", "地下车库", "办公楼", "综合楼")


def _base36(n: int, width: int) -> str:
    digits = []
    for _ in range(width):
        n, r = divmod(n, 36)
        digits.append(BASE36[r])
    if n:
        raise CommandError("设备序号超出编码范围")
    return "".join(reversed(digits))


def next_serial() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT max(substr(factory_number, %s)::bigint) FROM units_equipment WHERE factory_number LIKE %s",
            [len(SERIAL_PREFIX) + 1, SERIAL_PREFIX + "%"],
        )
        (top,) = cursor.fetchone()
    return (top or 0) + 1


def varieties() -> list[tuple[EquipmentType, EquipmentType, float]]:
    """(variety, its category, weight): the leaves of the catalogue, as ``equipment_type_choices`` offers."""
    types = list(EquipmentType.objects.all())
    by_code = {t.code: t for t in types}
    parents = {t.parent_id for t in types if t.parent_id}
    leaves = [t for t in types if t.parent_id is not None and t.pk not in parents and t.category_code in by_code]
    per_category: dict[str, int] = {}
    for t in leaves:
        per_category[t.category_code] = per_category.get(t.category_code, 0) + 1
    return [(t, by_code[t.category_code], CATEGORY_WEIGHT.get(t.category_code, 1) / per_category[t.category_code])
            for t in leaves]


class Command(BaseCommand):
    help = (
        "批量生成压测用特种设备：随机挂在已有的在册单位下（辖区与单位一致），设备代码唯一或为空，"
        "下次定期检验日期分布在今天前后两年内。用一次 PostgreSQL COPY 写入，可重复追加。"
        "需先运行 load_equipment_catalogue 和 seed_scale。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=250_000, help="本次新增的设备数（默认 250000）")
        parser.add_argument("--seed", type=int, default=2026, help="随机种子")
        parser.add_argument("--no-history", action="store_true",
                            help="装载时忽略 pghistory 触发器 units.Equipment:insert_insert（更快，不留插入事件）")
        parser.add_argument("--city", help="只给该市（州）的单位生成设备（辖区代码，如 620100）")
        parser.add_argument("--bare", action="store_true", help="只给还没有任何设备的单位生成设备（补充新增单位时用）")

    def handle(self, *args, **options):
        n = options["count"]
        if n < 0:
            raise CommandError("--count 不能为负数")
        kinds = varieties()
        if not kinds:
            raise CommandError("特种设备目录为空，请先运行 load_equipment_catalogue。")
        units = Unit.objects.filter(status__in=[UnitStatus.ACTIVE, UnitStatus.STOPPED])
        if options["city"]:
            units = units.filter(city__code=options["city"])
        if options["bare"]:
            units = units.filter(~Exists(Equipment.objects.filter(unit=OuterRef("pk"))))
        units = list(units.order_by("pk").values_list("pk", *PLACEMENT))
        if not units:
            raise CommandError("没有需要生成设备的单位。" if options["bare"] or options["city"]
                               else "没有在册单位，请先运行 seed_scale。")
        started = time.perf_counter()
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEED_LOCK_KEY])
            start = next_serial()
            rng = random.Random(f"{options['seed']}:{start}")
            t0 = time.perf_counter()
            rows = self.build(rng, units, kinds, start, n)
            built = time.perf_counter() - t0
            t0 = time.perf_counter()
            self.copy(rows, uuid.UUID(int=rng.getrandbits(128), version=4), history=not options["no_history"])
            copied = time.perf_counter() - t0
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) units_equipment" if not connection.in_atomic_block
                           else "ANALYZE units_equipment")
        analyzed = time.perf_counter() - t0
        self.stdout.write(self.style.SUCCESS(
            f"新增设备 {n} 台（序号 {start}–{start + n - 1}），分布在 {len(units)} 个单位；"
            f"设备总数 {Equipment.objects.count()}。"
        ))
        self.stdout.write(f"耗时 {time.perf_counter() - started:.1f} s：生成 {built:.1f} s，COPY {copied:.1f} s"
                          f"（{'未' if options['no_history'] else '含'}历史触发器），VACUUM/ANALYZE {analyzed:.1f} s")

    def build(self, rng: random.Random, units, kinds, start: int, n: int) -> list[tuple]:
        now = datetime.now(TZ).replace(microsecond=0)
        today = now.date()
        weights = [w for _t, _c, w in kinds]
        chosen_units = rng.choices(units, k=n)
        chosen_kinds = rng.choices(kinds, weights=weights, k=n)
        statuses, status_weights = zip(*STATUS_MIX, strict=True)
        chosen_status = rng.choices(statuses, weights=status_weights, k=n)
        rows = []
        for i in range(n):
            serial = start + i
            unit = chosen_units[i]
            variety, category, _w = chosen_kinds[i]
            status = chosen_status[i]
            made = today.year - rng.randint(0, 20)
            code = "" if rng.random() < BLANK_CODE_SHARE else f"{variety.code}{MAKER}{made}{_base36(serial, 5)}"
            commissioned = today - timedelta(days=rng.randint(30, 20 * 365))
            registered = status in REGISTERED
            next_due = today + timedelta(days=rng.randint(-730, 730)) if registered else None
            last_done = next_due - timedelta(days=365) if next_due else None
            created = now - timedelta(days=rng.randint(0, 5 * 365), seconds=rng.randint(0, 86399))
            rows.append((
                unit[0], variety.pk, category.pk, code, f"{SERIAL_PREFIX}{serial:08d}", rng.choice(MANUFACTURERS),
                f"M{rng.randint(100, 999)}", f"{rng.choice(PLACES)}{rng.randint(1, 12)}层",
                status, f"{variety.registration_char or '设'}S甘{serial:08d}" if registered else "",
                commissioned.isoformat() if registered else None, commissioned.isoformat(),
                last_done.isoformat() if last_done else None, next_due.isoformat() if next_due else None,
                1, created.isoformat(), created.isoformat(),
                *unit[1:],
            ))
        return rows

    def copy(self, rows, context_id: uuid.UUID, history: bool = True) -> None:
        """One COPY for all rows; pghistory writes one insert event per row unless ``history`` is off."""
        copy_rows("units_equipment", COPY_COLUMNS, rows, context_id=context_id,
                  metadata={"command": "seed_equipment", "equipment": len(rows)},
                  history_trigger=None if history else "units.Equipment:insert_insert")
