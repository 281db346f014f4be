"""Pages of the annual plan and the campaigns (docs/domain.md §Annual plan, §Campaigns; docs/access.md lists who
opens each): the city's plans, drawing, redrawing, approving and publishing one, its PDF and its progress; the
tasks of the viewer's area and the form that marks one done; the campaigns; and the public results (一公开), the
one page here that needs no login and shows no person."""

from __future__ import annotations

from django.db.models import Count, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import ListView

from inspections.supervision import plan_services
from inspections.supervision.models import AnnualPlan, Campaign, PlanTask
from inspections.supervision.plan_choices import STRATUM_LABELS, PlanStatus, TaskResult
from inspections.supervision.plan_draw import STRATA
from inspections.supervision.plan_filters import CampaignFilter, PlanFilter, TaskFilter
from inspections.supervision.plan_forms import CampaignForm, CompleteTaskForm, PlanForm, RedrawForm
from inspections.supervision.plan_tables import CampaignTable, PlanTable, TaskTable, plan_badge
from inspections.supervision.querysets import LIVE_TASKS
from jurisdictions import access
from jurisdictions.access import REGULATORS
from jurisdictions.duties import Duty, Tier
from jurisdictions.models import Jurisdiction
from portal.kit.forms import ConfirmForm
from portal.kit.views import ConfirmActionView, ScopedDetailView, ScopedFileView, ScopedFormView, ScopedListView
from portal.kit.wording import listing
from units.choices import UnitKind
from units.models import EquipmentType

PLAN_DUTY = plan_services.PLAN_DUTY
CAMPAIGN_DUTY = plan_services.CAMPAIGN_DUTY
# Tasks a county works on: those of a published plan and those of a campaign (a draft's tasks are the city's).
NEXT_TIER = {Tier.PROVINCE: Tier.CITY, Tier.CITY: Tier.COUNTY, Tier.COUNTY: Tier.STATION}


def covering(user, path: str) -> Q:
    """Rows whose node (``path``) is the user's own or one above it: a plan published to the user's area, a
    campaign run over it."""
    node = getattr(user, "jurisdiction", None)
    if node is None:
        return Q(pk__in=[])
    return Q(**{f"{path}__tree_id": node.tree_id, f"{path}__lft__lte": node.lft, f"{path}__rght__gte": node.rght})


def progress(tasks, column: str) -> list[dict]:
    """Assigned / done / overdue per jurisdiction of ``column`` (``county``, ``station``…), one aggregate query;
    tasks placed above that tier count under their own node."""
    today = timezone.localdate()
    rows = (tasks.values(column, f"{column}__name", f"{column}__code")
            .annotate(assigned=Count("pk"), done=Count("pk", filter=Q(done_on__isnull=False)),
                      overdue=Count("pk", filter=Q(done_on__isnull=True, due_on__lt=today)))
            .order_by(f"{column}__code"))
    found = []
    for row in rows:
        assigned, done = row["assigned"], row["done"]
        found.append({"name": row[f"{column}__name"] or _("本级"), "assigned": assigned, "done": done,
                      "overdue": row["overdue"], "open": assigned - done - row["overdue"],
                      "percent": round(100 * done / assigned) if assigned else 0})
    return found


def progress_chart(rows: list[dict]) -> dict:
    """The stacked bar chart's figures (static/portal/compliance.js draws ``stacked`` data as done/open/overdue)."""
    return {"stacked": True, "labels": [r["name"] for r in rows],
            "series": [{"label": _("已完成"), "data": [r["done"] for r in rows]},
                       {"label": _("待检查"), "data": [r["open"] for r in rows]},
                       {"label": _("已逾期"), "data": [r["overdue"] for r in rows]}]}


# --- Plans --------------------------------------------------------------------------------------------

class PlanListView(ScopedListView):
    queryset = AnnualPlan.objects.select_related("jurisdiction")
    audience = REGULATORS
    table_class = PlanTable
    filterset_class = PlanFilter
    title = gettext_lazy("年度监督检查计划")
    export_name = gettext_lazy("年度监督检查计划")
    empty_hint = gettext_lazy("市级市场监管部门每年制定本行政区域的常规监督检查计划：从全部使用单位和生产、充装单位中"
                              "按风险等级随机抽取检查对象，从各县区持有效监察员证的人员中随机抽取检查人员，"
                              "审批并发布后分解到各县区。")
    create_url_name = "plans:plan_create"
    create_duty = PLAN_DUTY


class PlanVisibleMixin:
    """A plan is the city's (and the province's) while it is drafted; once published, every jurisdiction of the
    city's area opens it as well."""

    queryset = AnnualPlan.objects.select_related("jurisdiction", "created_by", "approved_by", "published_by")
    audience = REGULATORS

    def get_queryset(self):
        user = self.request.user
        return self.base_queryset().filter(access.scope_q(AnnualPlan, user, Duty.VIEW)
                                           | covering(user, "jurisdiction") & Q(status=PlanStatus.PUBLISHED))


