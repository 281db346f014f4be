"""Pages of the inspection records, 安全监察指令书 and penalty referrals (docs/domain.md §Inspection record,
§Directive): the lists of the subtree, a record opened from the unit's page and filled in on a phone or tablet on
site, signed on the screen, completed and printed; a directive issued from a completed record, answered by the
unit, re-checked, printed; the referral of an overdue one. Out of scope, every object answers 404."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.db.models import Prefetch
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inspections.supervision import directive_services, inspection_documents, inspection_services
from inspections.supervision.inspection_choices import AWAITING_REPORT, DirectiveStatus, InspectionStatus, ItemResult
from inspections.supervision.inspection_filters import DirectiveFilter, InspectionFilter, ReferralFilter
from inspections.supervision.inspection_forms import (
    AssessmentForm,
    CompleteForm,
    DirectiveForm,
    ItemFindingForm,
    ItemsForm,
    OpenInspectionForm,
    RecheckForm,
    ReferralForm,
    RefusalForm,
    ReportForm,
    SignForm,
)
from inspections.supervision.inspection_tables import (
    DIRECTIVE_BADGES,
    INSPECTION_BADGES,
    REFERRAL_BADGES,
    DirectiveTable,
    InspectionTable,
    ReferralTable,
    badge,
)
from inspections.supervision.models import (
    Directive,
    DirectiveEvidence,
    DirectiveStepRecord,
    Inspection,
    InspectionItem,
    PlanTask,
    Referral,
)
from inspections.supervision.querysets import LIVE_TASKS
from jurisdictions import access
from jurisdictions.access import ENTERPRISES, REGULATORS
from jurisdictions.duties import Duty
from personnel.choices import DIRECTOR_POSTS, OFFICER_POSTS
from personnel.models import Person
from personnel.querysets import in_office_on
from portal.kit.views import ConfirmActionView, ScopedDetailView, ScopedFileView, ScopedFormView, ScopedListView
from units.models import Unit

INSPECT, DIRECT = Duty.INSPECT, Duty.ISSUE_DIRECTIVE
FORM = "supervision/inspection_form.html"


# --- Inspection records ---------------------------------------------------------------------------------

class InspectionListView(ScopedListView):
    queryset = Inspection.objects.select_related("authority")
    table_class = InspectionTable
    filterset_class = InspectionFilter
    title = gettext_lazy("监督检查记录")
    export_name = gettext_lazy("监督检查记录")
    empty_hint = gettext_lazy("在单位页面的“风险等级”栏点“实施监督检查”开始一次检查：两名以上持有效监察员证的检查人员，"
                              "现场逐项记录、拍照取证，被检查单位在屏幕上签字后完成。")


class InspectionCreateView(ScopedFormView):
    """开始检查 from the unit's page: the unit is the URL's object, read through the scope with INSPECT."""

    queryset = Unit.objects.all()
    duty = INSPECT
    audience = REGULATORS
    form_class = OpenInspectionForm
    template_name = FORM
    title = gettext_lazy("实施监督检查")
    success_message = gettext_lazy("检查记录已创建，请逐项记录检查情况。")

    def get_form_kwargs(self):
        tasks = access.scope(PlanTask.objects.filter(LIVE_TASKS, unit=self.object, done_on__isnull=True),
                              self.request.user, INSPECT).select_related("plan", "campaign")
        wanted = self.request.GET.get("task", "")
        task = tasks.filter(pk=wanted).first() if wanted.isdigit() else None
        return {**super().get_form_kwargs(), "user": self.request.user, "tasks": tasks, "task": task}

    def save(self, form):
        d = form.cleaned_data
        return inspection_services.open_inspection(by=self.request.user, unit=self.object, kind=d["kind"],
                                                   inspectors=d["inspectors"], equipment_codes=d["equipment_codes"],
                                                   task=d["task"])

    def get_success_url(self):
        return reverse("inspections:inspection_record", args=[self.saved.pk])


class InspectionDetailView(ScopedDetailView):
    queryset = Inspection.objects.select_related(
        "authority", "recorder", "unit", "task__plan", "task__campaign").prefetch_related(
        "inspectors", Prefetch("items", queryset=InspectionItem.objects.select_related("finding")),
        "equipment__equipment_type", "assessments__person", "directives")
    template_name = "supervision/inspection_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, inspection = self.request.user, self.object
        recording = access.is_regulator(user) and inspection_services.may_record(user, inspection)
        context.update(
            badges=badge(INSPECTION_BADGES, inspection, "inspection-status"),
            recording=recording,
            can_direct=(inspection.status == InspectionStatus.COMPLETED and access.is_regulator(user)
                        and access.can(user, DIRECT, user.jurisdiction) and access.can(user, DIRECT, inspection)),
            inspectors=inspection_documents.inspectors_of(inspection),
        )
        return context


class RecordingMixin:
    """Pages that fill in a record in progress: its recorder's and inspectors' only."""

    queryset = Inspection.objects.filter(status=InspectionStatus.IN_PROGRESS).select_related("unit")
    duty = INSPECT
    audience = REGULATORS
    template_name = FORM

    def get_object(self):
        inspection = super().get_object()
        if inspection is not None and not inspection_services.may_record(self.request.user, inspection):
            raise Http404
        return inspection


class InspectionRecordView(RecordingMixin, ScopedFormView):
    """The checklist on site: result, note and a photo per item, laid out for a phone or tablet."""

    form_class = ItemsForm
    template_name = "supervision/inspection_record.html"
    title = gettext_lazy("记录检查情况")
    success_message = gettext_lazy("检查情况已保存。")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "items": list(self.object.items.select_related("finding")),
                "initial": {"unit_opinion": self.object.unit_opinion}}

    def save(self, form):
        return inspection_services.record_items(by=self.request.user, inspection=self.object, results=form.results(),
                                                photos=form.photos(), unit_opinion=form.cleaned_data["unit_opinion"])


class InspectionFindingView(RecordingMixin, ScopedFormView):
    """登记隐患 from one 不符合 item: the finding's lifecycle is the findings app's."""

    form_class = ItemFindingForm
    title = gettext_lazy("登记隐患")
    success_message = gettext_lazy("隐患已登记，被检查单位可在其待办中看到。")

    def get_item(self) -> InspectionItem:
        item = self.object.items.filter(position=self.kwargs["position"], result=ItemResult.NON_COMPLIANT,
                                        finding__isnull=True).first()
        if item is None:
            raise Http404
        return item

    def get_initial(self):
        item = self.get_item()
        return {"description": inspection_services.item_description(item),
                "due_on": timezone.localdate() + timedelta(days=15)}

    def save(self, form):
        d = form.cleaned_data
        inspection_services.raise_item_finding(by=self.request.user, inspection=self.object,
                                               position=self.get_item().position, description=d["description"],
                                               due_on=d["due_on"], hazard_level=d["hazard_level"])
        return self.object


class InspectionAssessView(RecordingMixin, ScopedFormView):
    """现场抽查考核 of the unit's director or an officer in post (002 附件 8)."""

    duty = Duty.ASSESS_PERSONNEL
    form_class = AssessmentForm
    title = gettext_lazy("现场抽查考核")
    success_message = gettext_lazy("考核结果已记录。")

    def get_form_kwargs(self):
        people = Person.objects.filter(unit_id=self.object.unit_id,
                                       appointments__in=self._posts()).distinct().order_by("name")
        return {**super().get_form_kwargs(), "people": people}

    def _posts(self):
        from personnel.models import Appointment

        return Appointment.objects.filter(in_office_on(timezone.localdate()), unit_id=self.object.unit_id,
                                          post__in=sorted(DIRECTOR_POSTS | OFFICER_POSTS))

    def save(self, form):
        inspection_services.add_assessment(by=self.request.user, inspection=self.object, **form.cleaned_data)
        return self.object


