"""Pages of the responsibility system: the unit's staff (enterprise, on a phone), people, certificates,
training, spot assessments, and the regulators' staffed-rate indicator and national export."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Min, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from jurisdictions import access
from jurisdictions.duties import Duty, Write
from jurisdictions.models import Jurisdiction
from personnel import documents, exports, querysets, rollup, rules, services
from personnel.choices import AssessmentResult
from personnel.filters import (
    AssessmentFilter,
    CertificateFilter,
    PersonFilter,
    TrainingFilter,
    UnstaffedUnitFilter,
)
from personnel.forms import (
    AppointmentForm,
    AssessmentForm,
    CertificateForm,
    EndAppointmentForm,
    NewAppointmentForm,
    PersonAccountForm,
    PersonForm,
    RevealForm,
    TrainingForm,
)
from personnel.models import (
    ID_PURPOSE,
    Appointment,
    Certificate,
    ExportJob,
    Person,
    SpotAssessment,
    Training,
    UnitStaffing,
)
from personnel.tables import AssessmentTable, CertificateTable, PersonTable, TrainingTable, UnstaffedUnitTable
from portal.kit import crypto
from portal.kit.forms import ConfirmForm, apply_form_errors
from portal.kit.identifiers import normalize_id_number
from portal.kit.views import (
    XLSX,
    ConfirmActionView,
    JobFileView,
    JobListMixin,
    ScopedDetailView,
    ScopedFileView,
    ScopedFormView,
    ScopedListView,
    ScopedMixin,
)
from units.choices import UnitStatus
from units.models import Unit
from units.services import unit_of
from units.views.imports import ImportUploadView

NO_STORE = method_decorator(never_cache, name="dispatch")
HISTORY_LIMIT = 50


# --- The unit's staff -----------------------------------------------------------------------------

class UnitStaffView(ScopedDetailView):
    """人员配备: who holds which post, what is missing, flags and history. Requested by htmx from the
    unit page, it answers the panel alone."""

    queryset = Unit.objects.select_related("jurisdiction", "staffing")
    template_name = "personnel/unit_staff.html"

    def get_template_names(self):
        return ["personnel/_staff_panel.html"] if self.request.headers.get("HX-Request") else [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit, user = self.object, self.request.user
        current = list(unit.appointments.filter(ended_on__isnull=True).select_related("person__account")
                       .prefetch_related("person__certificates").order_by("-started_on", "-id"))
        staffing = getattr(unit, "staffing", None) or UnitStaffing(unit=unit)
        gaps = services.certificate_gaps(current)
        context.update(
            posts=[{"post": post, "holders": [a for a in current if a.post == post]}
                   for post in rules.posts_for(unit.kinds)],
            missing=rules.missing_posts(unit.kinds, staffing.holders()),
            exempt=unit.status == UnitStatus.STOPPED,
            flagged=[a for a in current if a.person.assessment_failed],
            gaps=gaps,
            history=unit.appointments.filter(ended_on__isnull=False).select_related("person")
            .prefetch_related(Prefetch("replaced_by", queryset=Appointment.objects.select_related("person")))
            .order_by("-ended_on", "-id")[:HISTORY_LIMIT],
            trainings=unit.trainings.annotate(attendee_count=Count("results")).order_by("-held_on")[:10],
            can_keep=access.can(user, Write.RECORDS, unit),
            can_link=access.can(user, Write.UNIT_ACCOUNTS, unit),
            single_posts=[str(p) for p in rules.SINGLE_HOLDER_POSTS],
        )
        return context


class UnitStaffPdfView(ScopedFileView):
    """人员配备情况表 PDF, with ID and phone numbers masked like every page; the downloading account signs
    it as 填表人."""

    queryset = Unit.objects.select_related("jurisdiction")

    def get_filename(self, unit):
        return _("人员配备情况表-%(uscc)s.pdf") % {"uscc": unit.uscc}

    def render(self, unit):
        return documents.staff_pdf(unit, filler=self.request.user)


class AppointNewView(ScopedFormView):
    """登记人员并任职 — the form enterprises fill on a phone, one person at a time (``pk``: the unit)."""

    queryset = Unit.objects.select_related("staffing")
    duty = Write.RECORDS
    form_class = NewAppointmentForm
    template_name = "personnel/appointment_form.html"
    title = _("登记人员")
    success_message = _("已登记任职。")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(unit=self.object, posts=rules.posts_for(self.object.kinds))
        if self.request.method == "GET" and self.request.GET.get("post"):
            kwargs["initial"] = {**kwargs.get("initial", {}), "post": self.request.GET["post"]}
        return kwargs

    def save(self, form):
        d = form.cleaned_data
        return services.appoint_new_person(
            by=self.request.user, unit=self.object, name=d["name"], id_number=d["id_number"], phone=d["phone"],
            post=d["post"], started_on=d["started_on"], education=d["education"], title=d["title"],
            covers=d["covers"], equipment=d.get("equipment") or (), document=d.get("document"))

    def get_context_data(self, **kwargs):
        """Warn before a single-holder post changes hands: saving ends the current holder's term."""
        context = super().get_context_data(**kwargs)
        post = self.request.POST.get("post") or self.request.GET.get("post")
        if post in rules.SINGLE_HOLDER_POSTS:
            context["replacing"] = (self.object.appointments.filter(ended_on__isnull=True, post=post)
                                    .select_related("person").first())
        return context


