"""Every write of the annual plan and the campaigns (docs/domain.md §Annual plan, §Campaigns): draw → approve →
publish, a task done, a campaign launched.

Who may (jurisdictions/duties.py): a city's leader (``plan_inspections`` on its own city, 000 §二(一)(二)) draws,
redraws, approves and publishes its plan; whoever inspects a task's unit (``inspect`` over it: the county, its
station, 000 §三(一)(二), §四) marks the task done; the province, a city or a county (``special_campaigns``, 000
§一(七), §二(六), §三(五)) launches a campaign over part of its own area. Each function locks what it changes,
checks the state it starts from, and writes its audit event in the same transaction.
"""

from __future__ import annotations

import secrets
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.supervision import plan_documents, plan_draw
from inspections.supervision.models import AnnualPlan, Campaign, PlanTask
from inspections.supervision.plan_choices import PlanStatus, TaskResult
from jurisdictions import access
from jurisdictions.audit import record
from jurisdictions.duties import Duty, Role, Tier
from jurisdictions.models import AuditEvent, Jurisdiction, User
from portal.kit import outbox
from units.choices import UnitKind
from units.models import EquipmentType

PLAN_DUTY = Duty.PLAN_INSPECTIONS
CAMPAIGN_DUTY = Duty.SPECIAL_CAMPAIGNS
SEED_BELOW = 10**9  # nine digits: short enough to read out and type back


def new_seed() -> int:
    return secrets.randbelow(SEED_BELOW)


def _event(by, obj, action: str, **detail) -> None:
    record(AuditEvent.Kind.DATA_CHANGED, user=by, obj=obj, detail={"action": action, **detail})


def planning_city(by) -> Jurisdiction:
    """The city ``by`` plans for: its own node, a city, where it holds ``plan_inspections``."""
    node = getattr(by, "jurisdiction", None)
    if not access.is_regulator(by) or node is None or node.tier != Tier.CITY or not access.can(by, PLAN_DUTY, node):
        raise ValidationError(_("年度常规监督检查计划由市级市场监管部门负责人制定。"))
    return node


def _locked_plan(by, plan: AnnualPlan) -> AnnualPlan:
    plan = access.get_or_404(AnnualPlan.objects.select_for_update(of=("self",)).select_related("jurisdiction"), by,
                             PLAN_DUTY, pk=plan.pk)
    if not isinstance(by, access.System) and by.jurisdiction_id != plan.jurisdiction_id:
        raise ValidationError(_("只有制定计划的市级市场监管部门可以办理该计划。"))
    return plan


def _state_error(plan: AnnualPlan, action: str) -> ValidationError:
    return ValidationError(_("该计划当前状态为“%(status)s”，不能%(action)s。") % {
        "status": plan.get_status_display(), "action": action}, code="state")


def _check_dates(starts_on: date, ends_on: date, year: int) -> None:
    if starts_on is None or ends_on is None:
        raise ValidationError(_("请填写开始日期和完成期限。"))
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("完成期限不能早于开始日期。")})
    if starts_on.year != year:
        raise ValidationError({"starts_on": _("开始日期应在计划年度内。")})


def _draw_into(plan: AnnualPlan) -> plan_draw.Draw:
    result = plan_draw.draw(plan)
    PlanTask.objects.filter(plan=plan).delete()
    plan_draw.write_tasks(plan_id=plan.pk, drawn=result.drawn, pairs=result.pairs, due=result.due)
    plan.pool = {"strata": result.figures, "unstaffed": result.unstaffed, "tasks": len(result.drawn)}
    plan.drawn_at = timezone.now()
    return result