class InspectionSignView(RecordingMixin, ScopedFormView):
    """被检查单位签字 on the inspectors' screen (``static/portal/signature.js``)."""

    form_class = SignForm
    template_name = "supervision/inspection_sign.html"
    title = gettext_lazy("被检查单位签字")
    success_message = gettext_lazy("已签字。")

    def get_initial(self):
        return {"unit_opinion": self.object.unit_opinion}

    def save(self, form):
        return inspection_services.sign(by=self.request.user, inspection=self.object, **form.cleaned_data)


class InspectionRefuseView(RecordingMixin, ScopedFormView):
    form_class = RefusalForm
    title = gettext_lazy("记录拒签情况")
    success_message = gettext_lazy("拒签情况已记录。")

    def save(self, form):
        return inspection_services.refuse_signature(by=self.request.user, inspection=self.object,
                                                    note=form.cleaned_data["note"], photo=form.cleaned_data["photo"])


class InspectionCompleteView(RecordingMixin, ConfirmActionView):
    form_class = CompleteForm
    template_name = "kit/confirm.html"
    title = gettext_lazy("完成检查")
    button = gettext_lazy("确认完成并锁定")
    danger = False
    done_message = gettext_lazy("检查已完成，记录已锁定。")

    @property
    def question(self):
        return _("完成后检查记录将锁定，不能再修改。")

    def perform(self, form):
        inspection_services.complete(by=self.request.user, inspection=self.object, **form.cleaned_data)


