"""Pages of 日管控 (Order 74 Art. 142): the officer's check of the day — one tap for 零风险报告, item by item
when something is wrong — the record as filed, the lists (the unit's own; a regulator's subtree), the item
photos as audited downloads, and the verification of a unit's seal chain (可核实)."""

from __future__ import annotations

from datetime import date, timedelta

import django_filters
import django_tables2 as tables
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View

from inspections.routines import chain, expected, filing
from inspections.routines.choices import CheckResult, ItemResult, Period
from inspections.routines.models import CheckPhoto, DailyCheck, RiskItem
from jurisdictions import access
from jurisdictions.duties import Duty
from jurisdictions.filters import SubtreeFilterSet
from personnel import services as personnel
from personnel.models import Person
from portal.kit.forms import apply_form_errors, style_widgets, yes_no
from portal.kit.tables import SECONDARY, CappedPaginator, Table
from portal.kit.views import ScopedDetailView, ScopedFileView, ScopedListView
from units.models import Unit
from units.services import unit_of

RESULT_BADGES = {CheckResult.ZERO_RISK: "text-bg-success", CheckResult.NORMAL: "text-bg-primary",
                 CheckResult.HAZARD: "text-bg-danger"}


def result_badge(check: DailyCheck) -> str:
    badge = format_html('<span class="badge {}" data-testid="check-result">{}</span>',
                        RESULT_BADGES.get(check.result, "text-bg-secondary"), check.get_result_display())
    if check.late:
        badge = format_html('{} <span class="badge text-bg-warning" data-testid="late-badge">{}</span>', badge,
                            gettext("补录"))
    return badge


# --- The officer's check of the day ---------------------------------------------------------------

