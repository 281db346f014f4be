"""Demo staff for the demo units of ``seed_demo``: most units staffed, some short of a post, so the
staffed-rate page and the enterprise's own page have something to show. Idempotent."""

import random
from datetime import date, timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from jurisdictions.duties import Role, Tier
from jurisdictions.models import User
from personnel import rules, services
from personnel.choices import Post
from portal.kit.samples import make_id_number
from units.models import Unit

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林罗高"
GIVEN = ("伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞", "平", "刚")


class Command(BaseCommand):
    help = "为演示单位登记主要负责人、安全总监和安全员（可重复执行）。"

    @transaction.atomic
    def handle(self, *args, **options):
        # The province leader of seed_demo enters them: the superuser holds no scope (docs/accounts.md).
        system = User.objects.filter(role=Role.LEADER, jurisdiction__tier=Tier.PROVINCE).order_by("id").first()
        if system is None:
            self.stderr.write("请先运行 seed_demo。")
            return
        rng = random.Random(74)
        today = timezone.localdate()
        staffed = 0
        units = Unit.objects.filter(county__code__in=["620102", "620103", "620502"]).order_by("id")
        for index, unit in enumerate(units):
            if unit.people.exists():
                continue
            posts = rules.posts_for(unit.kinds)
            # Every third unit (qiye1's among them) lacks its officers, so there is something to fill in.
            if index % 3 == 0:
                posts = [p for p in posts if p not in (Post.SAFETY_OFFICER, Post.QUALITY_SAFETY_OFFICER)]
            for n, post in enumerate(posts):
                birth = date(1965, 1, 1) + timedelta(days=rng.randrange(0, 365 * 30))
                services.appoint_new_person(
                    by=system, unit=unit, name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                    id_number=make_id_number(unit.county.code if unit.county_id else "620100", birth,
                                             rng.randrange(100, 999)),
                    phone=f"13{rng.randrange(0, 10)}{rng.randrange(0, 10**8):08d}", post=post,
                    started_on=today - timedelta(days=30 * (n + 1)))
            staffed += 1
        self.stdout.write(self.style.SUCCESS(f"已为 {staffed} 个演示单位登记人员。"))