class InspectionPdfView(ScopedFileView):
    queryset = Inspection.objects.select_related("authority", "recorder")

    def get_filename(self, inspection) -> str:
        return _("监督检查记录-%(unit)s-%(pk)s.pdf") % {"unit": inspection.unit_name, "pk": inspection.pk}

    def render(self, inspection) -> bytes:
        return inspection_documents.record_pdf(inspection)


class InspectionFileView(ScopedFileView):
    """The signature, the refusal photo or an item's photo, shown in the browser; every opening audited."""

    queryset = Inspection.objects.all()
    inline = True
    WHAT = {"signature": "signature", "refusal": "refusal_photo"}

    def get(self, request, *args, **kwargs):
        if "position" in self.kwargs:
            holder = self.object.items.filter(position=self.kwargs["position"]).first()
            self.file_field, self.what = "photo", f"item-{self.kwargs['position']}"
        else:
            holder, self.what = self.object, self.kwargs["what"]
            self.file_field = self.WHAT.get(self.what)
        if holder is None or self.file_field is None:
            raise Http404
        self.object = holder
        return super().get(request, *args, **kwargs)

    def get_filename(self, obj) -> str:
        field = getattr(obj, self.file_field)
        return _("监督检查-%(pk)s-%(what)s%(suffix)s") % {"pk": self.kwargs["pk"], "what": self.what,
                                                       "suffix": Path(field.name).suffix}


# --- Directives -------------------------------------------------------------------------------------------

class DirectiveListView(ScopedListView):
    queryset = Directive.objects.select_related("unit", "authority")
    table_class = DirectiveTable
    filterset_class = DirectiveFilter
    title = gettext_lazy("安全监察指令书")
    export_name = gettext_lazy("安全监察指令书")
    empty_hint = gettext_lazy("检查发现问题的，在完成的检查记录上下达安全监察指令书；被检查单位在待办中提交整改报告，"
                              "下达机关在 10 个工作日内复查。逾期未整改的自动转为移送处罚。")


class DirectiveCreateView(ScopedFormView):
    """下达 from a completed record, drafted from its findings."""

    queryset = Inspection.objects.filter(status=InspectionStatus.COMPLETED).select_related("unit")
    duty = DIRECT
    audience = REGULATORS
    form_class = DirectiveForm
    template_name = FORM
    title = gettext_lazy("下达安全监察指令书")
    success_message = gettext_lazy("指令书已下达，可下载打印。")

    def has_access(self, user) -> bool:
        return super().has_access(user) and access.can(user, DIRECT, user.jurisdiction)

    def get_initial(self):
        return directive_services.draft(self.object)

    def save(self, form):
        return directive_services.issue(by=self.request.user, inspection=self.object, **form.cleaned_data)


class DirectiveDetailView(ScopedDetailView):
    queryset = Directive.objects.select_related("unit", "authority", "inspection", "issued_by").prefetch_related(
        Prefetch("steps", queryset=DirectiveStepRecord.objects.select_related("by").prefetch_related("evidence")
                 .order_by("at", "id")))
    template_name = "supervision/directive_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, directive = self.request.user, self.object
        regulator = access.is_regulator(user)
        context.update(
            badges=badge(DIRECTIVE_BADGES, directive, "directive-status"),
            can_report=access.is_enterprise(user) and directive.status in AWAITING_REPORT
            and access.can(user, Duty.KEEP_RECORDS, directive),
            can_recheck=regulator and directive.status == DirectiveStatus.REPORTED
            and user.jurisdiction_id == directive.authority_id and access.can(user, DIRECT, directive),
            referral=getattr(directive, "referral", None) if regulator else None,
        )
        return context