def create_plan(*, by: User, year: int, title: str, starts_on: date, ends_on: date,
                seed: int | None = None) -> AnnualPlan:
    """制定: a draft plan for ``by``'s city and ``year``, drawn at once with ``seed`` (a new one when none is given)
    and the ratios of the settings, both kept with it."""
    with transaction.atomic():
        city = planning_city(by)
        title = (title or "").strip() or _("%(city)s%(year)d年度特种设备常规监督检查计划") % {
            "city": city.name, "year": year}
        _check_dates(starts_on, ends_on, year)
        if AnnualPlan.objects.filter(jurisdiction=city, year=year).exists():
            raise ValidationError({"year": _("本市该年度的计划已经制定。")})
        plan = AnnualPlan(year=year, title=title[:200], starts_on=starts_on, ends_on=ends_on,
                          seed=new_seed() if seed is None else seed, ratios=plan_draw.ratios(), created_by=by)
        plan.place(city)
        plan.save()
        result = _draw_into(plan)
        plan.save(update_fields=["pool", "drawn_at"])
        _event(by, plan, "create_annual_plan", year=year, seed=plan.seed, tasks=len(result.drawn),
               unstaffed=result.unstaffed)
        return plan


def redraw(*, by: User, plan: AnnualPlan, seed: int | None = None) -> AnnualPlan:
    """重新抽取 while still a draft: the pool as it is now (certificates entered, units graded since), with ``seed``
    or a new one; the ratios are those of the settings now."""
    with transaction.atomic():
        plan = _locked_plan(by, plan)
        if plan.status != PlanStatus.DRAFT:
            raise _state_error(plan, _("重新抽取"))
        previous = plan.seed
        plan.seed = new_seed() if seed is None else seed
        plan.ratios = plan_draw.ratios()
        result = _draw_into(plan)
        plan.save(update_fields=["seed", "ratios", "pool", "drawn_at"])
        _event(by, plan, "redraw_annual_plan", previous_seed=previous, seed=plan.seed, tasks=len(result.drawn),
               unstaffed=result.unstaffed)
        return plan


def _leader(by, plan: AnnualPlan) -> None:
    if not isinstance(by, access.System) and by.role != Role.LEADER:
        raise ValidationError(_("计划须由市级市场监管部门负责人审批和发布。"))


def approve(*, by: User, plan: AnnualPlan) -> AnnualPlan:
    """审批 by the city's leader. Every task must have its two inspectors (Order 57 Art. 19): a county without two
    valid 监察员证 holders free for a unit leaves it unstaffed, and the plan is redrawn once they are entered."""
    with transaction.atomic():
        plan = _locked_plan(by, plan)
        _leader(by, plan)
        if plan.status != PlanStatus.DRAFT:
            raise _state_error(plan, _("审批"))
        unstaffed = plan.tasks.filter(inspector_1__isnull=True).count()
        if unstaffed:
            raise ValidationError(_("有 %(n)d 项任务未能抽到两名持有效监察员证的检查人员，请补录监察员证后重新抽取。")
                                  % {"n": unstaffed}, code="unstaffed")
        plan.status, plan.approved_by, plan.approved_at = PlanStatus.APPROVED, access.account(by), timezone.now()
        plan.save(update_fields=["status", "approved_by", "approved_at"])
        _event(by, plan, "approve_annual_plan", seed=plan.seed)
        return plan


def publish(*, by: User, plan: AnnualPlan) -> AnnualPlan:
    """发布: the counties see their tasks, the plan PDF is issued, and nothing of the plan changes any more."""
    with transaction.atomic():
        plan = _locked_plan(by, plan)
        _leader(by, plan)
        if plan.status != PlanStatus.APPROVED:
            raise _state_error(plan, _("发布"))
        plan.status, plan.published_by, plan.published_at = PlanStatus.PUBLISHED, access.account(by), timezone.now()
        plan.save(update_fields=["status", "published_by", "published_at"])
        _event(by, plan, "publish_annual_plan", seed=plan.seed, tasks=plan.tasks.count())
        outbox.enqueue(plan_documents.STORE_TASK, plan.pk, dedup_key=f"plan-document:{plan.pk}")
        return plan


