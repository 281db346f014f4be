"""Enterprise sign-up (public) and its confirmation by the station or a tier above (000 §四)."""

from pathlib import Path

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from jurisdictions.duties import Duty, Tier
from jurisdictions.models import Jurisdiction
from portal.kit.forms import apply_form_errors, style_widgets
from portal.kit.views import ConfirmActionView, ScopedFileView, ScopedFormView, ScopedListView
from units import services
from units.choices import UnitStatus
from units.filters import PendingUnitFilter
from units.forms import RejectForm, ResubmitForm, ReviewForm, SignupForm
from units.models import Unit
from units.tables import PendingUnitTable


class SignupView(FormView):
    """Open to anyone without an account; a signed-in user has nothing to sign up for."""

    form_class = SignupForm
    template_name = "units/signup.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("dashboard:home")
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        style_widgets(form)
        return form

    def form_valid(self, form):
        d = form.cleaned_data
        try:
            services.signup_unit(
                uscc=d["uscc"], name=d["name"], kinds=d["kinds"], jurisdiction=d["jurisdiction"],
                address=d["address"], legal_representative=d["legal_representative"],
                contact_person=d["contact_person"], contact_phone=d["contact_phone"], licence=d["licence"],
                username=d["username"], display_name=d["display_name"], password=d["password"],
            )
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _(
            "注册信息已提交，待属地市场监管所确认。现在可以用刚才设置的用户名和密码登录，查看确认进度。"
        ))
        return redirect("login")


class PendingUnitListView(ScopedListView):
    """待确认单位: units that signed themselves up, in the user's MANAGE_UNITS scope."""

    queryset = Unit.objects.filter(status=UnitStatus.PENDING).select_related("jurisdiction")
    duty = Duty.MANAGE_UNITS
    table_class = PendingUnitTable
    filterset_class = PendingUnitFilter
    title = _("待确认单位")
    export_name = _("待确认单位")
    empty_hint = _("企业在登录页自助注册后，等待属地市场监管所确认的单位会列在这里；目前没有待确认的单位。")


class UnitResubmitView(ScopedFormView):
    """更正并重新提交: the rejected applicant corrects its sign-up; the station sees it again (000 §四)."""

    queryset = Unit.objects.select_related("jurisdiction")
    duty = Duty.EDIT_UNIT
    form_class = ResubmitForm
    template_name = "units/unit_resubmit.html"
    title = _("更正注册信息并重新提交")
    success_message = _("注册信息已重新提交，待属地市场监管所确认。")

    def get(self, request, *args, **kwargs):
        if self.object.status != UnitStatus.REJECTED:
            messages.info(request, _("该单位当前状态为“%(status)s”，无需重新提交。") % {
                "status": self.object.get_status_display()})
            return redirect(self.object)
        return super().get(request, *args, **kwargs)

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        # The station list is public, as on the sign-up page: the kit's narrowing to the enterprise's
        # own scope would leave it empty. The service still takes only a station.
        form.fields["jurisdiction"].queryset = Jurisdiction.objects.filter(tier=Tier.STATION)
        return form

    def save(self, form):
        d = form.cleaned_data
        return services.resubmit_unit(
            by=self.request.user, unit=self.object, jurisdiction=d["jurisdiction"], contact_phone=d["contact_phone"],
            licence=d["licence"], uscc=d["uscc"], name=d["name"], kinds=d["kinds"], address=d["address"],
            legal_representative=d["legal_representative"], contact_person=d["contact_person"])


class UnitLicenceView(ScopedFileView):
    """The unit's 营业执照, inline, to whoever may view the unit — the enterprise itself and the
    regulators over it; never from MEDIA_URL (docs/security.md §Uploads)."""

    queryset = Unit.objects.all()
    file_field = "licence"
    inline = True

    def get_filename(self, unit):
        return _("营业执照-%(uscc)s%(suffix)s") % {"uscc": unit.uscc, "suffix": Path(unit.licence.name).suffix}


class UnitReviewView(ConfirmActionView):
    """The station checks the sign-up against its 营业执照 and contact phone (masked: the reveal of
    full numbers is a person's, not a unit's) before it confirms or rejects."""

    queryset = Unit.objects.select_related("jurisdiction", "reviewed_by")
    duty = Duty.MANAGE_UNITS
    danger = False
    template_name = "units/unit_review.html"

    def get(self, request, *args, **kwargs):
        if self.object.status != UnitStatus.PENDING:
            messages.info(request, _("该单位当前状态为“%(status)s”，无需审核。") % {
                "status": self.object.get_status_display()})
            return redirect(self.object)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["licence_is_pdf"] = Path(self.object.licence.name or "").suffix.lower() == ".pdf"
        return context


class UnitConfirmView(UnitReviewView):
    form_class = ReviewForm
    title = _("确认单位")
    button = _("确认属实")

    @property
    def question(self):
        return _("确认“%(name)s”（%(uscc)s）的注册信息属实、位于%(node)s辖区？确认后该单位即可正常使用平台。") % {
            "name": self.object.name, "uscc": self.object.uscc, "node": self.object.jurisdiction.name}

    @property
    def done_message(self):
        return _("已确认单位“%(name)s”。") % {"name": self.object.name}

    def perform(self, form):
        services.confirm_unit(by=self.request.user, unit=self.object, note=form.cleaned_data["note"])


class UnitRejectView(UnitReviewView):
    form_class = RejectForm
    title = _("驳回单位注册")
    button = _("驳回")
    danger = True

    @property
    def question(self):
        return _("驳回“%(name)s”（%(uscc)s）的注册？企业登录后将看到驳回理由。") % {
            "name": self.object.name, "uscc": self.object.uscc}

    @property
    def done_message(self):
        return _("已驳回单位“%(name)s”的注册。") % {"name": self.object.name}

    def perform(self, form):
        services.reject_unit(by=self.request.user, unit=self.object, reason=form.cleaned_data["reason"])
