"""Pages of compliance (docs/domain.md §Compliance): the regulators' rates for a jurisdiction's subtree with its
trend, children and the units that fell short; the enterprise's month calendar; the exemptions — a unit's own
(with the form for a 临时停用) and a regulator's subtree's.

The regulators' pages read only the roll-up's tables (``compliance.node_month``: a constant number of queries
whatever the subtree) and one page of unit rows on a tier index; the calendar reads one unit's month through
``expected.ledger``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import django_filters
import django_tables2 as tables
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import F, Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from inspections.routines import compliance, expected
from inspections.routines.choices import ExemptionKind
from inspections.routines.models import DailyCheck, Exemption, MonthlyMinutes, UnitMonthCompliance, WeeklyReport
from jurisdictions import access
from jurisdictions.duties import Duty
from jurisdictions.filters import SubtreeFilterSet
from jurisdictions.models import Jurisdiction
from portal.kit.forms import style_widgets, yes_no
from portal.kit.tables import SECONDARY, CappedPaginator, Table
from portal.kit.views import ObjectMixin, ScopedFormView, ScopedListView, ScopedMixin
from portal.kit.wording import label_separator, noted
from units.models import Equipment, Unit
from units.services import unit_of

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONTHS_SHOWN = 12
# The oldest month a page offers: Orders 73 and 74, which require the three records, took effect 2023-05-05.
FIRST_MONTH = date(2023, 5, 1)


def month_of_request(request, *, default: date | None = None) -> date:
    """``?month=YYYY-MM`` as the month's first day: this month when absent or unreadable, never after it."""
    this = compliance.month_start(timezone.localdate())
    value = request.GET.get("month", "")
    try:
        month = date.fromisoformat(f"{value}-01")
    except ValueError:
        return default or this
    return min(max(month, FIRST_MONTH), this)


def recent_months(n: int = MONTHS_SHOWN) -> list[date]:
    months = [compliance.month_start(timezone.localdate())]
    while len(months) < n:
        months.append(compliance.previous_month(months[-1]))
    return months


def url_or_none(name: str, pk: int | None) -> str | None:
    """The record page, where its URL exists (the weekly and monthly record pages come with their own work)."""
    try:
        return reverse(name, args=[pk] if pk is not None else None)
    except NoReverseMatch:
        return None


# --- The regulators' page -----------------------------------------------------------------------------

def _chart(lines) -> dict:
    """What ``static/portal/compliance.js`` draws: one series per rate, labelled in the page's language."""
    return {"labels": [row.month.strftime("%Y-%m") for row in lines],
            "series": [
                {"label": gettext("日管控按时率"), "data": [compliance.Rate("", r).daily_on_time for r in lines]},
                {"label": gettext("日管控补录率"), "data": [compliance.Rate("", r).daily_late for r in lines]},
                {"label": gettext("周排查按时率"), "data": [compliance.Rate("", r).weekly_on_time for r in lines]},
                {"label": gettext("月调度按时率"), "data": [compliance.Rate("", r).monthly_on_time for r in lines]},
            ], "percent": True}


def _days_chart(days) -> dict:
    return {"labels": [str(d.day.day) for d in days], "stacked": True,
            "series": [{"label": gettext("按时"), "data": [d.units_on_time for d in days]},
                       {"label": gettext("补录"), "data": [d.units_late for d in days]},
                       {"label": gettext("未检查"), "data": [d.units_missing for d in days]}]}


class ComplianceView(ScopedMixin, TemplateView):
    """日管控、周排查、月调度 for a jurisdiction's subtree (issue 11 §7): the month's rates (补录 apart from on
    time), a twelve-month trend, the children with their rates, and the units that fell short, worst first.

    The node is the user's own (``/compliance/``) or one it may view (``/compliance/<pk>/``; any other is a 404).
    Without a broker there is no beat (the quick start), so the page counts once itself when nothing was counted
    today."""

    audience = access.REGULATORS
    template_name = "routines/compliance.html"
    listed = 10

    def get_node(self) -> Jurisdiction:
        user = self.request.user
        if "pk" in self.kwargs:
            return access.get_or_404(Jurisdiction.objects.all(), user, Duty.VIEW, pk=self.kwargs["pk"])
        node = access.home_node(user)
        if node is None or not access.can(user, Duty.VIEW, node):
            raise Http404
        return node

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, node = self.request.user, self.get_node()
        month = month_of_request(self.request)
        last = compliance.last_refresh()
        if settings.CELERY_TASK_ALWAYS_EAGER and (last is None or timezone.localdate(last.started_at)
                                                  < timezone.localdate()):
            last = compliance.refresh()
        figures = compliance.node_month(node, month)
        trend = _chart(figures.trend)
        values = zip(*(series["data"] for series in trend["series"]), strict=True)
        crumbs = [n for n in node.get_ancestors(include_self=True) if access.can(user, Duty.VIEW, n)]
        shown = list(compliance.noncompliant(node, month)[:self.listed])
        units_url = f"{reverse('routines:compliance_units')}?jurisdiction={node.pk}&month={month:%Y-%m}"
        context.update(
            title=gettext("日管控、周排查、月调度落实情况"), node=node, month=month, months=recent_months(),
            overall=figures.overall, children=figures.children, crumbs=crumbs, refreshed=last,
            trend_chart=trend, trend_rows=list(zip(trend["labels"], values, strict=True)),
            days_chart=_days_chart(figures.days),
            shortfalls=shown, more=figures.overall.row.units_noncompliant > len(shown), units_url=units_url,
            exemptions_url=f"{reverse('routines:exemption_list')}?jurisdiction={node.pk}")
        return context


