"""Demo staff for the demo units of ``seed_demo``: most units staffed, some short of a post, so the
staffed-rate page and the enterprise's own page have something to show; and for the two demo
enterprises' units, operator certificates near expiry and expired, training records with results and spot
assessments passed and failed, so every personnel list has rows; and where a demo enterprise's unit has its
principal, safety director and safety officer all in post (qiye2's and qiye3's: qiye1's lacks its officers),
one login account per holder, linked to the person, so the records each post files or signs can be tried
(Order 74 Art. 142–144). Idempotent (``make run`` runs it every time): each part is skipped for a unit that
already has it."""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from jurisdictions import access
from jurisdictions.duties import Role
from jurisdictions.models import User
from personnel import rollup, rules, services
from personnel.choices import AssessmentResult, Post
from personnel.models import Appointment, Certificate, SpotAssessment, Training
from portal.kit.samples import make_id_number
from units.choices import UnitStatus
from units.management.commands.seed_demo_units import ENTERPRISES as DEMO_ENTERPRISES
from units.models import Unit
from units.services import create_enterprise_user, unit_of

# Who assesses the demo enterprises' people (附件 8: county and above): the county leader, or for 秦州区,
# which has no demo account, the city leader.
ASSESSORS = {"620102": "chengguan", "620103": "qilihe", "620502": "tianshui"}
# (which of the unit's people, days to expiry): one within 30 days, one within 90, one expired, some valid.
CERTIFICATES = ((0, 20), (0, -10), (1, 75), (1, 1100), (2, 1100), (3, 1100))
DEMO_PASSWORD = "Gansu@2026"  # noqa: S105 -- seed_demo's published demo password, README lists it
# The post each demo signing account stands for, and its username's suffix (``qiye2_fuzeren``).
SIGNING_POSTS = ((Post.PRINCIPAL, "fuzeren"), (Post.SAFETY_DIRECTOR, "zongjian"), (Post.SAFETY_OFFICER, "anquanyuan"))
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林罗高"
GIVEN = ("伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞", "平", "刚")


