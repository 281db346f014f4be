import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inspections.supervision.directive_services import issued_by_authority
from inspections.supervision.inspection_choices import (
    DirectiveStatus,
    Disposition,
    InspectionKind,
    InspectionStatus,
    ReferralOutcome,
    ReferralStatus,
)
from inspections.supervision.models import Directive, Inspection, Referral
from jurisdictions.filters import SubtreeFilterSet
from portal.kit.forms import yes_no

DATE = {"type": "date"}


class InspectionFilter(SubtreeFilterSet):
    q = django_filters.CharFilter(method="search", label=_("单位名称或统一社会信用代码"))
    kind = django_filters.ChoiceFilter(choices=InspectionKind.choices, label=_("检查类别"))
    status = django_filters.ChoiceFilter(choices=InspectionStatus.choices, label=_("状态"))
    disposition = django_filters.ChoiceFilter(choices=Disposition.choices, label=_("处理措施"))
    since = django_filters.DateFilter(field_name="started_at", lookup_expr="date__gte", label=_("检查日期从"),
                                      widget=forms.DateInput(attrs=DATE))
    until = django_filters.DateFilter(field_name="started_at", lookup_expr="date__lte", label=_("至"),
                                      widget=forms.DateInput(attrs=DATE))

    class Meta:
        model = Inspection
        fields = ["jurisdiction", "q", "kind", "status", "disposition", "since", "until"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(unit_name__icontains=value) | Q(unit_uscc=value.upper())) if value else queryset


class DirectiveFilter(SubtreeFilterSet):
    q = django_filters.CharFilter(method="search", label=_("编号或单位名称"))
    status = django_filters.ChoiceFilter(choices=DirectiveStatus.choices, label=_("状态"))
    own = django_filters.BooleanFilter(method="by_own", label=_("本单位下达"), widget=yes_no())

    class Meta:
        model = Directive
        fields = ["jurisdiction", "q", "status", "own"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(number__icontains=value) | Q(unit__name__icontains=value)) if value else queryset

    def by_own(self, queryset, name, value):
        if value is None:
            return queryset
        own = issued_by_authority(queryset, self.request.user)
        return own if value else queryset.exclude(pk__in=own.values("pk"))


class ReferralFilter(SubtreeFilterSet):
    status = django_filters.ChoiceFilter(choices=ReferralStatus.choices, label=_("状态"))
    outcome = django_filters.ChoiceFilter(choices=ReferralOutcome.choices, label=_("处理结果"))

    class Meta:
        model = Referral
        fields = ["jurisdiction", "status", "outcome"]
