"""Tables of the 周排查 and 月调度 lists. ``late`` (补录) is a badge on the page and 是/否 in a spreadsheet;
``amended`` and ``open_actions`` are annotations of the list's one query (``views_periodic``)."""

from datetime import timedelta

import django_tables2 as tables
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from inspections.routines.models import MonthlyMinutes, WeeklyReport
from portal.kit.tables import NO, SECONDARY, YES, Table


def week_label(start) -> str:
    """本周 as a reader names it: 2026年1月5日–1月11日."""
    return gettext("%(start)s–%(end)s") % {"start": formats.date_format(start),
                                            "end": formats.date_format(start + timedelta(days=6), "MONTH_DAY_FORMAT")}


def month_label(month) -> str:
    return formats.date_format(month, "YEAR_MONTH_FORMAT")


def late_badge(late: bool) -> str:
    if late:
        return format_html('<span class="badge text-bg-warning" data-testid="late-badge">{}</span>', gettext("补录"))
    return format_html('<span class="badge text-bg-light border">{}</span>', gettext("按时"))


def amended_badge(amended: bool) -> str:
    return format_html('<span class="badge text-bg-info">{}</span>', gettext("已更正")) if amended else "—"


class WeeklyReportTable(Table):
    week_start = tables.Column(linkify=True, verbose_name=_("周次"), order_by=("week_start", "id"))
    unit = tables.Column(accessor="unit__name", verbose_name=_("单位"), order_by=("unit__name", "id"))
    signer = tables.Column(accessor="signer__name", verbose_name=_("签字人（安全总监）"), orderable=False,
                           attrs=SECONDARY)
    filed_at = tables.DateTimeColumn(verbose_name=_("提交时间"), order_by=("filed_at", "id"), attrs=SECONDARY)
    late = tables.Column(verbose_name=_("按时/补录"), order_by=("late", "id"))
    amended = tables.Column(verbose_name=_("更正"), orderable=False, attrs=SECONDARY)

    class Meta:
        model = WeeklyReport
        fields = ("week_start", "unit", "signer", "filed_at", "late", "amended")
        order_by = ("-week_start", "-id")

    def render_week_start(self, value):
        return week_label(value)

    def value_week_start(self, value):
        return week_label(value)

    def render_late(self, value):
        return late_badge(value)

    def value_late(self, value):
        return str(YES if value else NO)

    def render_amended(self, value):
        return amended_badge(value)

    def value_amended(self, value):
        return str(YES if value else NO)


class MonthlyMinutesTable(Table):
    month = tables.Column(linkify=True, verbose_name=_("月份"), order_by=("month", "id"))
    unit = tables.Column(accessor="unit__name", verbose_name=_("单位"), order_by=("unit__name", "id"))
    held_at = tables.DateTimeColumn(verbose_name=_("会议时间"), order_by=("held_at", "id"), attrs=SECONDARY)
    signer = tables.Column(accessor="signer__name", verbose_name=_("主持人（主要负责人）"), orderable=False,
                           attrs=SECONDARY)
    open_actions = tables.Column(verbose_name=_("未完成决议"), orderable=False)
    late = tables.Column(verbose_name=_("按时/补录"), order_by=("late", "id"))
    amended = tables.Column(verbose_name=_("更正"), orderable=False, attrs=SECONDARY)

    class Meta:
        model = MonthlyMinutes
        fields = ("month", "unit", "held_at", "signer", "open_actions", "late", "amended")
        order_by = ("-month", "-id")

    def render_month(self, value):
        return month_label(value)

    def value_month(self, value):
        return month_label(value)

    def render_late(self, value):
        return late_badge(value)

    def value_late(self, value):
        return str(YES if value else NO)

    def render_amended(self, value):
        return amended_badge(value)

    def value_amended(self, value):
        return str(YES if value else NO)
