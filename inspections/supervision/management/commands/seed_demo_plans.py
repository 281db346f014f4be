"""Demo plan data (``make run``, after ``seed_demo_supervision``): a second 七里河区 inspector with a 监察员证 (so both
demo counties can field a pair), then 兰州市's annual routine plan for this year drawn with a fixed seed, approved
and published by the city's leader; a third of its tasks done by the counties (so the progress chart, the overdue
counts and the public results page have something to show); and a 城关区 campaign on elevators. Entered through the
plan services. Idempotent: a plan, campaign or account already there is left as it is."""

import random
from datetime import date, timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from inspections.supervision import plan_services, services
from inspections.supervision.models import AnnualPlan, Campaign, InspectorCertificate
from inspections.supervision.plan_choices import TaskResult
from jurisdictions import access
from jurisdictions.duties import Role
from jurisdictions.models import Jurisdiction, User
from jurisdictions.services import create_regulator

DEMO_PASSWORD = "Gansu@2026"  # noqa: S105 -- seed_demo's published demo password, README lists it
SEED = 20260101
INSPECTOR = ("qilihe_jcy", "七里河区局监察员", "620103", "TSJ-B-620103-0002")
DONERS = {"620102": "chengguan", "620103": "qilihe"}
CAMPAIGN = ("城关区电梯安全专项检查", "620102", "chengguan", ["3000"],
            "维护保养记录是否齐全\n应急救援演练是否按期开展\n安全管理员是否在岗\n定期检验是否在有效期内")
RESULTS = [TaskResult.NO_PROBLEM, TaskResult.NO_PROBLEM, TaskResult.RECTIFY, TaskResult.OTHER]


class Command(BaseCommand):
    help = "生成兰州市本年度“双随机”监督检查计划（已发布，部分任务已完成）和一项专项检查（可重复执行）。"

    @transaction.atomic
    def handle(self, *args, **options):
        today = timezone.localdate()
        leader = User.objects.filter(username="lanzhou").first()
        if leader is None:
            self.stdout.write("未找到演示账号 lanzhou，跳过。")
            return
        username, name, code, number = INSPECTOR
        inspector = User.objects.filter(username=username).first() or create_regulator(
            by=access.COMMAND_LINE, username=username, password=DEMO_PASSWORD, display_name=name,
            jurisdiction=Jurisdiction.objects.get(code=code), role=Role.INSPECTOR)
        if not InspectorCertificate.objects.filter(number=number).exists():
            services.add_certificate(by=access.COMMAND_LINE, holder=inspector, number=number, certificate_class="B",
                                     issued_by="甘肃省市场监督管理局", issued_on=today - timedelta(days=500),
                                     expires_on=today + timedelta(days=1325))
        year = today.year
        plan = AnnualPlan.objects.filter(jurisdiction=leader.jurisdiction, year=year).first()
        done = 0
        if plan is None:
            plan = plan_services.create_plan(by=leader, year=year, title="", starts_on=date(year, 1, 1),
                                             ends_on=date(year, 12, 15), seed=SEED)
            if plan.pool.get("unstaffed"):
                self.stdout.write(f"计划中有 {plan.pool['unstaffed']} 项任务未配齐检查人员，保留为草稿。")
            else:
                plan_services.approve(by=leader, plan=plan)
                plan = plan_services.publish(by=leader, plan=plan)
                done = self._complete_some(plan, today)
        made_campaign = self._campaign(today)
        self.stdout.write(self.style.SUCCESS(
            f"演示检查计划：{plan.title}（{plan.get_status_display()}，种子 {plan.seed}，任务 {plan.tasks.count()} 项，"
            f"本次登记完成 {done} 项）；专项检查{'已新建' if made_campaign else '已存在'}。"))

    def _complete_some(self, plan, today) -> int:
        rng = random.Random(plan.seed)
        doers = {code: User.objects.filter(username=u).first() for code, u in DONERS.items()}
        done = 0
        for n, task in enumerate(plan.tasks.select_related("county").order_by("due_on", "unit_id")):
            doer = doers.get(task.county.code if task.county else "")
            if doer is None or n % 3:
                continue
            day = min(today, task.due_on - timedelta(days=rng.randrange(0, 40)))
            plan_services.complete_task(task, by=doer, done_on=max(day, plan.starts_on), result=RESULTS[n % 4])
            done += 1
        return done

    def _campaign(self, today) -> bool:
        title, scope, organiser, categories, checklist = CAMPAIGN
        by = User.objects.filter(username=organiser).first()
        if by is None or Campaign.objects.filter(title=title).exists():
            return False
        plan_services.launch_campaign(by=by, title=title, scope=Jurisdiction.objects.get(code=scope),
                                      checklist=checklist, deadline=today + timedelta(days=30), categories=categories)
        return True
