"""Use registration pages (000 §二(二): the city registers, and may delegate to the county;
docs/domain.md §Use registration).

The enterprise applies with its documents and follows its applications; the authority — users
holding ``REGISTER_EQUIPMENT`` over the application, i.e. the city or a county while delegated —
works a queue and accepts, approves or rejects. Every write is a ``units.services`` call, which
audits it. Uploaded documents and PDFs are served only through scoped views, never from MEDIA_URL.
"""

from __future__ import annotations

from django.db.models import Case, Count, IntegerField, Value, When
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jurisdictions import access
from jurisdictions.duties import Duty
from portal.kit.forms import ConfirmForm
from portal.kit.views import ConfirmActionView, ScopedDetailView, ScopedFileView, ScopedFormView, ScopedListView
from units import documents, services
from units.choices import ApplicationKind, ApplicationStatus
from units.filters import ApplicationFilter
from units.forms import ApplicationApproveForm, ApplicationForm, ApplicationRejectForm
from units.models import Application, ApplicationDocument, Equipment
from units.tables import ApplicationTable, due_state


class ApplicationListView(ScopedListView):
    """The applications the user may see: an enterprise its own, a regulator those in its area."""

    queryset = Application.objects.select_related("unit").annotate(equipment_count=Count("equipment"))
    table_class = ApplicationTable
    filterset_class = ApplicationFilter
    title = gettext_lazy("使用登记申请")
    create_url_name = "units:application_create"
    create_duty = Duty.KEEP_RECORDS
    export_name = gettext_lazy("使用登记申请")
    empty_hint = gettext_lazy("使用单位为设备提交的使用登记、变更、停用、注销申请会列在这里，"
                              "连同办理进度和决定书编号。")

    def base_queryset(self):
        return super().base_queryset().order_by("-submitted_at", "-pk")


class ApplicationQueueView(ApplicationListView):
    """The authority's work queue: open applications first, the most urgent on top."""

    duty = Duty.REGISTER_EQUIPMENT
    title = gettext_lazy("使用登记办理")
    create_url_name = None
    export_name = gettext_lazy("使用登记办理")
    empty_hint = gettext_lazy("本机关受理范围内使用单位提交的使用登记申请会列在这里，待办的排在前面。")

    def base_queryset(self):
        pending = Case(When(status__in=services.OPEN_STATUSES, then=Value(0)), default=Value(1),
                       output_field=IntegerField())
        return self.queryset.all().annotate(pending=pending).order_by("pending", "due_on", "pk")


class ApplicationCreateView(ScopedFormView):
    """The enterprise applies for some of its equipment; ``?kind=`` picks the kind of application and
    ``?equipment=`` ticks the equipment whose page the user came from (if it is eligible at all)."""

    form_class = ApplicationForm
    duty = Duty.KEEP_RECORDS
    audience = access.ENTERPRISES
    template_name = "units/application_form.html"
    title = gettext_lazy("提交使用登记申请")
    success_message = gettext_lazy("申请已提交，请等待登记机关受理。")

    def get_object(self):
        """The applicant's own unit: the URL names none (an enterprise account acts for one unit)."""
        unit = services.unit_of(self.request.user)
        if unit is None or not access.can(self.request.user, self.duty, unit):
            raise Http404
        return unit

    @property
    def kind(self) -> str:
        kind = self.request.GET.get("kind") or ApplicationKind.REGISTER
        return kind if kind in ApplicationKind.values else ApplicationKind.REGISTER

    def get_initial(self):
        pk = self.request.GET.get("equipment", "")
        return {"equipment": [int(pk)]} if pk.isdigit() else {}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "unit": self.object, "kind": self.kind}

    def save(self, form):
        return services.submit_application(by=self.request.user, unit=self.object, kind=self.kind,
                                           equipment=form.equipment_list(), changes=form.changes(),
                                           reason=form.cleaned_data["reason"], documents=form.documents())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(kind=self.kind, kinds=ApplicationKind.choices,
                       kind_label=ApplicationKind(self.kind).label,
                       required_documents=services.REQUIRED_DOCUMENTS.get(self.kind, ()))
        return context


