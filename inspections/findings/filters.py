import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inspections.findings.choices import HazardLevel, Origin, Status
from inspections.findings.models import Finding
from jurisdictions.filters import SubtreeFilterSet
from portal.kit.forms import yes_no


class FindingFilter(SubtreeFilterSet):
    q = django_filters.CharFilter(method="search", label=_("单位名称或信用代码"))
    status = django_filters.ChoiceFilter(choices=Status.choices, label=_("状态"))
    overdue = django_filters.BooleanFilter(method="by_overdue", label=_("已逾期"), widget=yes_no())
    hazard_level = django_filters.ChoiceFilter(choices=HazardLevel.choices, label=_("隐患级别"))
    origin = django_filters.ChoiceFilter(choices=Origin.choices, label=_("来源"))

    class Meta:
        model = Finding
        fields = ["jurisdiction", "q", "status", "overdue", "hazard_level", "origin"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(unit__name__icontains=value) | Q(unit__uscc=value.upper()))

    def by_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.overdue() if value else queryset.not_overdue()
