import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES

from inspections.supervision.choices import CertificateClass, Validity
from inspections.supervision.models import InspectorCertificate
from jurisdictions.filters import SubtreeFilter


class HolderSubtreeFilter(SubtreeFilter):
    """Certificates of the accounts bound to a node of the user's subtree: a tree range on the holder's node
    (the table is small, one row per regulator, so it needs no copied ancestor columns)."""

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        return qs.filter(holder__jurisdiction__tree_id=value.tree_id, holder__jurisdiction__lft__gte=value.lft,
                         holder__jurisdiction__rght__lte=value.rght)


class InspectorCertificateFilter(django_filters.FilterSet):
    jurisdiction = HolderSubtreeFilter()
    q = django_filters.CharFilter(method="search", label=_("姓名、用户名或证书编号"))
    certificate_class = django_filters.ChoiceFilter(choices=CertificateClass.choices, label=_("证书类别"))
    validity = django_filters.ChoiceFilter(choices=Validity.choices, method="by_validity", label=_("状态"))

    class Meta:
        model = InspectorCertificate
        fields = ["jurisdiction", "q", "certificate_class", "validity"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(holder__display_name__icontains=value) | Q(holder__username__icontains=value)
                               | Q(number__iexact=value))

    def by_validity(self, queryset, name, value):
        today = timezone.localdate()
        if value == Validity.VALID:
            return queryset.filter(issued_on__lte=today, expires_on__gte=today)
        if value == Validity.NOT_YET:
            return queryset.filter(issued_on__gt=today)
        return queryset.filter(expires_on__lt=today)
