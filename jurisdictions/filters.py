import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_filters.constants import EMPTY_VALUES

from jurisdictions import access
from jurisdictions.duties import Duty, Role
from jurisdictions.forms import JurisdictionChoiceField
from jurisdictions.models import AuditEvent, Delegation, Jurisdiction, User
from portal.kit.forms import yes_no


def _visible_nodes(request):
    if request is None or not request.user.is_authenticated:
        return Jurisdiction.objects.none()
    return access.scope(Jurisdiction.objects.all(), request.user, Duty.VIEW)


class SubtreeFilter(django_filters.ModelChoiceFilter):
    """Rows placed in a city's, county's or station's subtree, chosen with the scoped picker (never a
    whole-tree <select>, docs/access.md §Tree writes). The choice is validated against the user's own subtree, so a node
    outside it is a form error and the list answers no rows; inside it the filter is one indexed
    equality on the row's copied ancestor column (``Placed.province_id`` … ``station_id``)."""

    field_class = JurisdictionChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", _visible_nodes)
        kwargs.setdefault("label", _("所属辖区"))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        return qs.filter(**{f"{value.tier}_id": value.pk})


class SubtreeFilterSet(django_filters.FilterSet):
    """A filterset of placed rows with a ``jurisdiction`` filter for regulators. An enterprise sees one
    unit, so the filter is dropped for it rather than offering a picker that finds nothing."""

    jurisdiction = SubtreeFilter()

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        if not access.is_regulator(user):
            self.filters.pop("jurisdiction", None)


class UserFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("用户名或姓名"))
    role = django_filters.ChoiceFilter(choices=Role.choices, label=_("角色"))
    is_active = django_filters.BooleanFilter(label=pgettext_lazy("account state", "启用"), widget=yes_no())

    class Meta:
        model = User
        fields = ["q", "role", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(username__icontains=value) | Q(display_name__icontains=value)) if value else queryset


class DelegationFilter(django_filters.FilterSet):
    class Meta:
        model = Delegation
        fields = []


class AuditEventFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=AuditEvent.Kind.choices, label=_("事件"))
    username = django_filters.CharFilter(lookup_expr="iexact", label=_("用户名"))
    success = django_filters.BooleanFilter(label=_("成功"), widget=yes_no())
    since = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label=_("起始日期"))
    until = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label=_("截止日期"))

    class Meta:
        model = AuditEvent
        fields = ["kind", "username", "success", "since", "until"]
