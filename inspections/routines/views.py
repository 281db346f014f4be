"""Pages of the risk control list (docs/domain.md §Risk control list): a unit's list in force, its version
history with each version readable, the edit page (the whole list as a formset, saved as a new version)
and 从模板生成. The enterprise sees and edits its own unit's; regulators read the units in their scope."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from inspections.routines import services
from inspections.routines.forms import NoteForm, RiskRowFormSet, covers_value
from inspections.routines.models import RiskListVersion
from inspections.routines.risk_templates import templates
from jurisdictions import access
from jurisdictions.duties import Duty
from portal.kit.forms import ConfirmForm, apply_form_errors, style_widgets
from portal.kit.views import ConfirmActionView, ObjectMixin, ScopedDetailView
from portal.kit.wording import listing
from units.models import Unit
from units.services import unit_of


def _items(version):
    if version is None:
        return []
    return list(version.items.select_related("equipment__equipment_type", "equipment_type").order_by("position"))


class RiskListView(ScopedDetailView):
    """The list in force now, with the unit's actions when the user keeps its records."""

    queryset = Unit.objects.select_related("jurisdiction")
    template_name = "routines/risk_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit = self.object
        version = services.current_version(unit)
        context.update(unit=unit, version=version, items=_items(version),
                       can_edit=access.can(self.request.user, Duty.KEEP_RECORDS, unit),
                       templates_available=[templates()[c]["name"] for c in services.template_codes_for(unit)])
        return context


class RiskListHistoryView(ScopedDetailView):
    """Every version of the unit's list, newest first; none is ever removed."""

    queryset = Unit.objects.all()
    template_name = "routines/risk_list_history.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["versions"] = (RiskListVersion.objects.filter(risk_list__unit=self.object)
                               .select_related("saved_by").order_by("-number"))
        return context


class RiskListVersionView(ScopedDetailView):
    queryset = RiskListVersion.objects.select_related("risk_list__unit", "risk_list__current", "saved_by")
    template_name = "routines/risk_list_version.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        version = self.object
        context.update(unit=version.risk_list.unit, version=version, items=_items(version),
                       is_current=version.risk_list.current_id == version.pk)
        return context


class RiskListEditView(ObjectMixin, TemplateView):
    """The whole list as rows to edit, add or remove; saving makes the next version in one transaction."""

    queryset = Unit.objects.all()
    duty = Duty.KEEP_RECORDS
    template_name = "routines/risk_list_edit.html"

    def formset(self, data=None):
        initial = [{**row, "covers": covers_value(row)} for row in services.rows_of(
            services.current_version(self.object))]
        for row in initial:
            row.pop("equipment"), row.pop("equipment_type")
        return RiskRowFormSet(data, initial=initial, unit=self.object, prefix="rows")

    def note_form(self, data=None):
        form = NoteForm(data)
        style_widgets(form)
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        formset = kwargs.get("formset") or self.formset()
        for form in formset:
            style_widgets(form)
        style_widgets(formset.empty_form)
        context.update(unit=self.object, formset=formset, form=kwargs.get("form") or self.note_form(),
                       title=_("编辑安全风险管控清单"))
        return context

    def post(self, request, *args, **kwargs):
        formset, form = self.formset(request.POST), self.note_form(request.POST)
        if formset.is_valid() and form.is_valid():
            kept = formset.rows()
            try:
                services.save_list(by=request.user, unit=self.object, rows=[row for _f, row in kept],
                                   note=form.cleaned_data["note"])
            except ValidationError as exc:
                self.place_errors(exc, formset, form, [f for f, _row in kept])
            else:
                messages.success(request, _("清单已保存为新版本。"))
                return redirect("routines:risk_list", self.object.pk)
        return self.render_to_response(self.get_context_data(formset=formset, form=form))

    @staticmethod
    def place_errors(exc, formset, form, forms):
        """A service error naming a row goes next to that row's field; the rest go on top of the page."""
        if not hasattr(exc, "error_dict"):
            apply_form_errors(form, exc)
            return
        for field, errors in exc.error_dict.items():
            for error in errors:
                row = (error.params or {}).get("row")
                if row is not None and row < len(forms) and field in forms[row].fields:
                    forms[row].add_error(field, error)
                else:
                    form.add_error(None, error)


class RiskListGenerateView(ConfirmActionView):
    """从模板生成: the templates of the unit's equipment categories not yet in its list, as the next version."""

    queryset = Unit.objects.all()
    duty = Duty.KEEP_RECORDS
    form_class = ConfirmForm
    title = _("从模板生成")
    button = _("生成")
    danger = False
    done_message = _("已从模板生成新版本，请结合本单位实际修改。")

    @property
    def question(self):
        names = listing(templates()[c]["name"] for c in services.template_codes_for(self.object)) or "—"
        return _("按本单位设备类别（%(names)s）的参考模板补充清单，保存为新版本；已有条目保留，旧版本仍可查看。") % {
            "names": names}

    def perform(self, form):
        services.generate_from_templates(by=self.request.user, unit=self.object)

    def get_success_url(self):
        return reverse("routines:risk_list", args=[self.object.pk])


@login_required
def my_risk_list(request):
    """The enterprise's shortcut to its own unit's list (as ``personnel:my_staff`` is to its staff)."""
    unit = unit_of(request.user)
    if unit is None:
        raise Http404
    return redirect("routines:risk_list", unit.pk)
