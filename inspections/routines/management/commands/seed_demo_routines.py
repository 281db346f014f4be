"""Demo risk control lists: each demo enterprise's unit starts from the templates of its equipment, as an
enterprise would with 从模板生成, so the list page and its version history have something to show; then six
weeks of self-check records where the posts are filled (``inspections.routines.demo``).
Idempotent (``make run`` runs it every time): a unit that already has a list is skipped."""

import random

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.db import transaction

from inspections.routines import demo, services
from jurisdictions.models import User
from units.management.commands.seed_demo_units import ENTERPRISES as DEMO_ENTERPRISES
from units.services import unit_of


class Command(BaseCommand):
    help = "为演示企业按设备类别从模板生成安全风险管控清单（可重复执行）。"

    @transaction.atomic
    def handle(self, *args, **options):
        made = 0
        for user in User.objects.filter(username__in=DEMO_ENTERPRISES).order_by("username"):
            unit = unit_of(user)
            if unit is None or services.current_version(unit) is not None:
                continue
            try:
                services.generate_from_templates(by=user, unit=unit)
            except ValidationError as exc:  # a unit without equipment has no template to start from
                self.stdout.write(f"{unit.name}：{'；'.join(exc.messages)}")
                continue
            made += 1
        self.stdout.write(self.style.SUCCESS(f"演示安全风险管控清单：新生成 {made} 份。"))
        rng, checks = random.Random(142), 0
        for user in User.objects.filter(username__in=DEMO_ENTERPRISES).order_by("username"):
            unit = unit_of(user)
            if unit is not None and services.current_version(unit) is not None:
                checks += demo.seed_history(unit, user, rng)
        self.stdout.write(self.style.SUCCESS(f"演示日管控、周排查、月调度记录：新生成每日检查 {checks} 条。"))