# --- The units that fell short (list, export) -----------------------------------------------------------

def _month_choices():
    return [(m.strftime("%Y-%m"), m.strftime("%Y-%m")) for m in recent_months(24)]


class ShortfallFilter(SubtreeFilterSet):
    month = django_filters.ChoiceFilter(choices=_month_choices, method="by_month", label=_("月份"), empty_label=None)
    missing = django_filters.BooleanFilter(method="by_missing", label=_("有缺报"), widget=yes_no())

    class Meta:
        model = UnitMonthCompliance
        fields = ["jurisdiction", "month", "missing"]

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else {}
        if not data.get("month"):
            data["month"] = timezone.localdate().strftime("%Y-%m")
        super().__init__(data, *args, **kwargs)

    def by_month(self, queryset, name, value):
        return queryset.filter(month=date.fromisoformat(f"{value}-01"))

    def by_missing(self, queryset, name, value):
        if value is None:
            return queryset
        missing = (Q(days_missing__gt=0)
                   | Q(weeks_due__gt=F("weeks_on_time") + F("weeks_late"))
                   | Q(month_due=True, month_on_time=False, month_late=False))
        return queryset.filter(missing) if value else queryset.exclude(missing)


class ShortfallTable(Table):
    """A unit's month that fell short: each number links nowhere but the unit, whose calendar shows the days."""

    unit = tables.Column(verbose_name=_("单位名称"), accessor="unit__name", orderable=False)
    jurisdiction = tables.Column(verbose_name=_("所属辖区"), accessor="jurisdiction__name", orderable=False,
                                 attrs=SECONDARY)
    days = tables.Column(verbose_name=_("日管控（按时/补录/缺报/应检）"), accessor="days_due", orderable=False,
                         empty_values=())
    weeks = tables.Column(verbose_name=_("周排查（按时/补录/缺报）"), accessor="weeks_due", orderable=False,
                          empty_values=())
    minutes = tables.Column(verbose_name=_("月调度"), accessor="month_due", orderable=False, empty_values=())
    shortfall = tables.Column(verbose_name=_("未按时记录数"), orderable=False)

    class Meta:
        model = UnitMonthCompliance
        fields = ("unit", "jurisdiction", "days", "weeks", "minutes", "shortfall")
        order_by = ("-shortfall", "unit")

    def render_unit(self, value, record):
        url = reverse("routines:unit_calendar", args=[record.unit_id])
        return format_html('<a href="{}?month={}">{}</a>', url, record.month.strftime("%Y-%m"), value)

    def value_unit(self, value, record):
        return value

    def render_days(self, record):
        return f"{record.days_on_time} / {record.days_late} / {record.days_missing} / {record.days_due}"

    def value_days(self, record):
        return self.render_days(record)

    def render_weeks(self, record):
        return f"{record.weeks_on_time} / {record.weeks_late} / {record.weeks_missing}"

    def value_weeks(self, record):
        return self.render_weeks(record)

    def render_minutes(self, record):
        if not record.month_due:
            return gettext("不需要")
        if record.month_on_time:
            return gettext("按时")
        return gettext("补录") if record.month_late else gettext("缺报")

    def value_minutes(self, record):
        return self.render_minutes(record)