class AppointmentCreateView(ScopedFormView):
    """A person already on the unit's books takes a further post (concurrent holding, 附件 4)."""

    queryset = Person.objects.select_related("unit")
    duty = Write.RECORDS
    form_class = AppointmentForm
    template_name = "personnel/appointment_form.html"
    title = _("任职")
    success_message = _("已登记任职。")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(unit=self.object.unit, posts=rules.posts_for(self.object.unit.kinds))
        return kwargs

    def save(self, form):
        d = form.cleaned_data
        return services.appoint(by=self.request.user, unit=self.object.unit, person=self.object, post=d["post"],
                                started_on=d["started_on"], covers=d["covers"], equipment=d.get("equipment") or (),
                                document=d.get("document"))

    def get_success_url(self):
        return self.object.get_absolute_url()


class AppointmentEndView(ConfirmActionView):
    queryset = Appointment.objects.select_related("person", "unit").filter(ended_on__isnull=True)
    duty = Write.RECORDS
    form_class = EndAppointmentForm
    title = _("离任")
    button = _("确认离任")

    @property
    def question(self):
        return _("%(name)s 将不再担任%(post)s。离任后该任职记录仍保留在历史中。") % {
            "name": self.object.person.name, "post": self.object.get_post_display()}

    def perform(self, form):
        services.end_appointment(by=self.request.user, appointment=self.object,
                                 ended_on=form.cleaned_data["ended_on"], reason=form.cleaned_data["reason"])


class AppointmentDocumentView(ScopedFileView):
    """The uploaded appointment document, to those who see the appointment."""

    queryset = Appointment.objects.exclude(document="")
    file_field = "document"

    def get_filename(self, appointment):
        return _("任命文件-%(pk)s%(suffix)s") % {"pk": appointment.pk, "suffix": Path(appointment.document.name).suffix}


class PeopleImportView(ImportUploadView):
    """人员任职批量导入 (seed 002 附件 10: 补充填报), on the units import machinery."""

    kind = "people"


# --- People ---------------------------------------------------------------------------------------

