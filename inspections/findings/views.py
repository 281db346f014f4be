"""Pages of the findings lifecycle: the list (enterprise: its unit's; regulators: their subtree), a finding's
page with its timeline, raising one, rectifying with evidence, verifying or sending it back, and the evidence
files as audited downloads (docs/domain.md §Findings)."""

from __future__ import annotations

from pathlib import Path

from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from inspections.findings import services
from inspections.findings.choices import Status
from inspections.findings.filters import FindingFilter
from inspections.findings.forms import FindingForm, RectifyForm, RejectForm, VerifyForm
from inspections.findings.models import Evidence, Finding, FindingStep
from inspections.findings.tables import FindingTable, status_badges
from jurisdictions import access
from jurisdictions.duties import Duty, Write
from portal.kit.views import ConfirmActionView, ScopedDetailView, ScopedFileView, ScopedFormView, ScopedListView
from units.services import unit_of


class FindingListView(ScopedListView):
    queryset = Finding.objects.select_related("unit", "responsible")
    table_class = FindingTable
    filterset_class = FindingFilter
    title = _("隐患整改")
    export_name = _("隐患整改")
    empty_hint = _("日常检查、排查和监督检查发现的隐患会列在这里，整改、验证销号的每一步都留有记录；"
                   "单位也可以直接登记发现的隐患。")
    create_url_name = "findings:finding_create"
    create_duty = Duty.KEEP_RECORDS


class FindingDetailView(ScopedDetailView):
    queryset = Finding.objects.select_related("unit", "equipment__equipment_type", "responsible", "raised_by",
                                              "jurisdiction").prefetch_related(
        Prefetch("steps", queryset=FindingStep.objects.select_related("by").prefetch_related("evidence")
                 .order_by("at", "id")))
    template_name = "findings/finding_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, finding = self.request.user, self.object
        awaiting = finding.status == Status.RECTIFIED and access.can(user, Write.VERIFICATION, finding)
        refusal = services.closing_refusal(user, finding) if awaiting else None
        context.update(
            badges=status_badges(finding),
            can_rectify=finding.status == Status.OPEN and access.can(user, Duty.KEEP_RECORDS, finding),
            can_verify=awaiting and refusal is None,
            verify_refusal=refusal.messages[0] if refusal is not None and refusal.code == "post" else "",
        )
        return context


class FindingCreateView(ScopedFormView):
    """登记隐患: the enterprise records a hazard it found, for its own unit."""

    duty = Duty.KEEP_RECORDS
    form_class = FindingForm
    title = _("登记隐患")
    success_message = _("隐患已登记。")

    def get_unit(self):
        unit = unit_of(self.request.user)
        if unit is None or not access.can(self.request.user, Duty.KEEP_RECORDS, unit):
            raise Http404
        return unit

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "unit": self.get_unit()}

    def save(self, form):
        d = form.cleaned_data
        return services.raise_finding(by=self.request.user, unit=self.get_unit(), description=d["description"],
                                      hazard_level=d["hazard_level"], equipment=d.get("equipment"),
                                      responsible=d.get("responsible"), due_on=d["due_on"])


class FindingRectifyView(ScopedFormView):
    """整改: what was done, with photos or documents proving it."""

    queryset = Finding.objects.select_related("unit")
    duty = Duty.KEEP_RECORDS
    form_class = RectifyForm
    template_name = "findings/rectify_form.html"
    title = _("提交整改")
    success_message = _("整改情况已提交，等待验证销号。")

    def save(self, form):
        return services.rectify(by=self.request.user, finding=self.object, note=form.cleaned_data["note"],
                                evidence=form.cleaned_data["evidence"])


class FindingVerifyView(ConfirmActionView):
    queryset = Finding.objects.select_related("unit")
    duty = Write.VERIFICATION
    form_class = VerifyForm
    title = _("验证销号")
    button = _("确认销号")
    danger = False
    done_message = _("隐患已验证销号。")

    @property
    def question(self):
        return _("确认 %(finding)s 已整改到位并销号？销号后不能再修改。") % {"finding": self.object}

    def perform(self, form):
        services.verify(by=self.request.user, finding=self.object, note=form.cleaned_data["note"])


class FindingRejectView(ConfirmActionView):
    queryset = Finding.objects.select_related("unit")
    duty = Write.VERIFICATION
    form_class = RejectForm
    title = _("退回整改")
    button = _("确认退回")
    done_message = _("已退回整改。")

    @property
    def question(self):
        return _("%(finding)s 整改未到位，退回单位重新整改。本次整改情况和佐证仍保留在记录中。") % {
            "finding": self.object}

    def perform(self, form):
        services.reject(by=self.request.user, finding=self.object, reason=form.cleaned_data["reason"])


class EvidenceFileView(ScopedFileView):
    """A rectification's photo or PDF, to whoever sees the finding; shown in the browser, every opening audited."""

    queryset = Evidence.objects.select_related("finding")
    file_field = "file"
    inline = True

    def get_filename(self, evidence):
        return _("整改佐证-%(finding)s-%(pk)s%(suffix)s") % {
            "finding": evidence.finding_id, "pk": evidence.pk, "suffix": Path(evidence.file.name).suffix}