class PlanDetailView(PlanVisibleMixin, ScopedDetailView):
    template_name = "supervision/plan_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan, user = self.object, self.request.user
        own = user.jurisdiction_id == plan.jurisdiction_id and access.can(user, PLAN_DUTY, plan.jurisdiction)
        tasks = access.scope(PlanTask.objects.filter(plan=plan), user, Duty.VIEW)
        rows = progress(tasks, "county")
        figures = (plan.pool or {}).get("strata", {})
        context.update(
            badge=plan_badge(plan), rows=rows, chart=progress_chart(rows),
            strata=[{"label": STRATUM_LABELS[s], "ratio": round(100 * float(plan.ratios.get(s, 0)), 1),
                     **figures.get(s, {"pool": 0, "drawn": 0})} for s in STRATA],
            unstaffed=(plan.pool or {}).get("unstaffed", 0),
            can_redraw=own and plan.status == PlanStatus.DRAFT,
            can_approve=own and plan.status == PlanStatus.DRAFT and user.role == "leader",
            can_publish=own and plan.status == PlanStatus.APPROVED and user.role == "leader",
            has_pdf=plan.status == PlanStatus.PUBLISHED,
        )
        return context


class PlanCreateView(ScopedFormView):
    """制定 and draw: a city's leader, for its own city."""

    duty = PLAN_DUTY
    audience = REGULATORS
    form_class = PlanForm
    title = gettext_lazy("制定年度监督检查计划")
    success_message = gettext_lazy("计划已生成并完成双随机抽取，请核对后审批。")

    def has_access(self, user) -> bool:
        node = getattr(user, "jurisdiction", None)
        return super().has_access(user) and node is not None and node.tier == Tier.CITY and access.can(
            user, PLAN_DUTY, node)

    def save(self, form):
        return plan_services.create_plan(by=self.request.user, **form.cleaned_data)


class OwnDraftMixin:
    """The plan's own city acts on it; the province reads."""

    queryset = AnnualPlan.objects.select_related("jurisdiction")
    duty = PLAN_DUTY
    audience = REGULATORS
    statuses: tuple = (PlanStatus.DRAFT,)

    def get_queryset(self):
        return super().get_queryset().filter(jurisdiction_id=self.request.user.jurisdiction_id,
                                             status__in=self.statuses)


class PlanRedrawView(OwnDraftMixin, ScopedFormView):
    form_class = RedrawForm
    title = gettext_lazy("重新抽取")
    success_message = gettext_lazy("已重新抽取。")

    def save(self, form):
        return plan_services.redraw(by=self.request.user, plan=self.object, seed=form.cleaned_data["seed"])


class PlanApproveView(OwnDraftMixin, ConfirmActionView):
    form_class = ConfirmForm
    title = gettext_lazy("审批计划")
    button = gettext_lazy("审批通过")
    danger = False
    done_message = gettext_lazy("计划已审批。")

    @property
    def question(self):
        return _("审批后抽取结果不再改变。确认审批“%(plan)s”？") % {"plan": self.object}

    def perform(self, form):
        plan_services.approve(by=self.request.user, plan=self.object)


class PlanPublishView(OwnDraftMixin, ConfirmActionView):
    statuses = (PlanStatus.APPROVED,)
    form_class = ConfirmForm
    title = gettext_lazy("发布计划")
    button = gettext_lazy("发布")
    danger = False
    done_message = gettext_lazy("计划已发布，各县区可查看本辖区的检查任务。")

    @property
    def question(self):
        return _("发布后计划锁定，检查任务下达到各县区。确认发布“%(plan)s”？") % {"plan": self.object}

    def perform(self, form):
        plan_services.publish(by=self.request.user, plan=self.object)


class PlanPdfView(PlanVisibleMixin, ScopedFileView):
    """The published plan: every task with its unit, county, inspectors and due date, and the seed and ratios —
    the file a worker rendered once after publication (``plan_documents.store``); until it is there, a page that
    says so and looks again."""

    file_field = "document"
    waiting_template = "supervision/plan_document_waiting.html"

    def get_queryset(self):
        return super().get_queryset().filter(status=PlanStatus.PUBLISHED)

    def get_filename(self, plan) -> str:
        return _("%(title)s.pdf") % {"title": plan.title}

    def get(self, request, *args, **kwargs):
        if not self.object.document:
            response = render(request, self.waiting_template, {"object": self.object}, status=202)
            response["Cache-Control"] = "private, no-store"
            return response
        return super().get(request, *args, **kwargs)


# --- Tasks --------------------------------------------------------------------------------------------

