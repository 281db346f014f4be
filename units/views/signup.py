"""Enterprise sign-up (public) and its confirmation by the station or a tier above (000 §四)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from jurisdictions import access
from jurisdictions.duties import Duty
from portal.kit.forms import apply_form_errors, style_widgets
from portal.kit.views import ConfirmActionView, ScopedListView
from units import services
from units.choices import UnitStatus
from units.filters import PendingUnitFilter
from units.forms import RejectForm, ReviewForm, SignupForm
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
                contact_person=d["contact_person"], username=d["username"], display_name=d["display_name"],
                password=d["password"],
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


class UnitReviewView(ConfirmActionView):
    duty = Duty.MANAGE_UNITS
    danger = False

    def get_object(self):
        return access.get_or_404(Unit.objects.select_related("jurisdiction"), self.request.user, self.duty,
                                 pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        if self.object.status != UnitStatus.PENDING:
            messages.info(request, _("该单位当前状态为“%(status)s”，无需审核。") % {
                "status": self.object.get_status_display()})
            return redirect(self.object)
        return super().get(request, *args, **kwargs)

    def get_success_url(self):
        return self.object.get_absolute_url()


class UnitConfirmView(UnitReviewView):
    form_class = ReviewForm
    title = _("确认单位")
    button = _("确认属实")

    @property
    def question(self):
        return _("确认“%(name)s”（%(uscc)s）的注册信息属实、位于%(node)s辖区？确认后该单位即可正常使用平台。") % {
            "name": self.object.name, "uscc": self.object.uscc, "node": self.object.jurisdiction.name}

    def perform(self, form):
        services.confirm_unit(by=self.request.user, unit=self.object, note=form.cleaned_data["note"])
        messages.success(self.request, _("已确认单位“%(name)s”。") % {"name": self.object.name})


class UnitRejectView(UnitReviewView):
    form_class = RejectForm
    title = _("驳回单位注册")
    button = _("驳回")
    danger = True

    @property
    def question(self):
        return _("驳回“%(name)s”（%(uscc)s）的注册？企业登录后将看到驳回理由。") % {
            "name": self.object.name, "uscc": self.object.uscc}

    def perform(self, form):
        services.reject_unit(by=self.request.user, unit=self.object, reason=form.cleaned_data["reason"])
        messages.success(self.request, _("已驳回单位“%(name)s”的注册。") % {"name": self.object.name})
