"""Realistic synthetic load for benchmarks: tens of thousands of units over the real Gansu tree.

Assumes ``load_jurisdictions`` ran. Every unit is placed at a station exactly like ``Placed.place``
would (jurisdiction + province/city/county/station ids; 嘉峪关's stations have no county, 甘肃矿区 has
no station and gets no unit). Units go in with one PostgreSQL ``COPY``; accounts and their guardian
grants with ``bulk_create`` and one precomputed password hash. Running it again adds ``--units`` more
units: USCCs continue from the highest serial already seeded, so they stay unique across runs.
"""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from jurisdictions.duties import ENTERPRISE_DUTIES, Role, Tier, duties_for
from jurisdictions.models import Jurisdiction, JurisdictionUserObjectPermission, User
from jurisdictions.services import STATION_SUFFIX, role_group
from portal.kit.bulk import copy_rows
from portal.kit.samples import serial_of_uscc, uscc_for_serial
from units.choices import RiskGrade, UnitKind, UnitStatus
from units.models import Unit, UnitUserObjectPermission

USCC_PREFIX = "Y"  # organisation codes of seeded units start with this letter (see uscc_for_serial)
LANZHOU = "620100"
SEED_LOCK_KEY = 620_000_060
UNITS_PER_ENTERPRISE_ACCOUNT = 50
DEFAULT_PASSWORD = "Gansu@2026"  # noqa: S105 - the demo password of seed_demo, for synthetic accounts
TZ = ZoneInfo("Asia/Shanghai")


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


TRADE_NAMES = _words(
    "鑫源 宏达 恒通 金川 陇原 祁连 丝路 黄河 敦煌 西部 华瑞 天成 永盛 瑞丰 昌隆 众诚 新兴 长城 金泰 博远 "
    "盛华 兴隆 嘉禾 安泰 鼎盛 锦程 汇通 华亿 金诺 德润 中联 泰和 福源 东方 腾达 万通 聚源 恒信 宏远 正大"
)
INDUSTRIES = _words(
    "电梯工程 热力 化工 商贸 物流 燃气 液化气 建材 机械制造 食品 制药 酒店管理 物业管理 房地产开发 游乐 "
    "钢铁 铝业 石化 能源 水泥 纺织 印刷 冷链仓储 起重设备 锅炉安装 气体 供热 农产品加工 汽车服务 商业管理"
)
FORMS = ("有限公司", "有限公司", "有限公司", "有限责任公司", "股份有限公司", "集团有限公司")
SURNAMES = _words("王 李 张 刘 陈 杨 赵 黄 周 吴 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 韩 冯 董 彭 魏")
GIVEN = _words("伟 芳 娜 敏 静 强 磊 军 洋 勇 艳 杰 涛 明 超 秀兰 霞 平 刚 桂英 建国 建华 志强 海燕 文 斌 玉兰 红")
ROADS = _words("建设 人民 解放 东岗 西津 南滨河 北环 民主 和平 团结 新华 友谊 滨河 兴隆 长江 黄河 文化 庆阳")

# (kinds, weight): mostly usage units, some production / filling (usually also using equipment).
KIND_MIX = (
    ([UnitKind.USAGE], 85),
    ([UnitKind.PRODUCTION, UnitKind.USAGE], 6),
    ([UnitKind.FILLING, UnitKind.USAGE], 5),
    ([UnitKind.PRODUCTION], 2),
    ([UnitKind.FILLING], 2),
)
RISK_MIX = ((RiskGrade.A, 30), (RiskGrade.B, 45), (RiskGrade.C, 18), (RiskGrade.D, 5), ("", 2))
STATUS_MIX = ((UnitStatus.ACTIVE, 93), (UnitStatus.PENDING, 3), (UnitStatus.STOPPED, 4))
# Regulators seeded per county (and one leader per city): role → how many.
COUNTY_STAFF = ((Role.LEADER, 1), (Role.INSPECTOR, 2), (Role.CLERK, 1))

