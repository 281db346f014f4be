import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inspections.supervision.models import AnnualPlan, Campaign, PlanTask
from inspections.supervision.plan_choices import PlanStatus, TaskResult, TaskState, task_state_q
from jurisdictions.filters import SubtreeFilterSet
from units.choices import RiskGrade


class PlanFilter(SubtreeFilterSet):
    year = django_filters.NumberFilter(label=_("年度"))
    status = django_filters.ChoiceFilter(choices=PlanStatus.choices, label=_("状态"))

    class Meta:
        model = AnnualPlan
        fields = ["jurisdiction", "year", "status"]


class TaskFilter(SubtreeFilterSet):
    """The tasks of the subtree: by plan or campaign, state (open / overdue / done), grade, result and unit."""

    q = django_filters.CharFilter(field_name="unit__name", lookup_expr="icontains", label=_("单位名称"))
    plan = django_filters.ModelChoiceFilter(queryset=AnnualPlan.objects.filter(status=PlanStatus.PUBLISHED),
                                            label=_("年度计划"))
    campaign = django_filters.ModelChoiceFilter(queryset=Campaign.objects.all(), label=_("专项检查"))
    state = django_filters.ChoiceFilter(choices=TaskState.choices, method="by_state", label=_("状态"))
    grade = django_filters.ChoiceFilter(choices=RiskGrade.choices, label=_("风险等级"))
    result = django_filters.ChoiceFilter(choices=TaskResult.choices, label=_("检查结果"))

    class Meta:
        model = PlanTask
        fields = ["jurisdiction", "q", "plan", "campaign", "state", "grade", "result"]

    def by_state(self, queryset, name, value):
        return queryset.filter(task_state_q(value, timezone.localdate())) if value else queryset


class CampaignFilter(SubtreeFilterSet):
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("名称"))

    class Meta:
        model = Campaign
        fields = ["jurisdiction", "q"]