class TaskListView(ScopedListView):
    """The tasks of the viewer's area: a county its own and its stations', the city all of its plan's."""

    queryset = PlanTask.objects.filter(LIVE_TASKS).select_related(
        "unit", "county", "station", "plan", "campaign", "inspector_1", "inspector_2")
    audience = REGULATORS
    table_class = TaskTable
    filterset_class = TaskFilter
    title = gettext_lazy("监督检查任务")
    export_name = gettext_lazy("监督检查任务")
    empty_hint = gettext_lazy("市级发布的年度计划和各级组织的专项检查分解到本辖区的检查任务列在这里；"
                              "点“实施检查”在现场记录，检查完成时任务随之完成；纸质记录的检查点“登记结果”补登。")

    def get_table_kwargs(self):
        return {} if access.can(self.request.user, Duty.INSPECT) else {"exclude": ("action",)}

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        user = self.request.user
        plans = AnnualPlan.objects.filter(status=PlanStatus.PUBLISHED).filter(
            access.scope_q(AnnualPlan, user, Duty.VIEW) | covering(user, "jurisdiction")).order_by("-year")
        campaigns = Campaign.objects.filter(access.scope_q(Campaign, user, Duty.VIEW) | covering(user, "scope"))
        filterset.form.fields["plan"].queryset = plans
        filterset.form.fields["campaign"].queryset = campaigns.order_by("-id")
        return filterset


class TaskCompleteView(ScopedFormView):
    """登记检查结果 by hand, for an inspection written on paper, by whoever inspects the unit; an inspection
    recorded in the portal from the task completes it itself (``inspection_services.complete``)."""

    queryset = PlanTask.objects.filter(LIVE_TASKS, done_on__isnull=True).select_related("unit", "plan", "campaign")
    duty = Duty.INSPECT
    audience = REGULATORS
    form_class = CompleteTaskForm
    title = gettext_lazy("登记检查结果")
    success_message = gettext_lazy("检查结果已登记。")

    def save(self, form):
        return plan_services.complete_task(self.object, by=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return reverse("plans:task_list")


# --- Campaigns ----------------------------------------------------------------------------------------

class CampaignListView(ScopedListView):
    queryset = Campaign.objects.select_related("jurisdiction", "scope")
    audience = REGULATORS
    table_class = CampaignTable
    filterset_class = CampaignFilter
    title = gettext_lazy("专项监督检查")
    export_name = gettext_lazy("专项监督检查")
    empty_hint = gettext_lazy("省、市、县级市场监管部门可对本辖区的特种设备相关单位组织专项监督检查：确定范围、"
                              "检查要点和完成期限，检查任务分解到各下级辖区。")
    create_url_name = "plans:campaign_create"
    create_duty = CAMPAIGN_DUTY


class CampaignDetailView(ScopedDetailView):
    """The campaign, its checklist and its progress per jurisdiction one tier below its scope; opened by the tier
    that runs it, those above, and the jurisdictions it covers."""

    queryset = Campaign.objects.select_related("jurisdiction", "scope", "created_by")
    audience = REGULATORS
    template_name = "supervision/campaign_detail.html"

    def get_queryset(self):
        user = self.request.user
        return self.base_queryset().filter(access.scope_q(Campaign, user, Duty.VIEW) | covering(user, "scope"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign = self.object
        column = NEXT_TIER.get(campaign.scope.tier, Tier.STATION)
        rows = progress(access.scope(PlanTask.objects.filter(campaign=campaign), self.request.user, Duty.VIEW),
                        column)
        categories = dict(EquipmentType.objects.filter(code__in=campaign.categories).values_list("code", "name"))
        context.update(rows=rows, chart=progress_chart(rows), lines=campaign.checklist_lines(),
                       category_names=listing(categories.get(c, c) for c in campaign.categories),
                       kind_names=listing(UnitKind(k).label for k in campaign.unit_kinds))
        return context


class CampaignCreateView(ScopedFormView):
    duty = CAMPAIGN_DUTY
    audience = REGULATORS
    form_class = CampaignForm
    title = gettext_lazy("组织专项监督检查")
    success_message = gettext_lazy("专项检查已发起，检查任务已分解到各辖区。")

    def has_access(self, user) -> bool:
        node = getattr(user, "jurisdiction", None)
        return super().has_access(user) and node is not None and access.can(user, CAMPAIGN_DUTY, node)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def save(self, form):
        return plan_services.launch_campaign(by=self.request.user, **form.cleaned_data)


# --- 一公开 -------------------------------------------------------------------------------------------

class PublicResultsView(ListView):
    """一公开 (Order 57 Art. 8): the results of the published plans' completed inspections, for anyone."""

    template_name = "supervision/public_results.html"
    paginate_by = 50

    def get_queryset(self):
        rows = (PlanTask.objects.filter(plan__status=PlanStatus.PUBLISHED, done_on__isnull=False)
                .only("pk", "done_on", "result", "unit__name", "plan__jurisdiction__name")
                .select_related("unit", "plan__jurisdiction").order_by("-done_on", "-id"))
        city = self.request.GET.get("city", "")
        if city.isdigit():
            rows = rows.filter(city_id=int(city))
        q = self.request.GET.get("q", "").strip()
        if q:
            rows = rows.filter(unit__name__icontains=q[:100])
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            results=[{"unit": t.unit.name, "city": t.plan.jurisdiction.name, "done_on": t.done_on,
                      "result": TaskResult(t.result).label} for t in context["object_list"]],
            cities=Jurisdiction.objects.filter(pk__in=AnnualPlan.objects.filter(status=PlanStatus.PUBLISHED)
                                               .values("jurisdiction")).order_by("code").values_list("pk", "name"),
            city=self.request.GET.get("city", ""), q=self.request.GET.get("q", ""),
        )
        return context
