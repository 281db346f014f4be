import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jurisdictions.duties import Role
from jurisdictions.models import AuditEvent, Delegation, User


class UserFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("用户名或姓名"))
    role = django_filters.ChoiceFilter(choices=Role.choices, label=_("角色"))
    is_active = django_filters.BooleanFilter(label=_("启用"))

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
    success = django_filters.BooleanFilter(label=_("成功"))
    since = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label=_("起始日期"))
    until = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label=_("截止日期"))

    class Meta:
        model = AuditEvent
        fields = ["kind", "username", "success", "since", "until"]