class Command(BaseCommand):
    help = "为演示单位登记主要负责人、安全总监和安全员（可重复执行）。"

    @transaction.atomic
    def handle(self, *args, **options):
        if not User.objects.filter(username__in=ASSESSORS.values()).exists():
            self.stderr.write("请先运行 seed_demo。")
            return
        rng = random.Random(74)
        today = timezone.localdate()
        staffed = 0
        # The sign-ups still waiting for their station (seed_demo's xinqiye1–3) take no staff yet.
        units = (Unit.objects.filter(county__code__in=["620102", "620103", "620502"])
                 .exclude(status__in=[UnitStatus.PENDING, UnitStatus.REJECTED]).order_by("id"))
        for index, unit in enumerate(units):
            if unit.people.exists():
                continue
            posts = rules.posts_for(unit.kinds)
            # Every third unit (qiye1's among them) lacks its officers, so there is something to fill in.
            if index % 3 == 0:
                posts = [p for p in posts if p not in (Post.SAFETY_OFFICER, Post.QUALITY_SAFETY_OFFICER)]
            keeper = self.keeper(unit)
            for n, post in enumerate(posts):
                birth = date(1965, 1, 1) + timedelta(days=rng.randrange(0, 365 * 30))
                services.appoint_new_person(
                    by=keeper, unit=unit, name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                    id_number=make_id_number(unit.county.code if unit.county_id else "620100", birth,
                                             rng.randrange(100, 999)),
                    phone=f"13{rng.randrange(0, 10)}{rng.randrange(0, 10**8):08d}", post=post,
                    started_on=today - timedelta(days=30 * (n + 1)))
            staffed += 1
        self.stdout.write(self.style.SUCCESS(f"已为 {staffed} 个演示单位登记人员。"))
        for username in DEMO_ENTERPRISES:
            user = User.objects.filter(username=username).first()
            unit = unit_of(user) if user else None
            if unit is not None and unit.people.exists():
                self.records(unit, user, today)
        self.stdout.write(self.style.SUCCESS("已生成演示作业人员证、培训考核记录和监督抽查考核。"))
        signers = [row for username in DEMO_ENTERPRISES for row in self.signing_accounts(username)]
        # The staffed-rate page reads the roll-up: count it now rather than at the beat's next run.
        self.stdout.write(self.style.SUCCESS(f"已重算 {rollup.refresh()} 个辖区的人员配备率。"))
        if signers:
            self.stdout.write(self.style.SUCCESS(f"演示岗位账号（密码均为 {DEMO_PASSWORD}，已关联本人）："))
            for account, post, unit in signers:
                self.stdout.write(f"  {post.label!s:6} {account.username:22} {account.display_name} {unit.name}")

    def signing_accounts(self, enterprise: str) -> list[tuple[User, Post, Unit]]:
        """One login per post holder of the enterprise's unit, made as the unit's account manager makes one and
        linked to its person; the enterprise's own account (qiye2) stays linked to nobody."""
        user = User.objects.filter(username=enterprise).first()
        unit = unit_of(user) if user else None
        if unit is None:
            return []
        holders = {}
        for appointment in (Appointment.objects.filter(unit=unit, ended_on__isnull=True)
                            .select_related("person").order_by("id")):
            holders.setdefault(appointment.post, appointment.person)
        if any(post not in holders for post, _suffix in SIGNING_POSTS):
            return []
        signers = []
        for post, suffix in SIGNING_POSTS:
            person, username = holders[post], f"{enterprise}_{suffix}"
            account = User.objects.filter(username=username).first() or create_enterprise_user(
                by=access.COMMAND_LINE, unit=unit, username=username, password=DEMO_PASSWORD,
                display_name=person.name)
            if person.account_id is None and not hasattr(account, "person"):
                services.link_account(by=access.COMMAND_LINE, person=person, account=account)
            signers.append((account, post, unit))
        return signers

    def keeper(self, unit: Unit) -> User:
        """The demo regulator entering a unit's staff as its county (or city) would on the unit's page: a
        regulator managing the unit, not the system administrator, who holds no scope over records."""
        for node_id in (unit.county_id, unit.city_id):
            user = User.objects.filter(jurisdiction_id=node_id, role=Role.LEADER).order_by("id").first()
            if user is not None:
                return user
        raise CommandError("请先运行 seed_demo。")

    def records(self, unit: Unit, user: User, today: date) -> None:
        """What the enterprise keeps (certificates, training) entered as the enterprise would, and the county's
        spot assessments as the county leader records them: a pass here, a failure at a neighbour unit."""
        people = list(unit.people.order_by("id"))
        if not Certificate.objects.filter(unit=unit).exists():
            for n, (index, days) in enumerate(CERTIFICATES):
                if index >= len(people):
                    continue
                expires = today + timedelta(days=days)
                services.add_certificate(by=user, person=people[index], item_code="A",
                                         number=f"TS6201{unit.pk:05d}{n + 1:03d}", issued_by="兰州市市场监督管理局",
                                         issued_on=expires - timedelta(days=4 * 365), expires_on=expires)
        if not Training.objects.filter(unit=unit).exists():
            services.record_training(by=user, unit=unit, held_on=today - timedelta(days=120),
                                     content="特种设备安全法律法规和岗位职责培训", hours=Decimal("4"),
                                     trainer="兰州市特种设备检验研究院 王工", passed=people)
            services.record_training(by=user, unit=unit, held_on=today - timedelta(days=15),
                                     content="电梯困人应急救援演练与考核", hours=Decimal("2.5"),
                                     trainer="本单位安全总监", passed=people[:-1], failed=people[-1:])
        assessor = User.objects.filter(username=ASSESSORS.get(unit.county.code if unit.county_id else "")).first()
        if assessor is None or SpotAssessment.objects.filter(unit=unit).exists():
            return
        services.record_assessment(by=assessor, person=people[-1], assessed_on=today - timedelta(days=10), score=92,
                                   result=AssessmentResult.PASSED, note="熟悉岗位职责和应急预案")
        neighbour = (Unit.objects.filter(county_id=unit.county_id, people__isnull=False).exclude(pk=unit.pk)
                     .order_by("id").first())
        if neighbour is not None:
            services.record_assessment(by=assessor, person=neighbour.people.order_by("id").first(),
                                       assessed_on=today - timedelta(days=8), score=45,
                                       result=AssessmentResult.FAILED, note="不熟悉日管控、周排查、月调度制度")