class DirectiveReportView(ScopedFormView):
    """整改报告 by the unit."""

    queryset = Directive.objects.filter(status__in=AWAITING_REPORT).select_related("unit")
    duty = Duty.KEEP_RECORDS
    audience = ENTERPRISES
    form_class = ReportForm
    template_name = FORM
    title = gettext_lazy("提交整改报告")
    success_message = gettext_lazy("整改报告已提交，等待监管部门复查。")

    def save(self, form):
        return directive_services.report(by=self.request.user, directive=self.object, **form.cleaned_data)


class DirectiveRecheckView(ScopedFormView):
    """复查 (Art. 29): accept, or send back with the reason."""

    queryset = Directive.objects.filter(status=DirectiveStatus.REPORTED).select_related("unit")
    duty = DIRECT
    audience = REGULATORS
    form_class = RecheckForm
    template_name = FORM
    title = gettext_lazy("复查")
    success_message = gettext_lazy("复查结论已记录。")

    def get_queryset(self):
        return directive_services.issued_by_authority(super().get_queryset(), self.request.user)

    def save(self, form):
        d, by = form.cleaned_data, self.request.user
        if d["decision"] == RecheckForm.ACCEPT:
            return directive_services.accept(by=by, directive=self.object, note=d["note"])
        return directive_services.send_back(by=by, directive=self.object, reason=d["note"])


class DirectivePdfView(ScopedFileView):
    queryset = Directive.objects.select_related("unit", "authority", "inspection")

    def get_filename(self, directive) -> str:
        return _("安全监察指令书-%(number)s.pdf") % {"number": directive.number}

    def render(self, directive) -> bytes:
        return inspection_documents.directive_pdf(directive)


class DirectiveEvidenceView(ScopedFileView):
    queryset = DirectiveEvidence.objects.all()
    file_field = "file"
    inline = True

    def get_filename(self, evidence) -> str:
        return _("整改报告材料-%(directive)s-%(pk)s%(suffix)s") % {
            "directive": evidence.directive_id, "pk": evidence.pk, "suffix": Path(evidence.file.name).suffix}


# --- Referrals ------------------------------------------------------------------------------------------

class ReferralListView(ScopedListView):
    queryset = Referral.objects.select_related("directive", "unit")
    audience = REGULATORS
    table_class = ReferralTable
    filterset_class = ReferralFilter
    title = gettext_lazy("移送处罚")
    export_name = gettext_lazy("逾期未整改移送处罚")
    empty_hint = gettext_lazy("安全监察指令书到期未提交整改报告的，由系统自动转为移送处罚案件，"
                              "下达机关在这里立案并记录处理结果。")


class ReferralDetailView(ScopedDetailView):
    queryset = Referral.objects.select_related("directive", "directive__authority", "unit", "updated_by")
    audience = REGULATORS
    template_name = "supervision/referral_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, referral = self.request.user, self.object
        context.update(badges=badge(REFERRAL_BADGES, referral, "referral-status"),
                       can_update=referral.status != "closed" and user.jurisdiction_id == referral.directive
                       .authority_id and access.can(user, DIRECT, referral))
        return context


class ReferralUpdateView(ScopedFormView):
    """立案 / 办结, by the issuing authority's own accounts."""

    queryset = Referral.objects.exclude(status="closed").select_related("directive")
    duty = DIRECT
    audience = REGULATORS
    form_class = ReferralForm
    template_name = FORM
    title = gettext_lazy("办理移送处罚")
    success_message = gettext_lazy("办理情况已保存。")

    def get_queryset(self):
        return directive_services.issued_by_authority(super().get_queryset(), self.request.user)

    def get_initial(self):
        return {"case_number": self.object.case_number, "note": self.object.note}

    def save(self, form):
        return directive_services.update_referral(by=self.request.user, referral=self.object, **form.cleaned_data)
