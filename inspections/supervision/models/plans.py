"""The city's annual routine inspection plan and the special campaigns of any tier, with the tasks both split into
(docs/domain.md §Annual plan, §Campaigns; Order 57 Art. 7–9; 000 §二(一)(二), §三(一)(二), §一(七), §二(六), §三(五)).

A plan lives at its city, a campaign at the tier that runs it; each task lives where its unit does (usually a
station), so the unit's station, county and city see it by one indexed column and a sibling does not.
"""

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inspections.supervision.plan_choices import PlanStatus, TaskResult
from jurisdictions.models import Jurisdiction, Placed, tier_indexes
from portal.kit.models import generated_name
from units.choices import UnitKind
from units.models import Unit


def plan_document_path(instance, filename):
    return generated_name("plans", ".pdf")


@pghistory.track()
class AnnualPlan(Placed):
    """年度常规监督检查计划 of one city for one year: the 双随机 draw (``plan_draw``) with its seed and ratios kept, so
    the sample can be drawn again and checked; approved by the city's leader and published, after which nothing of
    it changes."""

    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("计划名称"), max_length=200)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("完成期限"))
    seed = models.BigIntegerField(_("随机种子"))
    ratios = models.JSONField(_("抽查比例"), default=dict)
    # Per stratum (grade or key): units in the pool and units drawn, as the draw found them.
    pool = models.JSONField(_("抽查对象库"), default=dict)
    status = models.CharField(_("状态"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    drawn_at = models.DateTimeField(_("抽取时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("制定人"))
    created_at = models.DateTimeField(_("制定时间"), default=timezone.now)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("审批人"))
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("发布人"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    # The published plan's PDF, rendered once by a worker after publication (``plan_documents.store``): the plan
    # does not change once published, and a big city's runs to hundreds of pages.
    document = models.FileField(_("计划文本"), upload_to=plan_document_path, blank=True)

    class Meta:
        verbose_name = _("年度监督检查计划")
        verbose_name_plural = _("年度监督检查计划")
        indexes = tier_indexes("annualplan", "-year")
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "year"], name="annualplan_one_per_city_year"),
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")),
                                   name="annualplan_ends_after_start"),
            models.CheckConstraint(condition=models.Q(status=PlanStatus.DRAFT) | models.Q(approved_at__isnull=False),
                                   name="annualplan_approved_has_time"),
            models.CheckConstraint(condition=~models.Q(status=PlanStatus.PUBLISHED)
                                   | models.Q(published_at__isnull=False), name="annualplan_published_has_time"),
        ]
        triggers = [pgtrigger.Protect(name="annualplan_never_deleted", operation=pgtrigger.Delete)]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("plans:plan_detail", args=[self.pk])

    @property
    def is_locked(self) -> bool:
        return self.status == PlanStatus.PUBLISHED


@pghistory.track()
class Campaign(Placed):
    """专项监督检查 by a province, city or county over part of its own area: the units in ``scope`` of the given
    kinds, and with equipment of the given categories, each get a task due by the deadline."""

    title = models.CharField(_("专项检查名称"), max_length=200)
    scope = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name=_("检查范围"))
    unit_kinds = ArrayField(models.CharField(max_length=16, choices=UnitKind.choices), default=list, blank=True,
                            verbose_name=_("单位类别"))
    categories = ArrayField(models.CharField(max_length=4), default=list, blank=True, verbose_name=_("设备类别"))
    checklist = models.TextField(_("检查要点"), max_length=4000)
    starts_on = models.DateField(_("开始日期"), default=timezone.localdate)
    deadline = models.DateField(_("完成期限"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("组织人"))
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("专项监督检查")
        verbose_name_plural = _("专项监督检查")
        indexes = tier_indexes("campaign", "-id")
        triggers = [pgtrigger.Protect(name="campaign_never_deleted", operation=pgtrigger.Delete)]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("plans:campaign_detail", args=[self.pk])

    def checklist_lines(self) -> list[str]:
        return [line.strip() for line in self.checklist.splitlines() if line.strip()]


class PlanTask(Placed):
    """One unit to inspect, under a plan (with the inspector pair drawn for it) or a campaign, due by ``due_on``;
    done once the inspection is on record (``plan_services.complete_task``)."""

    plan = models.ForeignKey(AnnualPlan, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks",
                             verbose_name=_("年度计划"))
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks",
                                 verbose_name=_("专项检查"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("被检查单位"))
    grade = models.CharField(_("风险等级"), max_length=1, blank=True)
    key = models.BooleanField(_("重点单位"), default=False)
    inspector_1 = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("检查人员"))
    inspector_2 = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("检查人员"))
    due_on = models.DateField(_("完成期限"))
    done_on = models.DateField(_("检查日期"), null=True, blank=True)
    result = models.CharField(_("检查结果"), max_length=16, choices=TaskResult.choices, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("登记人"))
    completed_at = models.DateTimeField(_("登记时间"), null=True, blank=True)

    unit_path = "unit"

    class Meta:
        verbose_name = _("检查任务")
        verbose_name_plural = _("检查任务")
        indexes = [
            *tier_indexes("plantask", "-id"),
            models.Index(fields=["plan", "county"], name="plantask_plan_county_idx"),
            models.Index(fields=["campaign"], name="plantask_campaign_idx"),
            models.Index(fields=["inspector_1"], name="plantask_inspector_1_idx"),
            models.Index(fields=["inspector_2"], name="plantask_inspector_2_idx"),
            models.Index(fields=["done_on"], name="plantask_done_idx", condition=models.Q(done_on__isnull=False)),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(plan__isnull=False, campaign__isnull=True)
                                   | models.Q(plan__isnull=True, campaign__isnull=False),
                                   name="plantask_plan_or_campaign"),
            models.UniqueConstraint(fields=["plan", "unit"], name="plantask_unit_once_per_plan"),
            models.UniqueConstraint(fields=["campaign", "unit"], name="plantask_unit_once_per_campaign"),
            models.CheckConstraint(condition=models.Q(done_on__isnull=True) | ~models.Q(result=""),
                                   name="plantask_done_has_result"),
            # Order 57 Art. 19: two inspectors, or none yet.
            models.CheckConstraint(condition=models.Q(inspector_1__isnull=True, inspector_2__isnull=True)
                                   | models.Q(inspector_1__isnull=False, inspector_2__isnull=False)
                                   & ~models.Q(inspector_1=models.F("inspector_2")),
                                   name="plantask_two_inspectors"),
        ]

    def __str__(self):
        return f"{self.unit_id}@{self.plan_id or self.campaign_id}"

    def get_absolute_url(self):
        return reverse("plans:task_complete", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return self.done_on is None and self.due_on < timezone.localdate()