class ShortfallListView(ScopedListView):
    """The units of a subtree that did not file everything on time in a month, worst first, on the
    ``(tier, month, -shortfall, unit)`` indexes; exported as .xlsx for the chase."""

    audience = access.REGULATORS
    queryset = UnitMonthCompliance.objects.filter(shortfall__gt=0).select_related("unit", "jurisdiction")
    table_class = ShortfallTable
    filterset_class = ShortfallFilter
    title = _("未按时落实日管控、周排查、月调度的单位")
    export_name = _("未按时落实单位")
    empty_hint = _("每晚统计后，当月有缺报或补录的单位会列在这里，问题最多的在前。")

    def get_table_pagination(self, table):
        return {**super().get_table_pagination(table), "paginator_class": CappedPaginator}


# --- The enterprise's calendar ----------------------------------------------------------------------------

DAY_LABELS = {
    expected.Day.ON_TIME: _("已检查"), expected.Day.LATE: _("补录"), expected.Day.MISSING: _("未检查"),
    expected.Day.EXEMPT: _("暂不执行"), expected.Day.NOT_DUE: _("无需检查"), expected.Day.TODAY: _("今日待检"),
    expected.Day.FUTURE: _("未到"),
}
DAY_MARKS = {expected.Day.ON_TIME: "✓", expected.Day.LATE: pgettext_lazy("calendar mark", "补"),
             expected.Day.MISSING: "✗", expected.Day.EXEMPT: pgettext_lazy("calendar mark", "停"),
             expected.Day.NOT_DUE: "·", expected.Day.TODAY: "○", expected.Day.FUTURE: ""}
DAY_CLASSES = {expected.Day.ON_TIME: "text-bg-success", expected.Day.LATE: "text-bg-warning",
               expected.Day.MISSING: "text-bg-danger", expected.Day.EXEMPT: "bg-secondary-subtle",
               expected.Day.NOT_DUE: "bg-light text-muted", expected.Day.TODAY: "border border-primary",
               expected.Day.FUTURE: "text-muted"}
STANDING_CLASSES = {compliance.Standing.ON_TIME: "text-bg-success", compliance.Standing.LATE: "text-bg-warning",
                    compliance.Standing.MISSING: "text-bg-danger", compliance.Standing.OPEN: "text-bg-light",
                    compliance.Standing.NOT_DUE: "text-bg-light", compliance.Standing.FUTURE: "text-muted"}
STANDING_LABELS = {
    compliance.Standing.FUTURE: _("未到"), compliance.Standing.NOT_DUE: _("不需要"),
    compliance.Standing.OPEN: _("待提交"), compliance.Standing.ON_TIME: _("按时提交"),
    compliance.Standing.LATE: _("补录"), compliance.Standing.MISSING: _("未提交"),
}


@dataclass
class CalendarDay:
    day: date
    state: str | None
    label: str = ""
    mark: str = ""
    url: str | None = None
    reason: str = ""
    css: str = ""


def exemption_target(exemption: Exemption) -> str:
    """``临时停用（全单位）`` / ``设备停用（3110…）``: what the exemption stops."""
    if exemption.equipment_id is None:
        what = gettext("全单位")
    else:
        what = exemption.equipment.code or exemption.equipment.factory_number or str(exemption.equipment)
    return noted(exemption.get_kind_display(), what)


def exemption_title(exemption: Exemption) -> str:
    return f"{exemption_target(exemption)}{label_separator()}{compliance.reason_shown(exemption)}"