def complete_task(task: PlanTask, *, by, done_on: date, result: str, note: str = "") -> PlanTask:
    """The task's inspection is on record: its date and result (the inspection record calls this when it is
    signed; until it exists a county marks the task done by hand). Once only, by whoever inspects the unit, for a
    published plan or a campaign, on a day between the task's start and today."""
    with transaction.atomic():
        task = access.get_or_404(PlanTask.objects.select_for_update(of=("self",)).select_related("plan", "campaign"),
                                 by, Duty.INSPECT, pk=task.pk)
        if task.plan is not None and task.plan.status != PlanStatus.PUBLISHED:
            raise ValidationError(_("计划发布后才能登记检查结果。"))
        if task.done_on is not None:
            raise ValidationError(_("该任务已于 %(day)s 完成。") % {"day": task.done_on.isoformat()}, code="state")
        if result not in TaskResult.values:
            raise ValidationError({"result": _("请选择检查结果。")})
        starts_on = task.plan.starts_on if task.plan else task.campaign.starts_on
        if done_on is None or done_on > timezone.localdate() or done_on < starts_on:
            raise ValidationError({"done_on": _("检查日期应在任务开始日期与今天之间。")})
        task.done_on, task.result, task.note = done_on, result, (note or "").strip()[:500]
        task.completed_by, task.completed_at = access.account(by), timezone.now()
        task.save(update_fields=["done_on", "result", "note", "completed_by", "completed_at"])
        _event(by, task, "complete_plan_task", plan=task.plan_id, campaign=task.campaign_id, unit=task.unit_id,
               result=result, done_on=done_on.isoformat(), late=done_on > task.due_on)
        return task


def launch_campaign(*, by: User, title: str, scope: Jurisdiction, checklist: str, deadline: date,
                    unit_kinds=(), categories=(), starts_on: date | None = None) -> Campaign:
    """组织专项监督检查 over ``scope`` (the organiser's own node or one below it): a task for each confirmed unit there
    of the given kinds with equipment of the given categories, all due by ``deadline``."""
    with transaction.atomic():
        node = getattr(by, "jurisdiction", None)
        if not access.is_regulator(by) or node is None or not access.can(by, CAMPAIGN_DUTY, node):
            raise ValidationError(_("只有组织专项监督检查的监管部门可以发起专项检查。"))
        title = (title or "").strip()
        if len(title) < 2:
            raise ValidationError({"title": _("请填写专项检查名称。")})
        if scope is None or not access.can(by, CAMPAIGN_DUTY, scope):
            raise ValidationError({"scope": _("检查范围应在本辖区内。")})
        lines = [line.strip() for line in (checklist or "").splitlines() if line.strip()]
        if not lines:
            raise ValidationError({"checklist": _("请至少填写一条检查要点。")})
        starts_on = starts_on or timezone.localdate()
        if deadline is None or deadline < starts_on:
            raise ValidationError({"deadline": _("完成期限不能早于开始日期。")})
        unit_kinds = [k for k in unit_kinds or () if k in UnitKind.values]
        categories = sorted(set(categories or ()))
        known = set(EquipmentType.objects.filter(code__in=categories, parent__isnull=True).values_list("code",
                                                                                                      flat=True))
        if set(categories) - known:
            raise ValidationError({"categories": _("请选择设备类别。")})
        pool = plan_draw.campaign_pool(scope, unit_kinds, categories)
        if not pool:
            raise ValidationError(_("检查范围内没有符合条件的单位。"))
        campaign = Campaign(title=title[:200], scope=scope, unit_kinds=unit_kinds, categories=categories,
                            checklist="\n".join(lines)[:4000], starts_on=starts_on, deadline=deadline, created_by=by)
        campaign.place(node)
        campaign.save()
        plan_draw.write_tasks(campaign_id=campaign.pk, drawn=pool, due={c.unit_id: deadline for c in pool})
        _event(by, campaign, "launch_campaign", scope=scope.pk, tasks=len(pool), deadline=deadline.isoformat())
        return campaign
