import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from units.choices import RiskGrade, UnitKind, UnitStatus
from units.models import Unit


class UnitFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("名称或信用代码"))
    kind = django_filters.ChoiceFilter(choices=UnitKind.choices, method="by_kind", label=_("单位类别"))
    status = django_filters.ChoiceFilter(choices=UnitStatus.choices, label=_("状态"))
    risk_grade = django_filters.ChoiceFilter(choices=RiskGrade.choices, label=_("风险等级"))

    class Meta:
        model = Unit
        fields = ["q", "kind", "status", "risk_grade"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(uscc__startswith=value.upper())) if value else queryset

    def by_kind(self, queryset, name, value):
        return queryset.filter(kinds__contains=[value])
