import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from inspections.supervision.models import AnnualPlan, Campaign, PlanTask
from inspections.supervision.plan_choices import PlanStatus, TaskState
from portal.kit.tables import SECONDARY, Table
from portal.kit.wording import listing

PLAN_BADGES = {PlanStatus.DRAFT: "text-bg-secondary", PlanStatus.APPROVED: "text-bg-info",
               PlanStatus.PUBLISHED: "text-bg-success"}
STATE_BADGES = {TaskState.OPEN: "text-bg-secondary", TaskState.OVERDUE: "text-bg-danger",
                TaskState.DONE: "text-bg-success"}


def plan_badge(plan: AnnualPlan) -> str:
    return format_html('<span class="badge {}" data-testid="plan-status">{}</span>',
                       PLAN_BADGES.get(plan.status, "text-bg-secondary"), plan.get_status_display())


def task_state(task: PlanTask) -> str:
    if task.done_on is not None:
        return TaskState.DONE
    return TaskState.OVERDUE if task.due_on < timezone.localdate() else TaskState.OPEN


def person(user) -> str:
    return (user.display_name or user.username) if user is not None else ""


class PlanTable(Table):
    title = tables.Column(linkify=True, verbose_name=_("计划名称"))
    year = tables.Column(verbose_name=_("年度"))
    jurisdiction = tables.Column(accessor="jurisdiction__name", verbose_name=_("制定单位"),
                                 order_by=("jurisdiction__code",))
    seed = tables.Column(verbose_name=_("随机种子"), attrs=SECONDARY)
    ends_on = tables.DateColumn(verbose_name=_("完成期限"))
    status = tables.Column(verbose_name=_("状态"))

    class Meta:
        model = AnnualPlan
        fields = ("title", "year", "jurisdiction", "seed", "ends_on", "status")
        order_by = ("-year", "-id")

    def render_status(self, record):
        return plan_badge(record)

    def value_status(self, record):
        return record.get_status_display()


class TaskTable(Table):
    unit = tables.Column(accessor="unit__name", verbose_name=_("被检查单位"), order_by=("unit__name", "id"))
    county = tables.Column(accessor="county__name", verbose_name=_("县（区）"), order_by=("county__code", "id"),
                           default="")
    station = tables.Column(accessor="station__name", verbose_name=_("市场监管所"), attrs=SECONDARY, default="",
                            orderable=False)
    source = tables.Column(verbose_name=_("任务来源"), empty_values=(), orderable=False)
    grade = tables.Column(verbose_name=_("风险等级"), attrs=SECONDARY)
    inspectors = tables.Column(verbose_name=_("检查人员"), empty_values=(), orderable=False)
    due_on = tables.DateColumn(verbose_name=_("完成期限"), order_by=("due_on", "id"))
    state = tables.Column(verbose_name=_("状态"), empty_values=(), orderable=False)
    result = tables.Column(verbose_name=_("检查结果"), attrs=SECONDARY)
    action = tables.Column(verbose_name=_("操作"), empty_values=(), orderable=False, accessor="pk")

    export_exclude = ("action",)

    class Meta:
        model = PlanTask
        fields = ("unit", "county", "station", "source", "grade", "inspectors", "due_on", "state", "result",
                  "action")
        order_by = ("due_on", "id")

    def render_source(self, record):
        return record.plan.title if record.plan_id else record.campaign.title

    def value_source(self, record):
        return self.render_source(record)

    def render_grade(self, value, record):
        return f"{value}★" if record.key else value

    def value_grade(self, value, record):
        return self.render_grade(value, record)

    def render_inspectors(self, record):
        return listing(p for p in (person(record.inspector_1), person(record.inspector_2)) if p)

    def value_inspectors(self, record):
        return self.render_inspectors(record)

    def render_state(self, record):
        state = task_state(record)
        return format_html('<span class="badge {}">{}</span>', STATE_BADGES[state], TaskState(state).label)

    def value_state(self, record):
        return TaskState(task_state(record)).label

    def render_action(self, value, record):
        if record.done_on is not None:
            return ""
        return format_html('<a href="{}?task={}" data-testid="inspect-task">{}</a> · '
                           '<a href="{}" data-testid="complete-task">{}</a>',
                           reverse("inspections:inspection_create", args=[record.unit_id]), value,
                           gettext("实施检查"), reverse("plans:task_complete", args=[value]), gettext("登记结果"))


class CampaignTable(Table):
    title = tables.Column(linkify=True, verbose_name=_("专项检查名称"))
    jurisdiction = tables.Column(accessor="jurisdiction__name", verbose_name=_("组织单位"),
                                 order_by=("jurisdiction__code",))
    scope = tables.Column(accessor="scope__name", verbose_name=_("检查范围"), orderable=False)
    starts_on = tables.DateColumn(verbose_name=_("开始日期"), attrs=SECONDARY)
    deadline = tables.DateColumn(verbose_name=_("完成期限"))

    class Meta:
        model = Campaign
        fields = ("title", "jurisdiction", "scope", "starts_on", "deadline")
        order_by = ("-id",)