class PersonListView(ScopedListView):
    queryset = Person.objects.select_related("unit")
    table_class = PersonTable
    filterset_class = PersonFilter
    title = _("人员")
    export_name = _("人员")
    empty_hint = _("单位的主要负责人、安全总监、安全员和作业人员会列在这里；"
                   "在单位的人员配备页面登记任职，或用 Excel 批量导入。")
    import_url_name = "personnel:import"

    import_duty = Write.RECORDS

    def post(self, request, *args, **kwargs):
        """The search form posts, so a full ID number never lands in a URL, a browser history or an
        access log (docs/security.md §Personal information): it comes back as its keyed hash."""
        return self.redirect_hashed(request.POST)

    def get(self, request, *args, **kwargs):
        """A link or bookmark carrying a full number in ``q`` is answered the same way, before any
        sort, page or export link could repeat it."""
        if len(normalize_id_number(request.GET.get("q", "").strip())) == 18:
            return self.redirect_hashed(request.GET)
        return super().get(request, *args, **kwargs)

    def redirect_hashed(self, data):
        params = {k: v for k, v in data.items() if k in ("post", "assessment_failed", "sort", "_export") and v}
        query = data.get("q", "").strip()
        if len(normalize_id_number(query)) == 18:
            params["idx"] = crypto.digest(normalize_id_number(query), ID_PURPOSE)
        elif query:
            params["q"] = query
        path = self.request.path
        return redirect(f"{path}?{urlencode(params)}" if params else path)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "filter_method": "post"}


class PersonDetailView(ScopedDetailView):
    queryset = Person.objects.select_related("unit", "account").prefetch_related(
        Prefetch("appointments", queryset=Appointment.objects.order_by("-started_on", "-id")),
        Prefetch("certificates", queryset=Certificate.objects.order_by("-expires_on")),
        Prefetch("assessments", queryset=SpotAssessment.objects.select_related("authority")
                 .order_by("-assessed_on", "-id")))
    template_name = "personnel/person_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, person = self.request.user, self.object
        context.update(
            can_keep=access.can(user, Write.RECORDS, person),
            can_reveal=access.can(user, Duty.REVEAL_PERSONAL_INFO, person),
            can_assess=access.can(user, Duty.ASSESS_PERSONNEL, person),
            trainings=person.trainings.order_by("-held_on")[:20],
            gaps=services.certificate_gaps([a for a in person.appointments.all() if a.ended_on is None]),
        )
        if access.can(user, Write.UNIT_ACCOUNTS, person):
            context["account_form"] = None if person.account_id else PersonAccountForm(person=person)
            context["can_link"] = True
        return context


class PersonAccountView(ScopedFormView):
    """关联登录账号: which of the unit's enterprise accounts this person logs in with, so what the account files
    or signs counts as the person's posts (Order 74 Art. 142–144). Whoever manages the unit's accounts sets it;
    the person page carries the same form inline."""

    queryset = Person.objects.select_related("unit", "account")
    duty = Write.UNIT_ACCOUNTS
    form_class = PersonAccountForm
    title = _("关联登录账号")
    success_message = _("已关联登录账号。")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "person": self.object}

    def save(self, form):
        return services.link_account(by=self.request.user, person=self.object, account=form.cleaned_data["account"])


class PersonAccountUnlinkView(ConfirmActionView):
    """解除关联: the account stays, but no longer counts as this person's posts."""

    queryset = Person.objects.select_related("unit", "account").filter(account__isnull=False)
    duty = Write.UNIT_ACCOUNTS
    form_class = ConfirmForm
    title = _("解除登录账号关联")
    button = _("确认解除")
    done_message = _("已解除登录账号关联。")

    @property
    def question(self):
        return _("账号“%(username)s”将不再代表 %(name)s，以该账号填报或签署的记录不再按 %(name)s 的职务核对；"
                 "账号本身保留。") % {"username": self.object.account.username, "name": self.object.name}

    def perform(self, form):
        services.link_account(by=self.request.user, person=self.object, account=None)


class PersonEditView(ScopedFormView):
    queryset = Person.objects.all()
    duty = Write.RECORDS
    form_class = PersonForm
    title = _("修改人员信息")
    success_message = _("人员信息已保存。")

    def save(self, form):
        d = form.cleaned_data
        return services.update_person(by=self.request.user, person=self.object, version=d["version"], name=d["name"],
                                      education=d["education"], title=d["title"], id_number=d["id_number"],
                                      phone=d["phone"])


