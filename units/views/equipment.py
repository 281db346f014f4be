"""Equipment registry pages and the periodic-inspection due lists (docs/domain.md §Equipment catalogue,
§Periodic inspection)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jurisdictions import access
from jurisdictions.duties import Duty, Write
from portal.kit.imports import IMPORTERS
from portal.kit.views import ScopedDetailView, ScopedFormView, ScopedListView
from units import documents, querysets, services
from units.filters import EquipmentFilter, InspectionDueFilter
from units.forms import EquipmentForm
from units.models import Equipment, Unit
from units.tables import EquipmentTable, InspectionDueTable

LIST_RELATED = ("unit", "category", "equipment_type")


class EquipmentListView(ScopedListView):
    queryset = Equipment.objects.select_related(*LIST_RELATED)
    table_class = EquipmentTable
    filterset_class = EquipmentFilter
    title = _("特种设备")
    export_name = _("特种设备")
    empty_hint = _("使用单位登记的特种设备（锅炉、压力容器、电梯、起重机械等）会列在这里；企业在本页新增设备，"
                   "监管人员在单位页面为单位新增。")

    def get_context_data(self, **kwargs):
        """Enterprises add equipment to their own unit from here; regulators from a unit's page, where
        the unit is fixed (no select over thousands of units)."""
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if access.is_enterprise(user):
            unit = services.unit_of(user)
            if unit is not None and access.can(user, Duty.KEEP_RECORDS, unit):
                context["create_url"] = reverse("units:equipment_create", args=[unit.pk])
        if access.can(user, IMPORTERS["equipment"].duty):
            context["import_url_name"] = "units:equipment_import"
        return context


class EquipmentDetailView(ScopedDetailView):
    queryset = Equipment.objects.select_related(*LIST_RELATED, "jurisdiction")
    template_name = "units/equipment_detail.html"

    def get_context_data(self, **kwargs):
        """Besides the record: the certificate while there is one, the application in progress, and the
        applications the unit may file now (each linking to the application form, ``?kind=``)."""
        context = super().get_context_data(**kwargs)
        equipment, user = self.object, self.request.user
        pending = services.open_application(equipment)
        may_apply = access.can(user, Duty.KEEP_RECORDS, equipment)
        context.update(
            can_edit=access.can(user, Write.RECORDS, equipment),
            has_certificate=equipment.status in documents.CERTIFIED_STATUSES and bool(equipment.registration_number),
            open_application=pending,
            application_kinds=services.application_kinds_for(equipment, busy=pending is not None) if may_apply else [],
        )
        return context


class EquipmentCreateView(ScopedFormView):
    """新增设备 on the unit's page (``pk`` is the unit's)."""

    queryset = Unit.objects.select_related("jurisdiction")
    duty = Write.RECORDS
    form_class = EquipmentForm
    title = _("新增设备")
    success_message = _("设备已录入。办理使用登记后方可投入使用。")

    def save(self, form):
        d = form.cleaned_data
        return services.add_equipment(by=self.request.user, unit=self.object, equipment_type=d["equipment_type"],
                                      code=d["code"], **form.record_fields())


class EquipmentEditView(ScopedFormView):
    queryset = Equipment.objects.select_related(*LIST_RELATED)
    duty = Write.RECORDS
    form_class = EquipmentForm
    title = _("修改设备信息")
    success_message = _("设备信息已保存。")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(),
                "fixed": services.fixed_equipment_fields(self.request.user, self.object)}

    def save(self, form):
        changes = {f: v for f, v in form.cleaned_data.items() if f != "version" and not form.fields[f].disabled}
        return services.update_equipment(by=self.request.user, equipment=self.object,
                                         version=form.cleaned_data["version"], **changes)


class InspectionDueListView(ScopedListView):
    """30 天内到期: in-use equipment whose periodic inspection falls within the next 30 days
    (docs/domain.md §Periodic inspection)."""

    table_class = InspectionDueTable
    filterset_class = InspectionDueFilter
    title = _("定期检验 30 天内到期")
    export_name = _("定期检验30天内到期")
    empty_hint = _("下次定期检验日期在今后 30 天内的在用设备会列在这里，以便提前申报检验；目前没有。")

    def base_queryset(self):
        return querysets.inspection_due(timezone.localdate()).select_related(*LIST_RELATED)


class InspectionOverdueListView(InspectionDueListView):
    """已超期: in-use equipment past its periodic inspection date, which may not be used (Safety Law Art. 40)."""

    title = _("定期检验已超期")
    export_name = _("定期检验已超期")
    empty_hint = _("下次定期检验日期已过、尚未重新检验的设备列在这里（超期设备不得继续使用）；目前没有。")

    def base_queryset(self):
        return querysets.inspection_overdue(timezone.localdate()).select_related(*LIST_RELATED)
