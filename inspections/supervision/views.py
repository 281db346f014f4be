"""Pages of the supervision app: a unit's risk grade with its reasons (a panel of the unit's page), the 重点单位
form, and the inspector pool's certificates (docs/domain.md §Risk grade, §Inspector pool; docs/access.md §The
access matrix lists who opens each)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from inspections.supervision import grading, services
from inspections.supervision.filters import InspectorCertificateFilter
from inspections.supervision.forms import InspectorCertificateForm, KeyUnitForm
from inspections.supervision.models import InspectorCertificate, KeyUnit, UnitRisk
from inspections.supervision.tables import InspectorCertificateTable
from jurisdictions import access
from jurisdictions.access import REGULATORS
from jurisdictions.duties import Duty
from portal.kit.views import ScopedDetailView, ScopedFormView, ScopedListView
from units.models import Unit


class UnitRiskView(ScopedDetailView):
    """The grade, its score and each reason, loaded into the unit's page (whoever sees the unit)."""

    queryset = Unit.objects.all()
    template_name = "supervision/unit_risk.html"

    def get_template_names(self):
        return ["supervision/_risk_panel.html"] if self.request.headers.get("HX-Request") else [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit, user = self.object, self.request.user
        risk = UnitRisk.objects.filter(unit=unit).first()
        regulator = access.is_regulator(user)
        context.update(
            risk=risk, lines=grading.describe(risk.reasons, with_key_reason=regulator) if risk else [],
            key=KeyUnit.objects.filter(unit=unit).select_related("designated_by").first() if regulator else None,
            can_designate=regulator and access.can(user, Duty.INSPECT, unit),
        )
        return context


class KeyUnitView(ScopedFormView):
    """列为 / 取消重点单位 (Order 57 Art. 9), by a regulator inspecting the unit."""

    queryset = Unit.objects.all()
    duty = Duty.INSPECT
    audience = REGULATORS
    form_class = KeyUnitForm
    title = _("重点单位")
    success_message = _("重点单位设置已保存，风险等级已重新评定。")

    def get_initial(self):
        key = KeyUnit.objects.filter(unit=self.object).first()
        return {"designated": key is not None, "reason": key.reason if key else ""}

    def save(self, form):
        d = form.cleaned_data
        return services.set_key_unit(by=self.request.user, unit=self.object, designated=d["designated"],
                                     reason=d["reason"])


class InspectorListView(ScopedListView):
    """监察员证 of the accounts in the viewer's subtree."""

    queryset = InspectorCertificate.objects.select_related("holder__jurisdiction")
    table_class = InspectorCertificateTable
    filterset_class = InspectorCertificateFilter
    audience = REGULATORS
    title = _("监察员证")
    export_name = _("监察员证")
    empty_hint = _("辖区内监管人员的特种设备安全监察员证列在这里；只有持有效证件的人员才能被抽取或记入监督检查。"
                   "由本级或上级负责人录入。")
    create_url_name = "supervision:inspector_create"
    create_duty = Duty.MANAGE_ACCOUNTS

    def get_table_kwargs(self):
        """The 修改 column for those who manage accounts: a leader manages the accounts of the subtree it views."""
        if access.can(self.request.user, Duty.MANAGE_ACCOUNTS):
            return {}
        return {"exclude": ("edit",)}


class InspectorCreateView(ScopedFormView):
    duty = Duty.MANAGE_ACCOUNTS
    audience = REGULATORS
    form_class = InspectorCertificateForm
    title = _("录入监察员证")
    success_message = _("监察员证已录入。")

    def save(self, form):
        d = form.cleaned_data
        return services.add_certificate(by=self.request.user, holder=d["holder"], number=d["number"],
                                        certificate_class=d["certificate_class"], issued_by=d["issued_by"],
                                        issued_on=d["issued_on"], expires_on=d["expires_on"])


class InspectorEditView(ScopedFormView):
    queryset = InspectorCertificate.objects.select_related("holder__jurisdiction")
    duty = Duty.MANAGE_ACCOUNTS
    audience = REGULATORS
    form_class = InspectorCertificateForm
    title = _("修改监察员证")
    success_message = _("监察员证已保存。")

    def save(self, form):
        d = form.cleaned_data
        return services.update_certificate(by=self.request.user, certificate=self.object,
                                           **{f: d[f] for f in services.CERTIFICATE_FIELDS})
