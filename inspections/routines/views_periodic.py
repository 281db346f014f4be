"""Pages of 周排查 and 月调度 (Order 74 Art. 143–144; docs/domain.md §Self-check records): the enterprise fills in
and signs the week's report and the month's minutes, prefilled with the figures the portal counted; each
record's page shows it as filed with its amendments (the original kept, 可核实); the lists show a unit its own
records and a regulator those of its subtree.

Signing is the filing service's: these views parse the form, call ``filing`` and put its refusal (wrong post,
period already filed, …) beside the field it names or on top of the form."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView

from inspections.routines import expected, filing
from inspections.routines.filters_periodic import MonthlyMinutesFilter, WeeklyReportFilter
from inspections.routines.forms_periodic import (
    ActionDoneForm,
    AmendForm,
    DecisionFormSet,
    MinutesForm,
    WeeklyReportForm,
    place_errors,
    quiet,
    with_one_more_row,
)
from inspections.routines.models import Amendment, MinutesAction, MonthlyMinutes, WeeklyReport
from inspections.routines.tables_periodic import MonthlyMinutesTable, WeeklyReportTable, month_label, week_label
from jurisdictions import access
from jurisdictions.access import ENTERPRISES
from jurisdictions.duties import Duty
from portal.kit.views import ConfirmActionView, ObjectMixin, ScopedDetailView, ScopedListView, ScopedMixin
from portal.kit.wording import label_separator
from units.services import unit_of

DAILY_FIGURES = (
    ("daily_due", _("应填报每日检查（天）")),
    ("daily_on_time", _("按时填报（天）")),
    ("daily_late", _("补录（天）")),
    ("daily_missing", _("未填报（天）")),
    ("daily_exempt", _("暂不执行（天）")),
    ("zero_risk", _("零风险报告（份）")),
)
HAZARD_FIGURES = (
    ("hazards_found", _("发现隐患")),
    ("hazards_rectified", _("已整改")),
    ("hazards_closed", _("已验证销号")),
    ("hazards_open", _("未销号")),
    ("hazards_overdue", _("逾期未整改")),
)
WEEKLY_FIGURES = (
    ("weekly_due", _("应提交周报告")),
    ("weekly_filed", _("已提交周报告")),
    ("weekly_late", _("其中补录")),
)

ROLES = {WeeklyReport: filing.DIRECTOR_ROLE, MonthlyMinutes: filing.PRINCIPAL_ROLE}


def figure_groups(figures: dict, *, month: bool = False) -> list[dict]:
    """The counted figures as the page shows them, in groups; a figure the record does not hold is left out
    (a record filed before a figure existed reads as filed)."""
    groups = [(_("每日安全检查"), DAILY_FIGURES), (_("隐患排查治理"), HAZARD_FIGURES)]
    if month:
        groups.append((_("每周安全排查"), WEEKLY_FIGURES))
    shown = []
    for title, rows in groups:
        rows = [{"key": key, "label": label, "value": figures[key]} for key, label in rows if key in figures]
        if rows:
            shown.append({"title": title, "rows": rows})
    return shown


def corrections(record) -> dict:
    """The record's amendable sections as they read now, each marked when an amendment touched it, and the
    amendments themselves (time, who, why, each field's old → new), oldest first."""
    amendments = filing.amendments_of(record)
    current = filing.current_values(record, amendments)
    meta = type(record)._meta
    touched = {f for a in amendments for f in a.changes}
    sections = [{"name": f, "label": meta.get_field(f).verbose_name, "value": value, "original": getattr(record, f),
                 "amended": f in touched} for f, value in current.items()]
    history = [{"amendment": a, "changes": [{"label": meta.get_field(f).verbose_name, "old": old, "new": new}
                                            for f, (old, new) in a.changes.items()]} for a in amendments]
    return {"sections": sections, "amendments": history}


def signer_warning(user, unit, posts, day, role) -> list[str]:
    """Said before the form is filled, so a user in the wrong post learns it before writing the report."""
    try:
        filing.signer_for(user, unit, posts, day, role)
    except ValidationError as exc:
        return exc.messages
    return []


def own_unit(user):
    unit = unit_of(user)
    if unit is None or not access.can(user, Duty.KEEP_RECORDS, unit):
        raise Http404
    return unit


def parse_day(raw) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except (TypeError, ValueError):
        return None


def parse_month(raw) -> date | None:
    try:
        return datetime.strptime(raw, "%Y-%m").date() if raw else None
    except (TypeError, ValueError):
        return parse_day(raw)


# --- 周排查: filing ----------------------------------------------------------------------------------

class WeeklyReportFileView(ScopedMixin, TemplateView):
    """The week's report, prefilled: ``?week=`` any day of the week; without it, last week while its report
    is still missing, else this week."""

    duty = Duty.KEEP_RECORDS
    audience = ENTERPRISES
    template_name = "routines/weekly_form.html"

    def week(self, unit) -> date:
        this_week = expected.week_of(timezone.localdate())[0]
        day = parse_day(self.request.POST.get("week_start") or self.request.GET.get("week"))
        if day is None:
            last = this_week - timedelta(days=7)
            return this_week if WeeklyReport.objects.filter(unit=unit, week_start=last).exists() else last
        return min(expected.week_of(day)[0], this_week)

    def get(self, request, *args, **kwargs):
        unit = own_unit(request.user)
        week = self.week(unit)
        return self.render_to_response(self.context(unit, week, WeeklyReportForm(initial={"week_start": week})))

    def post(self, request, *args, **kwargs):
        unit = own_unit(request.user)
        week = self.week(unit)
        form = WeeklyReportForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                report = filing.file_weekly_report(by=request.user, unit=unit, week_start=d["week_start"],
                                                   assessment=d["assessment"], next_focus=d["next_focus"],
                                                   findings_summary=d["findings_summary"])
            except ValidationError as exc:
                place_errors(form, exc)
            else:
                messages.success(request, _("本周排查治理报告已签字提交并锁定。"))
                return redirect(report.get_absolute_url())
        return self.render_to_response(self.context(unit, week, form, warn=False))

    def context(self, unit, week: date, form, warn: bool = True) -> dict:
        today = timezone.localdate()
        this_week = expected.week_of(today)[0]
        filed = WeeklyReport.objects.filter(unit=unit, week_start=week).select_related("signer").first()
        return self.get_context_data(
            unit=unit, week=week, week_text=week_label(week), form=form, filed=filed,
            previous=week - timedelta(days=7), next=week + timedelta(days=7) if week < this_week else None,
            late=today > expected.weekly_deadline(week), deadline=expected.weekly_deadline(week),
            figures=figure_groups(filing.week_figures(unit, week)) if filed is None else [],
            warnings=signer_warning(self.request.user, unit, filing.DIRECTOR_POSTS,
                                    min(today, week + timedelta(days=6)), ROLES[WeeklyReport])
            if warn and filed is None else [],
            title=_("每周安全排查治理报告"))


# --- 月调度: filing ----------------------------------------------------------------------------------

class MonthlyMinutesFileView(ScopedMixin, TemplateView):
    """The month's dispatch meeting minutes, prefilled: ``?month=YYYY-MM``; without it, last month while its
    minutes are still missing, else this month. 增加一行 posts the form back with one more blank decision row,
    so it works without JavaScript."""

    duty = Duty.KEEP_RECORDS
    audience = ENTERPRISES
    template_name = "routines/minutes_form.html"
    prefix = "decisions"

    def month(self, unit) -> date:
        this_month = timezone.localdate().replace(day=1)
        day = parse_month(self.request.POST.get("month") or self.request.GET.get("month"))
        if day is None:
            last = (this_month - timedelta(days=1)).replace(day=1)
            return this_month if MonthlyMinutes.objects.filter(unit=unit, month=last).exists() else last
        return min(day.replace(day=1), this_month)

    def get(self, request, *args, **kwargs):
        unit = own_unit(request.user)
        month = self.month(unit)
        now = timezone.localtime().replace(second=0, microsecond=0)
        held_at = now if month <= now.date() <= expected.monthly_deadline(month) else None
        form = MinutesForm(initial={"month": month, "held_at": held_at}, unit=unit)
        return self.render_to_response(self.context(unit, month, form, DecisionFormSet(unit=unit, prefix=self.prefix)))

    def post(self, request, *args, **kwargs):
        unit = own_unit(request.user)
        month = self.month(unit)
        if "more" in request.POST:
            data = with_one_more_row(request.POST, self.prefix)
            form, formset = MinutesForm(data, unit=unit), DecisionFormSet(data, unit=unit, prefix=self.prefix)
            quiet(form)
            for row in formset.forms:
                quiet(row)
            formset._non_form_errors = formset.error_class()
            return self.render_to_response(self.context(unit, month, form, formset, warn=False))
        form = MinutesForm(request.POST, unit=unit)
        formset = DecisionFormSet(request.POST, unit=unit, prefix=self.prefix)
        if form.is_valid() & formset.is_valid():
            d = form.cleaned_data
            try:
                minutes = filing.file_monthly_minutes(
                    by=request.user, unit=unit, month=d["month"], held_at=d["held_at"], location=d["location"],
                    recorder=d["recorder"], attendees=list(d["attendees"]), decisions=formset.decisions(),
                    **form.texts())
            except ValidationError as exc:
                place_errors(form, exc)
            else:
                messages.success(request, _("本月安全调度会议纪要已签字提交并锁定。"))
                return redirect(minutes.get_absolute_url())
        return self.render_to_response(self.context(unit, month, form, formset, warn=False))

    def context(self, unit, month: date, form, formset, warn: bool = True) -> dict:
        today = timezone.localdate()
        this_month = today.replace(day=1)
        filed = MonthlyMinutes.objects.filter(unit=unit, month=month).select_related("signer").first()
        following = (month + timedelta(days=32)).replace(day=1)
        figures = filing.month_figures(unit, month) if filed is None else {}
        return self.get_context_data(
            unit=unit, month=month, month_text=month_label(month), form=form, formset=formset, filed=filed,
            previous=(month - timedelta(days=1)).replace(day=1), next=following if following <= this_month else None,
            late=today > expected.monthly_deadline(month), deadline=expected.monthly_deadline(month),
            figures=figure_groups(figures, month=True), inspections_due=figures.get("inspections_due", []),
            warnings=signer_warning(self.request.user, unit, filing.PRINCIPAL_POSTS, today, ROLES[MonthlyMinutes])
            if warn and filed is None else [],
            title=_("每月安全调度会议纪要"))


# --- The records as filed -----------------------------------------------------------------------------

class WeeklyReportView(ScopedDetailView):
    queryset = WeeklyReport.objects.select_related("unit", "signer", "filed_by", "jurisdiction")
    template_name = "routines/weekly_report.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = self.object
        context.update(corrections(report), unit=report.unit, week_text=week_label(report.week_start),
                       figures=figure_groups(report.figures),
                       can_amend=access.can(self.request.user, Duty.KEEP_RECORDS, report))
        return context


class MonthlyMinutesView(ScopedDetailView):
    queryset = MonthlyMinutes.objects.select_related("unit", "signer", "filed_by", "recorder", "jurisdiction")
    template_name = "routines/minutes_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        minutes = self.object
        keeper = access.can(self.request.user, Duty.KEEP_RECORDS, minutes)
        context.update(corrections(minutes), unit=minutes.unit, month_text=month_label(minutes.month),
                       figures=figure_groups(minutes.figures, month=True),
                       inspections_due=minutes.figures.get("inspections_due", []),
                       actions=list(minutes.actions.select_related("owner", "done_by").order_by("position")),
                       can_amend=keeper, can_complete=keeper, done_form=ActionDoneForm(), today=timezone.localdate())
        return context


class AmendView(ObjectMixin, FormView):
    """更正 a locked record: its amendable sections prefilled as they read now, and the reason."""

    duty = Duty.KEEP_RECORDS
    form_class = AmendForm
    template_name = "routines/amend.html"

    def get_form_kwargs(self):
        self.history = corrections(self.object)
        current = {s["name"]: s["value"] for s in self.history["sections"]}
        return {**super().get_form_kwargs(), "record": self.object, "current": current}

    def form_valid(self, form):
        try:
            filing.amend(by=self.request.user, record=self.object, changes=form.changes(),
                         reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            place_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("更正已提交；原始内容保留，更正记录附在后面。"))
        return redirect(self.object.get_absolute_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record = self.object
        _fields, posts, role = filing.AMENDABLE[type(record)]
        context.update(self.history, record=record, unit=record.unit,
                       title=f"{gettext('更正')}{label_separator()}{record}",
                       warnings=signer_warning(self.request.user, record.unit, posts, timezone.localdate(), role)
                       if self.request.method == "GET" else [])
        return context


class WeeklyReportAmendView(AmendView):
    queryset = WeeklyReport.objects.select_related("unit")


class MonthlyMinutesAmendView(AmendView):
    queryset = MonthlyMinutes.objects.select_related("unit")


class ActionDoneView(ConfirmActionView):
    """标记完成: a decision of the minutes carried out, with how."""

    queryset = MinutesAction.objects.select_related("minutes", "owner")
    duty = Duty.KEEP_RECORDS
    form_class = ActionDoneForm
    template_name = "routines/minutes_action_done.html"
    title = _("标记决议事项完成")
    button = _("确认完成")
    danger = False
    done_message = _("决议事项已标记完成。")

    def perform(self, form):
        filing.complete_action(by=self.request.user, action=self.object, note=form.cleaned_data["note"])

    def get_success_url(self):
        return self.object.minutes.get_absolute_url()


# --- Lists --------------------------------------------------------------------------------------------

def amended(model):
    return Exists(Amendment.objects.filter(record_type=ContentType.objects.get_for_model(model),
                                           record_id=OuterRef("pk")))


class WeeklyReportListView(ScopedListView):
    queryset = WeeklyReport.objects.select_related("unit", "signer")
    table_class = WeeklyReportTable
    filterset_class = WeeklyReportFilter
    title = _("每周安全排查治理报告")
    export_name = _("每周安全排查治理报告")
    empty_hint = _("安全总监每周签字提交的排查治理报告列在这里，每份都带有当周每日检查和隐患的统计；"
                   "提交后锁定，更正另行留痕。")
    create_url_name = "routines:my_weekly_report"
    create_duty = Duty.KEEP_RECORDS

    def base_queryset(self):
        return super().base_queryset().annotate(amended=amended(WeeklyReport))


class MonthlyMinutesListView(ScopedListView):
    queryset = MonthlyMinutes.objects.select_related("unit", "signer")
    table_class = MonthlyMinutesTable
    filterset_class = MonthlyMinutesFilter
    title = _("每月安全调度会议纪要")
    export_name = _("每月安全调度会议纪要")
    empty_hint = _("主要负责人每月主持安全调度会议后签字提交的纪要列在这里，会议决议按责任人和期限跟踪到完成。")
    create_url_name = "routines:my_monthly_minutes"
    create_duty = Duty.KEEP_RECORDS

    def base_queryset(self):
        open_actions = (MinutesAction.objects.filter(minutes=OuterRef("pk"), status=MinutesAction.Status.OPEN)
                        .order_by().values("minutes").annotate(n=Count("id")).values("n"))
        return super().base_queryset().annotate(
            amended=amended(MonthlyMinutes),
            open_actions=Coalesce(Subquery(open_actions, output_field=IntegerField()), Value(0)))

