from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jurisdictions.filters import SubtreeFilterSet
from personnel import querysets, services
from personnel.choices import AssessmentResult, Post
from personnel.models import Certificate, Person, SpotAssessment, Training
from portal.kit.forms import yes_no
from portal.kit.identifiers import normalize_id_number
from units.filters import UnitFilter
from units.models import Unit


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("姓名或完整身份证号码"))
    idx = django_filters.CharFilter(field_name="id_digest", widget=forms.HiddenInput)
    post = django_filters.ChoiceFilter(choices=Post.choices, method="by_post", label=_("现任职务"))
    assessment_failed = django_filters.BooleanFilter(label=_("考核不合格"), widget=yes_no())

    class Meta:
        model = Person
        fields = ["q", "idx", "post", "assessment_failed"]

    def search(self, queryset, name, value):
        """A full 18-character ID number is looked up through its blind index; anything else by name.
        Partial ID numbers cannot be searched: the database does not hold them."""
        value = value.strip()
        if len(normalize_id_number(value)) == 18:
            return services.with_id_number(queryset, value)
        return queryset.filter(name__icontains=value) if value else queryset

    def by_post(self, queryset, name, value):
        return queryset.filter(appointments__post=value, appointments__ended_on__isnull=True).distinct()


class UnstaffedUnitFilter(SubtreeFilterSet):
    q = django_filters.CharFilter(method="search", label=_("名称或信用代码"))
    missing = django_filters.ChoiceFilter(choices=Post.choices, method="by_missing", label=_("缺少职务"))
    unstaffed = django_filters.BooleanFilter(method="by_unstaffed", label=_("未配齐"), widget=yes_no())
    flagged = django_filters.BooleanFilter(field_name="staffing__flagged", label=_("考核不合格在岗"), widget=yes_no())

    class Meta:
        model = Unit
        fields = ["jurisdiction", "q", "missing", "unstaffed", "flagged"]

    search = UnitFilter.search

    def by_missing(self, queryset, name, value):
        return queryset.filter(querysets.missing_q(value))

    def by_unstaffed(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.exclude(querysets.staffed_q()) if value else queryset.filter(querysets.staffed_q())


class CertificateFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("姓名或证书编号"))
    expiring = django_filters.ChoiceFilter(
        choices=[("30", _("30 天内到期")), ("90", _("90 天内到期")), ("expired", _("已过期"))],
        method="by_expiry", label=_("有效期"))

    class Meta:
        model = Certificate
        fields = ["q", "expiring"]

    def search(self, queryset, name, value):
        """A certificate number matches whole only: it is often the holder's ID number, and a
        substring search would let anyone test the masked digits one guess at a time."""
        value = value.strip()
        return queryset.filter(Q(person__name__icontains=value) | Q(number__iexact=value)) if value else queryset

    def by_expiry(self, queryset, name, value):
        today = timezone.localdate()
        if value == "expired":
            return queryset.filter(expires_on__lt=today)
        return queryset.filter(expires_on__gte=today, expires_on__lte=today + timedelta(days=int(value)))


class AssessmentFilter(django_filters.FilterSet):
    result = django_filters.ChoiceFilter(choices=AssessmentResult.choices, label=_("结果"))
    q = django_filters.CharFilter(field_name="person__name", lookup_expr="icontains", label=_("姓名"))

    class Meta:
        model = SpotAssessment
        fields = ["q", "result"]


class TrainingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("培训内容或单位"))
    held_after = django_filters.DateFilter(field_name="held_on", lookup_expr="gte", label=_("培训日期自"))

    class Meta:
        model = Training
        fields = ["q", "held_after"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(content__icontains=value) | Q(unit__name__icontains=value)) if value else queryset