class UnitCalendarView(ObjectMixin, TemplateView):
    """A unit's month as its calendar (issue 11 §7): Monday-first weeks of filed / 补录 / missing / exempt (the
    reason on the day) / not due / future days from ``expected.ledger``, each week's report and the month's
    minutes with their state, each filed record linked."""

    queryset = Unit.objects.select_related("jurisdiction")
    template_name = "routines/calendar.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit, today = self.object, timezone.localdate()
        month = month_of_request(self.request)
        start, end = expected.month_of(month)
        ledger = expected.ledger(unit, start, end, today)
        checks = {}
        for pk, day in DailyCheck.objects.filter(unit=unit, day__range=(start, end)).order_by("day", "id") \
                .values_list("pk", "day"):
            checks.setdefault(day, pk)
        weeks = compliance.weeks_of_month(start)
        reports = {r.week_start: r for r in WeeklyReport.objects.filter(unit=unit, week_start__in=weeks)}
        minutes = MonthlyMinutes.objects.filter(unit=unit, month=start).first()
        figures = compliance.reckon(unit, start, today, ledger=ledger, reports=reports, minutes=minutes)
        rows = []
        for week in weeks:
            cells = []
            for day in expected.days(week, week + timedelta(days=6)):
                if not start <= day <= end:
                    cells.append(CalendarDay(day, None))
                    continue
                state = ledger.states[day]
                reason = ledger.reasons.get(day)
                cells.append(CalendarDay(day, str(state), DAY_LABELS[state], DAY_MARKS[state],
                                         url_or_none("routines:daily_check", checks[day]) if day in checks else None,
                                         exemption_title(reason) if reason else "", DAY_CLASSES[state]))
            report = reports.get(week)
            if week > today:
                standing = compliance.Standing.FUTURE
            else:
                standing = figures.weeks.get(week) if figures else compliance.Standing.NOT_DUE
            rows.append({"week": week, "days": cells, "state": standing, "label": STANDING_LABELS[standing],
                         "css": STANDING_CLASSES[standing],
                         "report": report,
                         "url": url_or_none("routines:weekly_report", report.pk) if report else None,
                         "deadline": expected.weekly_deadline(week)})
        month_state = compliance.period_state(ledger.owes_any(), minutes, expected.monthly_deadline(start) < today)
        exemptions = {e.pk: e for e in ledger.reasons.values()}
        context.update(
            unit=unit, month=month, rows=rows, figures=figures, today=today, months=recent_months(),
            previous=compliance.previous_month(month) if month > FIRST_MONTH else None,
            following=compliance.next_month(month) if month < compliance.month_start(today) else None,
            minutes=minutes, minutes_state=month_state, minutes_label=STANDING_LABELS[month_state],
            minutes_css=STANDING_CLASSES[month_state],
            minutes_url=url_or_none("routines:monthly_minutes", minutes.pk) if minutes else None,
            minutes_deadline=expected.monthly_deadline(start),
            exemptions=[(e, exemption_title(e)) for e in sorted(exemptions.values(), key=lambda e: e.starts_on)],
            legend=[(DAY_MARKS[s], DAY_LABELS[s], DAY_CLASSES[s]) for s in DAY_LABELS if s != expected.Day.FUTURE],
            daily_url=url_or_none("routines:my_daily_check", None),
            weekdays=[formats.date_format(date(2024, 1, 1) + timedelta(days=n), "D") for n in range(7)],
            can_record=access.can(self.request.user, Duty.KEEP_RECORDS, unit),
            title=gettext("履职日历"))
        return context


@login_required
def my_calendar(request):
    """The enterprise's shortcut to its own unit's calendar."""
    unit = unit_of(request.user)
    if unit is None:
        raise Http404
    query = f"?month={request.GET['month']}" if request.GET.get("month") else ""
    return redirect(reverse("routines:unit_calendar", args=[unit.pk]) + query)


# --- Exemptions ---------------------------------------------------------------------------------------

class TemporaryStopForm(forms.Form):
    equipment = forms.ModelChoiceField(queryset=Equipment.objects.none(), required=False, label=_("停用设备"),
                                       empty_label=_("全单位停用"))
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE, help_text=_("恢复使用后可以提前结束。"))
    reason = forms.CharField(label=_("原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["equipment"].queryset = (Equipment.objects.filter(unit=unit, status__in=expected.LIVE_EQUIPMENT)
                                             .select_related("equipment_type").order_by("id"))
        self.fields["equipment"].label_from_instance = lambda e: " ".join(
            filter(None, (e.equipment_type.name, e.code or e.factory_number, e.location)))
        if not self.is_bound:
            self.initial.setdefault("starts_on", timezone.localdate())


class EndExemptionForm(forms.Form):
    ends_on = forms.DateField(label=_("最后停用日期"), widget=DATE,
                              help_text=_("恢复使用的前一天；其后各天恢复每日检查。"))


class UnitExemptionsView(ObjectMixin, TemplateView):
    """A unit's exemptions (002 附件 6), each with its reason, newest first: whoever may view the unit reads them;
    its own enterprise also records a 临时停用 here and ends one early."""

    queryset = Unit.objects.select_related("jurisdiction")
    template_name = "routines/compliance_exemptions.html"
    shown = 100

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit = self.object
        can_record = access.can(self.request.user, Duty.KEEP_RECORDS, unit) and expected.supervised(unit)
        rows = list(Exemption.objects.filter(unit=unit).select_related("equipment", "recorded_by")
                    .order_by("-starts_on", "-id")[:self.shown])
        today = timezone.localdate()
        form = kwargs.get("form")
        if can_record and form is None:
            form = TemporaryStopForm(unit=unit)
        if form is not None:
            style_widgets(form)
        context.update(unit=unit, title=gettext("暂不执行记录"), form=form, can_record=can_record, today=today,
                       rows=[{"exemption": e, "target": exemption_target(e),
                              "reason": compliance.reason_shown(e),
                              "current": e.covers(today),
                              "can_end": can_record and e.kind == ExemptionKind.TEMPORARY_STOP
                              and (e.ends_on is None or e.ends_on >= today - timedelta(days=1))}
                             for e in rows])
        return context


class TemporaryStopCreateView(ScopedFormView):
    """登记临时停用 for the unit: the service checks the dates, the equipment and overlaps."""

    queryset = Unit.objects.all()
    duty = Duty.KEEP_RECORDS
    form_class = TemporaryStopForm
    title = _("登记临时停用")
    success_message = _("临时停用已登记，停用期间不计入应检查天数。")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "unit": self.object}

    def save(self, form):
        d = form.cleaned_data
        return compliance.record_temporary_stop(by=self.request.user, unit=self.object, equipment=d["equipment"],
                                                starts_on=d["starts_on"], ends_on=d["ends_on"], reason=d["reason"])

    def get_success_url(self):
        return reverse("routines:unit_exemptions", args=[self.object.pk])