@NO_STORE
class PersonRevealView(ScopedFormView):
    """查看完整身份信息: a POST with a reason, audited; the numbers are shown in this response only."""

    queryset = Person.objects.select_related("unit")
    duty = Duty.REVEAL_PERSONAL_INFO
    form_class = RevealForm
    template_name = "personnel/reveal.html"
    title = _("查看完整身份信息")

    def form_valid(self, form):
        try:
            full = services.reveal(by=self.request.user, person=self.object, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return self.form_invalid(form)
        return self.render_to_response(self.get_context_data(form=form, full=full))


# --- Certificates, training, assessment --------------------------------------------------------------

class CertificateCreateView(ScopedFormView):
    queryset = Person.objects.select_related("unit")
    duty = Write.RECORDS
    form_class = CertificateForm
    title = _("登记作业人员证")
    success_message = _("证书已登记。")

    def save(self, form):
        return services.add_certificate(by=self.request.user, person=self.object, **form.cleaned_data)


class CertificateListView(ScopedListView):
    queryset = Certificate.objects.select_related("person", "unit").annotate(
        last_reminder=Min("reminders__days_before", filter=Q(reminders__expires_on=F("expires_on"))))
    table_class = CertificateTable
    filterset_class = CertificateFilter
    title = _("作业人员证")
    export_name = _("作业人员证")
    empty_hint = _("特种设备作业人员证会列在这里，到期前按期提醒；在人员页面登记持证。")


class TrainingListView(ScopedListView):
    queryset = Training.objects.select_related("unit").annotate(
        attendee_count=Count("results"), failed_count=Count("results", filter=Q(
            results__result=AssessmentResult.FAILED)))
    table_class = TrainingTable
    filterset_class = TrainingFilter
    title = _("培训考核记录")
    export_name = _("培训考核记录")
    empty_hint = _("单位组织的安全教育培训和考核记录会列在这里；在单位的人员配备页面登记培训考核。")


class TrainingCreateView(ScopedFormView):
    queryset = Unit.objects.all()
    duty = Write.RECORDS
    form_class = TrainingForm
    title = _("登记培训考核")
    success_message = _("培训考核记录已保存。")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "unit": self.object}

    def save(self, form):
        d = form.cleaned_data
        return services.record_training(by=self.request.user, unit=self.object, held_on=d["held_on"],
                                        content=d["content"], hours=d["hours"], trainer=d["trainer"],
                                        passed=d["passed"], failed=d["failed"])


class AssessmentCreateView(ScopedFormView):
    """监督抽查考核 by a county-or-higher regulator (附件 8)."""

    queryset = Person.objects.select_related("unit")
    duty = Duty.ASSESS_PERSONNEL
    form_class = AssessmentForm
    title = _("监督抽查考核")
    success_message = _("考核结果已记录。")

    def save(self, form):
        services.record_assessment(by=self.request.user, person=self.object, **form.cleaned_data)
        return self.object


class AssessmentListView(ScopedListView):
    queryset = SpotAssessment.objects.select_related("person", "unit", "authority")
    table_class = AssessmentTable
    filterset_class = AssessmentFilter
    title = _("监督抽查考核")
    export_name = _("监督抽查考核")
    empty_hint = _("监管部门对主要负责人、安全总监、安全员的监督抽查考核结果会列在这里；监管人员在人员页面登记。")


# --- The regulators' indicator ------------------------------------------------------------------------