COPY_COLUMNS = (
    "uscc", "name", "kinds", "address", "legal_representative", "status", "risk_grade", "created_at",
    "updated_at", "jurisdiction_id", "province_id", "city_id", "county_id", "station_id", "contact_person",
    "review_note",
)


@dataclass(frozen=True)
class Station:
    id: int
    province_id: int | None
    city_id: int | None
    county_id: int | None
    area_code: str  # the county's GB/T 2260 code (嘉峪关: the city's)
    city_short: str
    county_name: str
    place: str  # the township, without 街道/镇/乡
    weight: float


def _short(name: str) -> str:
    for suffix in ("回族自治州", "藏族自治州", "市", "新区"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _township(name: str) -> str:
    name = name.removesuffix(STATION_SUFFIX)
    for suffix in ("街道", "镇", "乡"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def load_stations() -> list[Station]:
    """Every station with its ancestors' ids, computed from one read of the tree."""
    nodes = {row[0]: row for row in Jurisdiction.objects.values_list("id", "code", "name", "tier", "parent_id")}
    stations = []
    for node_id, _code, name, tier, _parent in nodes.values():
        if tier != Tier.STATION:
            continue
        ids: dict[str, int | None] = {f"{t}_id": None for t in Tier.values}
        names: dict[str, str] = {}
        codes: dict[str, str] = {}
        current = nodes[node_id]
        while current is not None:
            ids[f"{current[3]}_id"] = current[0]
            names[current[3]] = current[2]
            codes[current[3]] = current[1]
            current = nodes.get(current[4])
        city_code = codes.get(Tier.CITY, "")
        county_name = names.get(Tier.COUNTY, "")
        weight = 4.0 if city_code == LANZHOU else 1.0
        if county_name.endswith("区"):
            weight *= 1.5  # urban districts hold more enterprises than rural counties
        stations.append(Station(
            id=node_id, province_id=ids["province_id"], city_id=ids["city_id"], county_id=ids["county_id"],
            area_code=codes.get(Tier.COUNTY) or city_code, city_short=_short(names.get(Tier.CITY, "")),
            county_name=county_name or names.get(Tier.CITY, ""), place=_township(name), weight=weight,
        ))
    stations.sort(key=lambda s: s.id)
    return stations


def _weighted(rng: random.Random, mix):
    values, weights = zip(*mix, strict=True)
    return rng.choices(values, weights=weights)[0]


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def next_serial() -> int:
    """One past the highest serial any seeded unit carries (0 on an empty table)."""
    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT uscc FROM units_unit WHERE substr(uscc, 9, 1) = %s '
            'ORDER BY substr(uscc, 10, 8) COLLATE "C" DESC LIMIT 1',
            [USCC_PREFIX],
        )
        row = cursor.fetchone()
    return serial_of_uscc(row[0]) + 1 if row else 0


class Command(BaseCommand):
    help = (
        "批量生成压测数据：在真实辖区树的市场监管所下生成 N 个单位（兰州较多，代码唯一且可重复追加），"
        "每个县区若干监管账号、每约 50 个单位一个企业账号及其授权。单位用 PostgreSQL COPY 写入；"
        "COPY 会触发 pghistory 的插入触发器，每个单位照常记一条历史事件（归入一个 seed_scale 上下文；6 万个约 7 秒）；"
        "--no-history 时本次装载忽略触发器 units.Unit:insert_insert，不写单位历史事件。不写审计事件。"
        "同一数据库状态与同一 --seed 得到相同数据。需先运行 load_jurisdictions。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=60000, help="本次新增的单位数（默认 60000）")
        parser.add_argument("--seed", type=int, default=2026, help="随机种子（同一起点、同一种子结果相同）")
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="所有生成账号的密码")
        parser.add_argument("--no-accounts", action="store_true", help="只生成单位，不生成账号")
        parser.add_argument("--no-history", action="store_true",
                            help="装载时忽略 pghistory 触发器 units.Unit:insert_insert（更快，不留插入事件）")
        parser.add_argument("--city", help="只在该市（州）的市场监管所下生成单位（辖区代码，如 620100）")

    def handle(self, *args, **options):
        n = options["units"]
        if n < 0:
            raise CommandError("--units 不能为负数")
        stations = load_stations()
        if not stations:
            raise CommandError("辖区树中没有市场监管所，请先运行 load_jurisdictions。")
        if options["city"]:
            city = Jurisdiction.objects.filter(code=options["city"], tier=Tier.CITY).first()
            stations = [s for s in stations if city is not None and s.city_id == city.pk]
            if not stations:
                raise CommandError(f"{options['city']} 不是有市场监管所的市（州）。")
        started = time.perf_counter()
        with transaction.atomic():
            with connection.cursor() as cursor:  # two runs at once would pick the same serials
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEED_LOCK_KEY])
            start = next_serial()
            rng = random.Random(f"{options['seed']}:{start}")
            t0 = time.perf_counter()
            units, enterprise_units = self.build_units(rng, stations, start, n)
            built = time.perf_counter() - t0
            t0 = time.perf_counter()
            self.copy_units(units, uuid.UUID(int=rng.getrandbits(128), version=4), history=not options["no_history"])
            copied = time.perf_counter() - t0
            t0 = time.perf_counter()
            accounts = (0, 0)
            if not options["no_accounts"]:
                password = make_password(options["password"])
                accounts = (self.seed_regulators(rng, password), self.seed_enterprises(rng, password, enterprise_units))
            account_time = time.perf_counter() - t0
        t0 = time.perf_counter()
        self.analyze()
        analyzed = time.perf_counter() - t0
        total = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(
            f"新增单位 {n} 个（序号 {start}–{start + n - 1}），监管账号 {accounts[0]} 个，企业账号 {accounts[1]} 个；"
            f"单位总数 {Unit.objects.count()}。"
        ))
        self.stdout.write(
            f"耗时 {total:.1f} s：生成 {built:.1f} s，COPY {copied:.1f} s"
            f"（{'未' if options['no_history'] else '含'}历史触发器），账号 {account_time:.1f} s，"
            f"VACUUM/ANALYZE {analyzed:.1f} s"
        )

    # --- units -----------------------------------------------------------------------------------

    def build_units(self, rng: random.Random, stations: list[Station], start: int, n: int):
        weights = [s.weight for s in stations]
        placed = rng.choices(stations, weights=weights, k=n)
        now = datetime.now(TZ).replace(microsecond=0)
        rows, enterprise_units = [], []
        for i, station in enumerate(placed):
            serial = start + i
            uscc = uscc_for_serial(station.area_code, serial, USCC_PREFIX)
            prefix = rng.choice((station.city_short, station.city_short, _short(station.county_name), station.place))
            name = f"{prefix}{rng.choice(TRADE_NAMES)}{rng.choice(INDUSTRIES)}{rng.choice(FORMS)}"
            kinds = _weighted(rng, KIND_MIX)
            address = (f"{station.county_name}{station.place}{rng.choice(ROADS)}路{rng.randint(1, 999)}号")
            created = now - timedelta(days=rng.randint(0, 5 * 365), seconds=rng.randint(0, 86399))
            rows.append((
                uscc, name, "{" + ",".join(kinds) + "}", address, _person(rng), _weighted(rng, STATUS_MIX),
                _weighted(rng, RISK_MIX), created.isoformat(), created.isoformat(), station.id,
                station.province_id, station.city_id, station.county_id, station.id, _person(rng), "",
            ))
            if i % UNITS_PER_ENTERPRISE_ACCOUNT == 0:
                enterprise_units.append((uscc, serial, station.id))
        return rows, enterprise_units

    def copy_units(self, rows, context_id: uuid.UUID, history: bool = True) -> None:
        """One COPY for all rows; pghistory writes one insert event per row unless ``history`` is off."""
        copy_rows("units_unit", COPY_COLUMNS, rows, context_id=context_id,
                  metadata={"command": "seed_scale", "units": len(rows)},
                  history_trigger=None if history else "units.Unit:insert_insert")

    def analyze(self) -> None:
        with connection.cursor() as cursor:
            if connection.in_atomic_block:
                cursor.execute("ANALYZE units_unit")
            else:  # also set the visibility map so count(*) can use index-only scans
                cursor.execute("VACUUM (ANALYZE) units_unit")

    # --- accounts --------------------------------------------------------------------------------

    def seed_regulators(self, rng: random.Random, password: str) -> int:
        nodes = list(Jurisdiction.objects.filter(tier__in=[Tier.CITY, Tier.COUNTY]).order_by("code"))
        wanted = []
        for node in nodes:
            staff = COUNTY_STAFF if node.tier == Tier.COUNTY else ((Role.LEADER, 1),)
            for role, count in staff:
                wanted.extend((node, role, f"{node.code}_{role}{i}") for i in range(1, count + 1))
        taken = set(User.objects.filter(username__in=[w[2] for w in wanted]).values_list("username", flat=True))
        wanted = [w for w in wanted if w[2] not in taken]
        users = User.objects.bulk_create([
            User(username=username, password=password, display_name=_person(rng), jurisdiction=node, role=role)
            for node, role, username in wanted
        ])
        perms = self.permission_ids("jurisdictions", "jurisdiction")
        groups = {(tier, role): role_group(tier, role).pk for tier in (Tier.CITY, Tier.COUNTY) for role in
                  {role for role, _count in COUNTY_STAFF}}
        grants, memberships = [], []
        for user, (node, role, _username) in zip(users, wanted, strict=True):
            grants.extend(
                JurisdictionUserObjectPermission(user_id=user.pk, permission_id=perms[duty], content_object_id=node.pk)
                for duty in sorted(duties_for(node.tier, role))
            )
            memberships.append(User.groups.through(user_id=user.pk, group_id=groups[node.tier, role]))
        JurisdictionUserObjectPermission.objects.bulk_create(grants, batch_size=5000)
        User.groups.through.objects.bulk_create(memberships, batch_size=5000)
        return len(users)

    def seed_enterprises(self, rng: random.Random, password: str, enterprise_units) -> int:
        if not enterprise_units:
            return 0
        ids = dict(Unit.objects.filter(uscc__in=[u[0] for u in enterprise_units]).values_list("uscc", "id"))
        wanted = [(ids[uscc], f"qy{serial:07d}", station_id) for uscc, serial, station_id in enterprise_units]
        taken = set(User.objects.filter(username__in=[w[1] for w in wanted]).values_list("username", flat=True))
        wanted = [w for w in wanted if w[1] not in taken]
        users = User.objects.bulk_create([
            User(username=username, password=password, display_name=_person(rng), jurisdiction_id=station_id,
                 role=Role.ENTERPRISE)
            for _unit_id, username, station_id in wanted
        ], batch_size=2000)
        perms = self.permission_ids("units", "unit")
        group_id = role_group(Tier.STATION, Role.ENTERPRISE).pk
        grants = [
            UnitUserObjectPermission(user_id=user.pk, permission_id=perms[duty], content_object_id=unit_id)
            for user, (unit_id, _username, _station) in zip(users, wanted, strict=True)
            for duty in sorted(ENTERPRISE_DUTIES)
        ]
        UnitUserObjectPermission.objects.bulk_create(grants, batch_size=5000)
        User.groups.through.objects.bulk_create(
            [User.groups.through(user_id=user.pk, group_id=group_id) for user in users], batch_size=5000
        )
        return len(users)

    @staticmethod
    def permission_ids(app_label: str, model: str) -> dict[str, int]:
        return dict(
            Permission.objects.filter(content_type__app_label=app_label, content_type__model=model)
            .values_list("codename", "id")
        )