class ExemptionEndView(ScopedFormView):
    """提前结束 a 临时停用: the unit's equipment is back in service."""

    queryset = Exemption.objects.filter(kind=ExemptionKind.TEMPORARY_STOP).select_related("unit", "equipment")
    duty = Duty.KEEP_RECORDS
    form_class = EndExemptionForm
    title = _("提前结束临时停用")
    success_message = _("临时停用已提前结束。")
    template_name = "routines/compliance_end.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "target": exemption_target(self.object)}

    def get_initial(self):
        return {"ends_on": timezone.localdate() - timedelta(days=1)}

    def save(self, form):
        return compliance.end_exemption(by=self.request.user, exemption=self.object,
                                        ends_on=form.cleaned_data["ends_on"])

    def get_success_url(self):
        return reverse("routines:unit_exemptions", args=[self.object.unit_id])


class ExemptionFilter(SubtreeFilterSet):
    kind = django_filters.ChoiceFilter(choices=ExemptionKind.choices, label=_("类型"))
    current = django_filters.BooleanFilter(method="in_force", label=_("今天有效"), widget=yes_no())

    class Meta:
        model = Exemption
        fields = ["jurisdiction", "kind", "current"]

    def in_force(self, queryset, name, value):
        if value is None:
            return queryset
        today = timezone.localdate()
        q = Q(starts_on__lte=today) & (Q(ends_on__isnull=True)
                                                             | Q(ends_on__gte=today))
        return queryset.filter(q) if value else queryset.exclude(q)


class ExemptionTable(Table):
    unit = tables.Column(verbose_name=_("单位"), accessor="unit__name", orderable=False)
    kind = tables.Column(verbose_name=_("类型"), orderable=False)
    equipment = tables.Column(verbose_name=_("设备"), orderable=False, empty_values=(), attrs=SECONDARY)
    starts_on = tables.DateColumn(verbose_name=_("开始日期"), order_by=("-starts_on", "-id"))
    ends_on = tables.DateColumn(verbose_name=_("结束日期"), orderable=False)
    reason = tables.Column(verbose_name=_("原因"), orderable=False, empty_values=())

    class Meta:
        model = Exemption
        fields = ("unit", "kind", "equipment", "starts_on", "ends_on", "reason")
        order_by = ("-starts_on", "-id")

    def render_unit(self, value, record):
        return format_html('<a href="{}">{}</a>', reverse("routines:unit_exemptions", args=[record.unit_id]), value)

    def value_unit(self, value, record):
        return value

    def render_equipment(self, record):
        if not record.equipment_id:
            return gettext("全单位")
        return record.equipment.code or record.equipment.factory_number or str(record.equipment)

    def value_equipment(self, record):
        return self.render_equipment(record)

    def render_ends_on(self, value):
        return formats.date_format(value, "SHORT_DATE_FORMAT") if value else gettext("未结束")

    def value_ends_on(self, value):
        return self.render_ends_on(value)

    def render_reason(self, record):
        return compliance.reason_shown(record)

    def value_reason(self, record):
        return self.render_reason(record)


class ExemptionListView(ScopedListView):
    """Every exemption of the subtree with its reason (issue 11 §6: "visible to the regulators with its reason"),
    newest first on the ``(tier, -starts_on)`` indexes."""

    audience = access.REGULATORS
    queryset = Exemption.objects.select_related("unit", "equipment")
    table_class = ExemptionTable
    filterset_class = ExemptionFilter
    title = _("暂不执行记录")
    export_name = _("暂不执行记录")
    empty_hint = _("停产停业、设备停用和企业登记的临时停用会列在这里，附原因；停用期间不计入应检查天数。")