class ApplicationDetailView(ScopedDetailView):
    queryset = Application.objects.select_related(
        "unit", "authority", "submitted_by", "accepted_by", "decided_by", "decided_by_authority"
    )
    template_name = "units/application_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application, user = self.object, self.request.user
        may_decide = access.can(user, Duty.REGISTER_EQUIPMENT, application)
        status = application.status
        equipment = list(application.equipment.select_related("equipment_type", "category").order_by("pk"))
        certified = (status == ApplicationStatus.APPROVED and application.kind == ApplicationKind.REGISTER)
        context.update(
            equipment=[(e, certified and e.registration_number and e.status in documents.CERTIFIED_STATUSES)
                       for e in equipment],
            documents=application.documents.order_by("kind", "pk"),
            changes=services.change_rows(application),
            timeline=self.timeline(application),
            due=due_state(application),
            can_accept=may_decide and status == ApplicationStatus.SUBMITTED,
            can_approve=may_decide and status == ApplicationStatus.ACCEPTED,
            can_reject=may_decide and status in services.OPEN_STATUSES,
            can_withdraw=status == ApplicationStatus.SUBMITTED and access.can(user, Duty.KEEP_RECORDS, application),
            decided=status in documents.DECIDED_STATUSES,
            authority_title=documents.authority_title(application.authority),
        )
        return context

    @staticmethod
    def timeline(application: Application) -> list[dict]:
        steps = [{"label": _("提交申请"), "by": application.submitted_by, "at": application.submitted_at}]
        if application.accepted_at:
            steps.append({"label": _("受理"), "by": application.accepted_by, "at": application.accepted_at})
        if application.withdrawn_at:
            steps.append({"label": _("申请单位撤回"), "by": application.submitted_by, "at": application.withdrawn_at})
        if application.decided_at:
            label = _("准予办理") if application.status == ApplicationStatus.APPROVED else _("不予办理")
            steps.append({"label": label, "by": application.decided_by, "at": application.decided_at,
                          "where": application.decided_by_authority, "note": application.decision_note})
        return steps


class ApplicationActionView(ConfirmActionView):
    """Accept / approve / reject: only the competent authority finds the application at all."""

    queryset = Application.objects.select_related("unit")
    duty = Duty.REGISTER_EQUIPMENT
    form_class = ConfirmForm
    danger = False


class ApplicationAcceptView(ApplicationActionView):
    title = gettext_lazy("受理使用登记申请")
    question = gettext_lazy("确认受理该申请？受理后请在办理期限内作出决定。")
    button = gettext_lazy("受理")
    done_message = gettext_lazy("申请已受理。")

    def perform(self, form):
        services.accept_application(by=self.request.user, application=self.object)


class ApplicationApproveView(ApplicationActionView):
    form_class = ApplicationApproveForm
    title = gettext_lazy("准予办理")
    question = gettext_lazy("确认准予办理？设备状态将随之变更，首次登记的设备将取得使用登记证编号，并生成决定书。")
    button = gettext_lazy("准予办理")
    done_message = gettext_lazy("已准予办理，决定书已生成。")

    def perform(self, form):
        services.approve_application(by=self.request.user, application=self.object,
                                     opinion=form.cleaned_data["opinion"])


class ApplicationRejectView(ApplicationActionView):
    form_class = ApplicationRejectForm
    danger = True
    title = gettext_lazy("不予办理")
    question = gettext_lazy("请写明不予办理的理由，理由将写入决定书并告知申请单位。")
    button = gettext_lazy("不予办理")
    done_message = gettext_lazy("已作出不予办理决定。")

    def perform(self, form):
        services.reject_application(by=self.request.user, application=self.object,
                                    reason=form.cleaned_data["reason"])


class ApplicationWithdrawView(ApplicationActionView):
    """撤回: the applicant takes back an application the authority has not yet accepted; once accepted
    (or decided, or withdrawn) the page answers 404, like any application the user may not act on."""

    queryset = Application.objects.select_related("unit").filter(status=ApplicationStatus.SUBMITTED)
    duty = Duty.KEEP_RECORDS
    danger = True
    title = gettext_lazy("撤回申请")
    button = gettext_lazy("撤回申请")
    done_message = gettext_lazy("申请已撤回，所选设备可以重新申请。")

    @property
    def question(self):
        return _("确认撤回%(kind)s申请 %(number)s？撤回后登记机关不再办理，记录保留。") % {
            "kind": self.object.get_kind_display(), "number": self.object.number}

    def perform(self, form):
        services.withdraw_application(by=self.request.user, application=self.object)


class ApplicationDocumentView(ScopedFileView):
    """One uploaded document, as an attachment, to users who may view its application (docs/security.md §Uploads)."""

    queryset = ApplicationDocument.objects.all()
    file_field = "file"

    def get_filename(self, document):
        return document.original_name


class ApplicationDecisionView(ScopedFileView):
    """准予/不予登记决定书 of a decided application."""

    queryset = Application.objects.select_related("unit", "authority").filter(
        status__in=documents.DECIDED_STATUSES)

    def get_filename(self, application):
        return _("决定书-%(number)s.pdf") % {"number": application.decision_number}

    def render(self, application):
        return documents.decision_pdf(application)


class EquipmentCertificateView(ScopedFileView):
    """使用登记证 of a registered piece of equipment (in use or suspended)."""

    queryset = Equipment.objects.select_related("unit", "equipment_type", "category").filter(
        status__in=documents.CERTIFIED_STATUSES).exclude(registration_number="")

    def get_filename(self, equipment):
        return _("使用登记证-%(number)s.pdf") % {"number": equipment.registration_number}

    def render(self, equipment):
        return documents.certificate_pdf(equipment)
