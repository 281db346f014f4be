import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jurisdictions.filters import SubtreeFilterSet
from units.choices import (
    SUPERVISED_STATUSES,
    ApplicationKind,
    ApplicationStatus,
    EquipmentStatus,
    NotificationKind,
    NotificationStatus,
    RiskGrade,
    UnitKind,
    UnitStatus,
)
from units.models import Application, Equipment, EquipmentType, Unit, WorkNotification


class UnitFilter(SubtreeFilterSet):
    q = django_filters.CharFilter(method="search", label=_("名称或信用代码"))
    kind = django_filters.ChoiceFilter(choices=UnitKind.choices, method="by_kind", label=_("单位类别"))
    status = django_filters.ChoiceFilter(choices=UnitStatus.choices, label=_("状态"))
    risk_grade = django_filters.ChoiceFilter(choices=RiskGrade.choices, label=_("风险等级"))
    supervised = django_filters.BooleanFilter(method="by_supervised", widget=forms.HiddenInput)

    class Meta:
        model = Unit
        fields = ["jurisdiction", "q", "kind", "status", "risk_grade", "supervised"]

    def by_supervised(self, queryset, name, value):
        return queryset.filter(status__in=SUPERVISED_STATUSES) if value else queryset

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(uscc__startswith=value.upper())) if value else queryset

    def by_kind(self, queryset, name, value):
        return queryset.filter(kinds__contains=[value])


class PendingUnitFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("名称或信用代码"))
    kind = django_filters.ChoiceFilter(choices=UnitKind.choices, method="by_kind", label=_("单位类别"))

    class Meta:
        model = Unit
        fields = ["q", "kind"]

    search = UnitFilter.search
    by_kind = UnitFilter.by_kind


def _categories(request):
    return EquipmentType.objects.filter(parent__isnull=True).order_by("code")


class InspectionDueFilter(SubtreeFilterSet):
    category = django_filters.ModelChoiceFilter(queryset=_categories, label=_("设备类别"), empty_label=_("全部"))
    q = django_filters.CharFilter(method="search", label=_("设备代码、出厂编号或单位名称"))

    class Meta:
        model = Equipment
        fields = ["jurisdiction", "category", "q"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__startswith=value.upper().replace(" ", "")) | Q(factory_number__icontains=value)
                               | Q(unit__name__icontains=value))


class EquipmentFilter(InspectionDueFilter):
    status = django_filters.ChoiceFilter(choices=EquipmentStatus.choices, label=_("状态"), empty_label=_("全部"))

    class Meta:
        model = Equipment
        fields = ["jurisdiction", "category", "status", "q"]


class ApplicationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ApplicationStatus.choices, label=_("状态"), empty_label=_("全部"))
    kind = django_filters.ChoiceFilter(choices=ApplicationKind.choices, label=_("申请类型"), empty_label=_("全部"))
    q = django_filters.CharFilter(method="search", label=_("单位名称或信用代码"))

    class Meta:
        model = Application
        fields = ["status", "kind", "q"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(unit__name__icontains=value) | Q(unit__uscc__startswith=value.upper()))


class NotificationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=NotificationStatus.choices, label=_("状态"), empty_label=_("全部"))
    kind = django_filters.ChoiceFilter(choices=NotificationKind.choices, label=_("告知类型"), empty_label=_("全部"))
    q = django_filters.CharFilter(method="search", label=_("施工单位或使用单位"))

    class Meta:
        model = WorkNotification
        fields = ["status", "kind", "q"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(notifier__name__icontains=value) | Q(site_unit__name__icontains=value))
