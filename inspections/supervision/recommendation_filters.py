import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inspections.supervision.models import Recommendation
from inspections.supervision.recommendation_choices import STAGES, Kind, Stage, Status
from inspections.supervision.recommendation_services import handled_by
from jurisdictions.filters import SubtreeFilterSet
from portal.kit.forms import yes_no


class RecommendationFilter(SubtreeFilterSet):
    """How the instruments are handled across the subtree: by kind, state, overdue, jurisdiction (000 §五(三))."""

    q = django_filters.CharFilter(method="search", label=_("文号、发文机关或案件名称"))
    kind = django_filters.ChoiceFilter(choices=Kind.choices, label=_("类别"))
    status = django_filters.ChoiceFilter(choices=Status.choices, label=_("状态"))
    stage = django_filters.ChoiceFilter(choices=Stage.choices, method="by_stage", label=_("办理环节"))
    overdue = django_filters.BooleanFilter(method="by_overdue", label=_("逾期未回复"), widget=yes_no())
    own = django_filters.BooleanFilter(method="by_own", label=_("本单位承办"), widget=yes_no())

    class Meta:
        model = Recommendation
        fields = ["jurisdiction", "q", "kind", "status", "stage", "overdue", "own"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(document_number__icontains=value) | Q(issuer__icontains=value)
                               | Q(case_name__icontains=value))

    def by_stage(self, queryset, name, value):
        return queryset.filter(STAGES[value]) if value else queryset

    def by_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.overdue() if value else queryset.not_overdue()

    def by_own(self, queryset, name, value):
        if value is None:
            return queryset
        own = handled_by(queryset, self.request.user)
        return own if value else queryset.exclude(pk__in=own.values("pk"))