class DailyCheckForm(forms.Form):
    """The day's items as fields: ``result_<n>`` (正常 / 异常 / 无此项), ``note_<n>``, ``photo_<n>`` and, for an
    异常, ``due_on_<n>`` and ``responsible_<n>`` of the hazard it opens."""

    period = forms.ChoiceField(label=_("检查时段"), choices=Period.choices, initial=Period.FULL)
    note = forms.CharField(label=_("备注"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, items: list[RiskItem], people, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            n = item.position
            self.fields[f"result_{n}"] = forms.ChoiceField(
                label=item.risk_item, choices=ItemResult.choices, initial=ItemResult.NORMAL,
                widget=forms.RadioSelect)
            self.fields[f"note_{n}"] = forms.CharField(label=_("问题及处理"), max_length=500, required=False)
            self.fields[f"photo_{n}"] = forms.ImageField(label=_("照片"), required=False)
            self.fields[f"due_on_{n}"] = forms.DateField(label=_("整改期限"), required=False,
                                                         widget=forms.DateInput(attrs={"type": "date"}))
            self.fields[f"responsible_{n}"] = forms.ModelChoiceField(label=_("整改责任人"), queryset=people,
                                                                     required=False)

    def rows(self):
        for item in self.items:
            n = item.position
            yield {"item": item, "result": self[f"result_{n}"], "note": self[f"note_{n}"],
                   "photo": self[f"photo_{n}"], "due_on": self[f"due_on_{n}"],
                   "responsible": self[f"responsible_{n}"]}

    def results(self) -> dict[int, dict]:
        found = {}
        for item in self.items:
            n, d = item.position, self.cleaned_data
            outcome = d.get(f"result_{n}") or ItemResult.NORMAL
            if outcome != ItemResult.NORMAL or d.get(f"note_{n}"):
                found[n] = {"r": outcome, "note": d.get(f"note_{n}", ""), "due_on": d.get(f"due_on_{n}"),
                            "responsible": d.get(f"responsible_{n}")}
        return found

    def photos(self) -> dict[int, list]:
        return {item.position: [self.cleaned_data[f"photo_{item.position}"]] for item in self.items
                if self.cleaned_data.get(f"photo_{item.position}")}


class MyDailyCheckView(LoginRequiredMixin, View):
    """今日检查: what the officer checks today (or on a missed day, as 补录), filed in one tap when all is 正常."""

    template_name = "routines/daily_check_form.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.today = timezone.localdate()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        self.unit = unit_of(request.user) if access.is_enterprise(request.user) else None
        if self.unit is None or not access.can(request.user, Duty.KEEP_RECORDS, self.unit):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def day(self) -> date:
        raw = self.request.GET.get("day") or self.request.POST.get("day")
        try:
            day = date.fromisoformat(raw) if raw else self.today
        except ValueError:
            day = self.today
        earliest = self.today - timedelta(days=settings.ROUTINES_BACKFILL_DAYS)
        return min(max(day, earliest), self.today)

    def form(self, data=None, files=None):
        found = filing.items_for(self.unit, self.day)
        form = DailyCheckForm(data, files, items=found.items, people=Person.objects.filter(unit=self.unit))
        style_widgets(form)
        return found, form

    def context(self, found, form, error=None):
        user, unit, day = self.request.user, self.unit, self.day
        filed = list(DailyCheck.objects.filter(unit=unit, day=day).select_related("signer").order_by("period"))
        person = personnel.person_of(user, unit)
        is_officer = bool(personnel.posts_held(user, unit, day) & filing.OFFICER_POSTS)
        ledger = expected.ledger(unit, self.today - timedelta(days=settings.ROUTINES_BACKFILL_DAYS),
                                 self.today - timedelta(days=1), today=self.today)
        missed = sorted((d for d, s in ledger.states.items() if s == expected.Day.MISSING), reverse=True)
        periods_taken = {c.period for c in filed}
        return {"unit": unit, "day": day, "today": self.today, "late": day < self.today, "found": found,
                "form": form, "filed": filed, "person": person, "is_officer": is_officer, "error": error,
                "missed": missed[:10], "done": Period.FULL in periods_taken or {Period.AM, Period.PM} <= periods_taken,
                "exempt": ledger_state(unit, day, self.today)}

    def get(self, request):
        found, form = self.form()
        return render(request, self.template_name, self.context(found, form))

    def post(self, request):
        if request.POST.get("all_ok"):
            found, form = self.form()
            try:
                check = filing.file_daily_check(by=request.user, unit=self.unit, day=self.day,
                                                period=request.POST.get("period") or Period.FULL)
            except ValidationError as exc:
                apply_form_errors(form, exc)
                return render(request, self.template_name, self.context(found, form), status=200)
            messages.success(request, gettext("已提交零风险报告。"))
            return redirect(check.get_absolute_url())
        found, form = self.form(request.POST, request.FILES)
        if form.is_valid():
            try:
                with transaction.atomic():
                    check = filing.file_daily_check(by=request.user, unit=self.unit, day=self.day,
                                                    period=form.cleaned_data["period"], results=form.results(),
                                                    note=form.cleaned_data["note"], photos=form.photos())
            except ValidationError as exc:
                apply_form_errors(form, exc)
            else:
                messages.success(request, gettext("每日安全检查记录已提交。"))
                return redirect(check.get_absolute_url())
        return render(request, self.template_name, self.context(found, form))


def ledger_state(unit: Unit, day: date, today: date):
    ledger = expected.ledger(unit, day, day, today=today)
    state = ledger.states[day]
    return ledger.reasons.get(day) if state == expected.Day.EXEMPT else None


# --- The record as filed --------------------------------------------------------------------------

class DailyCheckDetailView(ScopedDetailView):
    queryset = DailyCheck.objects.select_related("unit", "signer", "filed_by", "risk_version")
    template_name = "routines/daily_check_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        check = self.object
        items = (RiskItem.objects.filter(version=check.risk_version_id, position__in=check.positions)
                 .select_related("equipment__equipment_type", "equipment_type").order_by("position"))
        photos = {}
        for photo in CheckPhoto.objects.filter(check_id=check.pk).order_by("id"):
            photos.setdefault(photo.position, []).append(photo)
        amendments = filing.amendments_of(check)
        context.update(
            rows=[{"item": i, "result": check.result_of(i.position),
                   "entry": check.exceptions.get(str(i.position), {}), "photos": photos.get(i.position, [])}
                  for i in items],
            badge=result_badge(check), findings=filing.findings_of(check), amendments=amendments,
            current=filing.current_values(check, amendments), abnormal=ItemResult.ABNORMAL,
            not_applicable=ItemResult.NOT_APPLICABLE, pdf_url=reverse("routines:daily_check_pdf", args=[check.pk]))
        return context


class CheckPhotoView(ScopedFileView):
    queryset = CheckPhoto.objects.select_related("unit")
    file_field = "file"
    inline = True
    content_type = "image/jpeg"

    def get_filename(self, obj) -> str:
        return f"check-{obj.check_id}-{obj.position}{obj.file.name[obj.file.name.rfind('.'):]}"


# --- Lists ---------------------------------------------------------------------------------------

class DailyCheckFilter(SubtreeFilterSet):
    q = django_filters.CharFilter(method="search", label=_("单位名称或信用代码"))
    day_from = django_filters.DateFilter(field_name="day", lookup_expr="gte", label=_("检查日期自"),
                                         widget=forms.DateInput(attrs={"type": "date"}))
    day_to = django_filters.DateFilter(field_name="day", lookup_expr="lte", label=_("至"),
                                       widget=forms.DateInput(attrs={"type": "date"}))
    result = django_filters.ChoiceFilter(choices=CheckResult.choices, label=_("总体结论"))
    late = django_filters.BooleanFilter(label=_("补录"), widget=yes_no())

    class Meta:
        model = DailyCheck
        fields = ["jurisdiction", "q", "day_from", "day_to", "result", "late"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(unit__in=Unit.objects.filter(name__icontains=value) | Unit.objects.filter(
            uscc=value.upper()))


class DailyCheckTable(Table):
    day = tables.DateColumn(verbose_name=_("检查日期"), linkify=True, order_by=("day", "id"))
    period = tables.Column(verbose_name=_("时段"), orderable=False, attrs=SECONDARY)
    unit = tables.Column(accessor="unit__name", verbose_name=_("单位"), orderable=False)
    result = tables.Column(verbose_name=_("总体结论"), orderable=False)
    signer = tables.Column(accessor="signer__name", verbose_name=_("安全员"), orderable=False, attrs=SECONDARY)
    filed_at = tables.DateTimeColumn(verbose_name=_("提交时间"), orderable=False, attrs=SECONDARY)

    class Meta:
        model = DailyCheck
        fields = ("day", "period", "unit", "result", "signer", "filed_at")
        order_by = ("-day", "-id")

    def render_result(self, value, record):
        return result_badge(record)

    def value_result(self, value, record):
        result = record.get_result_display()
        return gettext("%(result)s（补录）") % {"result": result} if record.late else result


class DailyCheckListView(ScopedListView):
    """The unit's checks, or a regulator's subtree's, newest first on the ``(tier, -day, -id)`` indexes."""

    queryset = DailyCheck.objects.select_related("unit", "signer")
    table_class = DailyCheckTable
    filterset_class = DailyCheckFilter
    title = _("每日安全检查记录")
    export_name = _("每日安全检查记录")
    empty_hint = _("安全员每天对在用设备按安全风险管控清单巡查后填报的记录会列在这里；全部正常即为零风险报告。")
    create_url_name = "routines:my_daily_check"
    create_duty = Duty.KEEP_RECORDS

    def get_table_pagination(self, table):
        return {**super().get_table_pagination(table), "paginator_class": CappedPaginator}

    def export(self, fmt):
        """An export without a start date covers the last ``ROUTINES_BACKFILL_DAYS`` days, not the years of a
        whole province."""
        if not self.request.GET.get("day_from"):
            self.request.GET = self.request.GET.copy()
            self.request.GET["day_from"] = (timezone.localdate()
                                            - timedelta(days=settings.ROUTINES_BACKFILL_DAYS)).isoformat()
        return super().export(fmt)


# --- 可核实: verifying a unit's chain --------------------------------------------------------------------

class ChainVerifyView(LoginRequiredMixin, View):
    """核验记录: recompute the unit's seal chain and name any record altered outside the amendment path."""

    template_name = "routines/chain_verify.html"

    def unit(self, request, pk) -> Unit:
        return access.get_or_404(Unit.objects.all(), request.user, Duty.VIEW, pk=pk)

    def get(self, request, pk):
        return render(request, self.template_name, {"unit": self.unit(request, pk), "ran": False})

    def post(self, request, pk):
        unit = self.unit(request, pk)
        count, problems = chain.verify(unit)
        return render(request, self.template_name, {"unit": unit, "ran": True, "count": count,
                                                    "problems": problems})
