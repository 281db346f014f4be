"""Small demo data: one account per tier, a few units per demo county, two enterprise accounts, a sign-up
waiting for the station, the city's delegation of use registration to 城关区, and (``seed_demo_units``)
the demo enterprises' equipment, applications and notifications."""

import random
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from jurisdictions import access
from jurisdictions.duties import Duty, Role
from jurisdictions.models import Delegation, Jurisdiction, User
from jurisdictions.services import create_regulator, delegate
from portal.kit.samples import make_png, make_uscc
from units.choices import UnitKind
from units.models import Unit
from units.services import create_enterprise_user, signup_unit

DEMO_PASSWORD = "Gansu@2026"  # noqa: S105 -- published demo password, README lists it

# username, display name, jurisdiction code, role (the README lists the same table)
REGULATORS = [
    ("sheng", "省局管理员", "620000", Role.LEADER),
    ("lanzhou", "兰州市局管理员", "620100", Role.LEADER),
    ("tianshui", "天水市局管理员", "620500", Role.LEADER),
    ("chengguan", "城关区局管理员", "620102", Role.LEADER),
    ("qilihe", "七里河区局管理员", "620103", Role.LEADER),
    ("chengguan_jcy", "城关区局监察员", "620102", Role.INSPECTOR),
]
STATION_ACCOUNT = ("jiuquanlu", "酒泉路所工作人员", Role.INSPECTOR)
DEMO_COUNTIES = ["620102", "620103", "620502"]
UNIT_NAMES = ["电梯工程有限公司", "热力有限公司", "商贸城有限公司", "化工有限公司", "游乐园有限公司"]
ENTERPRISES = [("qiye1", "企业一管理员", "620102"), ("qiye2", "企业二管理员", "620103"),
               ("qiye3", "企业三管理员", "620502")]
# Enterprises that signed up and wait for their station to confirm them (待确认单位): username, display
# name, unit name, station code.
PENDING = [("xinqiye1", "新注册企业一管理员", "城关区示例新注册商贸有限公司", "620102001"),
           ("xinqiye2", "新注册企业二管理员", "七里河区示例新注册物流有限公司", "620103001"),
           ("xinqiye3", "新注册企业三管理员", "秦州区示例新注册食品有限公司", "620502002")]
# The cities' delegations of use registration (000 §二(二)): city account, county code.
DELEGATIONS = [("lanzhou", "620102"), ("lanzhou", "620103"), ("tianshui", "620502")]


class Command(BaseCommand):
    help = "生成演示数据并打印演示账号（可重复执行）。"

    @transaction.atomic
    def handle(self, *args, **options):
        rng = random.Random(2026)
        if not User.objects.filter(is_superuser=True).exists():
            User.objects.create_superuser("admin", "", DEMO_PASSWORD, display_name="系统管理员")
        # The province account is made as on a real server (manage.py create_regulator); it makes the rest.
        maker = access.COMMAND_LINE
        for username, name, code, role in REGULATORS:
            if not User.objects.filter(username=username).exists():
                create_regulator(by=maker, username=username, password=DEMO_PASSWORD, display_name=name,
                                 jurisdiction=Jurisdiction.objects.get(code=code), role=role)
            maker = User.objects.get(username=REGULATORS[0][0])
        station = Jurisdiction.objects.get(code="620102001")
        if not User.objects.filter(username=STATION_ACCOUNT[0]).exists():
            create_regulator(by=maker, username=STATION_ACCOUNT[0], password=DEMO_PASSWORD,
                             display_name=STATION_ACCOUNT[1], jurisdiction=station, role=STATION_ACCOUNT[2])
        for code in DEMO_COUNTIES:
            county = Jurisdiction.objects.get(code=code)
            stations = list(county.get_children()[:5])
            for i, suffix in enumerate(UNIT_NAMES):
                name = f"{county.name.rstrip('区县市')}{suffix}"
                if Unit.objects.filter(name=name).exists():
                    continue
                unit = Unit(uscc=make_uscc(code, rng), name=name, kinds=[UnitKind.USAGE] if i else
                            [UnitKind.PRODUCTION, UnitKind.USAGE], address=f"{county.name}示例路{i + 1}号",
                            legal_representative="张三")
                unit.place(stations[i % len(stations)])
                unit.save()
        for username, name, code in ENTERPRISES:
            if not User.objects.filter(username=username).exists():
                unit = Unit.objects.filter(county__code=code).order_by("id").first()
                create_enterprise_user(by=access.COMMAND_LINE,
                                       unit=unit, username=username, password=DEMO_PASSWORD, display_name=name)
        for username, name, unit_name, code in PENDING:
            if not User.objects.filter(username=username).exists():
                node = Jurisdiction.objects.get(code=code)
                signup_unit(uscc=make_uscc(code[:6], rng), name=unit_name, kinds=[UnitKind.USAGE], jurisdiction=node,
                            username=username, display_name=name, password=DEMO_PASSWORD,
                            address=f"{node.parent.name}示例大厦", legal_representative="李四", contact_person="李四",
                            contact_phone=f"139{rng.randrange(10**8):08d}",
                            licence=SimpleUploadedFile("营业执照.png", make_png(320, 200), content_type="image/png"))
        today = timezone.localdate()
        for grantor, code in DELEGATIONS:
            county = Jurisdiction.objects.get(code=code)
            if not Delegation.objects.filter(grantee=county, duty=Duty.REGISTER_EQUIPMENT,
                                             revoked_at__isnull=True).exists():
                delegate(by=User.objects.get(username=grantor), grantee=county, starts_on=today - timedelta(days=30),
                         ends_on=today + timedelta(days=335), note=f"{county.name}使用登记委托试点")
        call_command("seed_demo_units", stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"演示账号（密码均为 {DEMO_PASSWORD}）："))
        for user in User.objects.filter(role__in=Role.values).select_related("jurisdiction").order_by("id"):
            self.stdout.write(f"  {user.get_role_display():6} {user.username:14} {user.jurisdiction.name}")
        self.stdout.write("  系统管理员 admin（仅用于 /admin/，不能查看业务数据；见 docs/accounts.md）")