class StaffingView(ScopedMixin, TemplateView):
    """The campaign's headline figure for a jurisdiction: staffed rate of its subtree, by child.

    Read from the roll-up (``personnel.rollup``) and dated; counted live over the user's units when the
    roll-up cannot answer. Without a broker there is no beat (the quick start), so the page rebuilds a
    roll-up that is missing or older than its interval itself before reading it.
    """

    audience = access.REGULATORS
    template_name = "personnel/staffing.html"

    def get_node(self) -> Jurisdiction:
        user = self.request.user
        pk = self.request.GET.get("node")
        if pk and pk.isdigit():
            return access.get_or_404(Jurisdiction.objects.all(), user, Duty.VIEW, pk=int(pk))
        node = access.home_node(user)
        if node is None or not access.can(user, Duty.VIEW, node):
            raise Http404
        return node

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        node = self.get_node()
        rolled = rollup.rates(node, user)
        if settings.CELERY_TASK_ALWAYS_EAGER and (rolled is None or rollup.is_stale(rolled.as_of)):
            rollup.refresh()
            rolled = rollup.rates(node, user)
        if rolled is None:
            units = access.scope(Unit.objects.all(), user, Duty.VIEW)
            overall, children = querysets.staffing_rates(units, node)
            as_of = None
        else:
            overall, children, as_of = rolled.overall, rolled.children, rolled.as_of
        home = access.home_node(user)
        crumbs = [n for n in node.get_ancestors(include_self=True) if access.can(user, Duty.VIEW, n)]
        context.update(title=_("人员配备率"), node=node, overall=overall, children=children, crumbs=crumbs,
                       home=home, as_of=as_of, interval=settings.STAFFING_ROLLUP_MINUTES)
        return context


class UnstaffedUnitListView(ScopedListView):
    """Units missing a post or with a failed-assessment person in office, to chase up."""

    audience = access.REGULATORS
    table_class = UnstaffedUnitTable
    filterset_class = UnstaffedUnitFilter
    title = _("人员未配齐或考核不合格在岗的单位")
    export_name = _("人员未配齐或考核不合格在岗的单位")
    empty_hint = _("缺少主要负责人、安全总监或安全员，或有监督抽查考核不合格人员在岗的单位会列在这里；"
                   "目前没有需要督促的单位。")

    def base_queryset(self):
        return querysets.needing_attention(Unit.objects.select_related("jurisdiction", "staffing"))


class ExportRequestForm(forms.Form):
    full = forms.BooleanField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("查看原因"), max_length=200, required=False,
                             help_text=_("完整身份证号码和手机号码属于敏感个人信息，申请和每次下载均记入审计日志。"))


@NO_STORE
class NationalExportView(JobListMixin, ScopedFormView):
    """附件 9–11: identity details of principals, directors and officers of the subtree as .xlsx.

    Asking queues a job (personnel.exports) and the page lists the user's jobs, refreshed by htmx
    while one is being built; full numbers need REVEAL_PERSONAL_INFO and a reason.
    """

    audience = access.REGULATORS
    form_class = ExportRequestForm
    initial = {"full": True}
    template_name = "personnel/national_export.html"
    job_queryset = ExportJob.objects.all()
    jobs_template = "personnel/_export_jobs.html"
    title = _("上报总局平台人员信息")
    success_message = _("已提交导出申请，生成后可在下方下载。")

    def save(self, form):
        if form.cleaned_data["full"] and not access.can(self.request.user, Duty.REVEAL_PERSONAL_INFO):
            raise Http404
        return exports.request_export(by=self.request.user, full=form.cleaned_data["full"],
                                      reason=form.cleaned_data["reason"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(columns=documents.NATIONAL_COLUMNS, retention=settings.EXPORT_RETENTION_HOURS,
                       can_full=access.can(self.request.user, Duty.REVEAL_PERSONAL_INFO))
        return context


@NO_STORE
class NationalExportDownloadView(JobFileView):
    """A built workbook, to the user who asked for it only; every download is audited."""

    audience = access.REGULATORS
    queryset = ExportJob.objects.all()

    def respond(self, job):
        try:
            content = exports.open_export(by=self.request.user, job=job)
        except ValidationError as exc:
            raise Http404 from exc
        stamp = timezone.localtime(job.finished_at)
        name = gettext("特种设备安全管理人员信息-%(date)s%(full)s.xlsx") % {
            "date": f"{stamp:%Y%m%d}", "full": gettext("-完整") if job.full else ""}
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
        return response


@login_required
def my_staff(request):
    """The enterprise's shortcut to its own unit's staff page (as ``dashboard:my_unit`` is to the unit)."""
    unit = unit_of(request.user)
    if unit is None:
        raise Http404
    return redirect("personnel:unit_staff", unit.pk)
