"""Filters of the 周排查 and 月调度 lists: the period, 补录 or not, the jurisdiction (regulators) and the unit."""

from datetime import timedelta

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inspections.routines.models import MonthlyMinutes, WeeklyReport
from jurisdictions import access
from jurisdictions.filters import SubtreeFilterSet
from portal.kit.forms import yes_no


class PeriodicFilter(SubtreeFilterSet):
    """``since``/``until`` keep every period that overlaps the range (a week starting before ``since`` but
    ending in it is kept); an enterprise sees one unit, so it gets no unit search."""

    q = django_filters.CharFilter(method="search", label=_("单位名称或信用代码"))
    since = django_filters.DateFilter(method="by_since", label=_("起始日期"))
    until = django_filters.DateFilter(method="by_until", label=_("截止日期"))
    late = django_filters.BooleanFilter(label=_("补录"), widget=yes_no())

    period_field = ""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if not access.is_regulator(getattr(request, "user", None)):
            self.filters.pop("q", None)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(unit__name__icontains=value) | Q(unit__uscc=value.upper()))

    def period_start_after(self, day):
        raise NotImplementedError

    def by_since(self, queryset, name, value):
        return queryset.filter(**{f"{self.period_field}__gte": self.period_start_after(value)}) if value else queryset

    def by_until(self, queryset, name, value):
        return queryset.filter(**{f"{self.period_field}__lte": value}) if value else queryset


class WeeklyReportFilter(PeriodicFilter):
    period_field = "week_start"

    class Meta:
        model = WeeklyReport
        fields = ["jurisdiction", "q", "since", "until", "late"]

    def period_start_after(self, day):
        return day - timedelta(days=6)


class MonthlyMinutesFilter(PeriodicFilter):
    period_field = "month"

    class Meta:
        model = MonthlyMinutes
        fields = ["jurisdiction", "q", "since", "until", "late"]

    def period_start_after(self, day):
        return day.replace(day=1)
