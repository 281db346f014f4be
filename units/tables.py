import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from units.models import Unit


class UnitTable(tables.Table):
    name = tables.Column(linkify=True, verbose_name=_("单位名称"))
    uscc = tables.Column(verbose_name=_("统一社会信用代码"))
    kinds = tables.Column(verbose_name=_("单位类别"), orderable=False, accessor="get_kinds_display")
    jurisdiction = tables.Column(
        verbose_name=_("所属辖区"), accessor="jurisdiction__name", order_by=("jurisdiction__code",)
    )
    status = tables.Column(verbose_name=_("状态"))
    risk_grade = tables.Column(verbose_name=_("风险等级"))

    class Meta:
        model = Unit
        fields = ("name", "uscc", "kinds", "jurisdiction", "status", "risk_grade")
        order_by = ("name",)
