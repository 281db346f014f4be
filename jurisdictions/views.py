from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from jurisdictions import access, services
from jurisdictions.access import record_event
from jurisdictions.duties import REGULATOR_ROLES, Duty, Tier, duty_label
from jurisdictions.filters import AuditEventFilter, DelegationFilter, UserFilter
from jurisdictions.forms import DelegationForm, RegulatorForm, RevokeForm, StationForm
from jurisdictions.models import AuditEvent, Delegation, Jurisdiction, User
from jurisdictions.tables import AuditEventTable, DelegationTable, JurisdictionTable, UserTable
from portal.kit.forms import ConfirmForm
from portal.kit.views import ConfirmActionView, ScopedDetailView, ScopedFormView, ScopedListView

AUTOCOMPLETE_LIMIT = 20


class AuditedPasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            record_event(AuditEvent.Kind.PASSWORD_CHANGED, user=self.request.user)
        return response


@login_required
def autocomplete(request):
    """Scoped jurisdiction search for the picker widget: at most 20 matches, never the whole tree.

    A picker may narrow it to the nodes its field accepts: ``tier``, and ``duty``, the duty the user
    must hold over them (the scope only ever shrinks: an unknown duty or tier finds nothing).
    """
    field = request.GET.get("field", "")
    term = request.GET.get(f"{field}__search", request.GET.get("q", "")).strip()
    duty, tier = request.GET.get("duty") or Duty.VIEW, request.GET.get("tier")
    if duty not in Duty.values or (tier and tier not in Tier.values):
        return render(request, "jurisdictions/_autocomplete.html", {"nodes": [], "term": term})
    nodes = access.scope(Jurisdiction.objects.all(), request.user, duty)
    if tier:
        nodes = nodes.filter(tier=tier)
    if term:
        nodes = nodes.filter(name__icontains=term) if not term.isdigit() else nodes.filter(code__startswith=term)
    nodes = nodes.order_by("tree_id", "lft").only("id", "name", "code", "tier")[:AUTOCOMPLETE_LIMIT]
    return render(request, "jurisdictions/_autocomplete.html", {"nodes": nodes, "term": term})


@require_GET
def station_autocomplete(request):
    """Public station search for the enterprise sign-up form (no login).

    Bounded by construction: it answers only station-tier nodes whose name (or code prefix) matches a
    non-empty term, at most 20 of them, with their name, code and county — the public administrative
    division list and nothing of the portal's data — so it cannot be used to walk the tree or the units.
    """
    field = request.GET.get("field", "")
    term = request.GET.get(f"{field}__search", request.GET.get("q", "")).strip()[:48]
    nodes = Jurisdiction.objects.none()
    if term:
        stations = Jurisdiction.objects.filter(tier=Tier.STATION).select_related("parent")
        nodes = stations.filter(code__startswith=term) if term.isdigit() else stations.filter(name__icontains=term)
        nodes = nodes.order_by("tree_id", "lft").only("id", "name", "code", "parent__name")[:AUTOCOMPLETE_LIMIT]
    return render(request, "jurisdictions/_station_autocomplete.html", {"nodes": nodes, "term": term})


@login_required
def browse(request):
    """The tree browser starts at the user's own node; there is no way above it."""
    top = access.grants(request.user).top_nodes
    if not top:
        raise Http404
    return redirect("jurisdictions:jurisdiction_detail", pk=top[0].id)


class JurisdictionDetailView(ScopedDetailView):
    queryset = Jurisdiction.objects.all()
    template_name = "jurisdictions/jurisdiction_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        node = self.object
        visible = access.scope(node.get_ancestors(), self.request.user, Duty.VIEW)
        children = node.get_children()
        table = JurisdictionTable(children)
        table.paginate(page=self.request.GET.get("page", 1), per_page=50)
        context.update(
            breadcrumb=list(visible.only("id", "name")),
            table=table,
            can_add_station=node.tier in (Tier.CITY, Tier.COUNTY)
            and access.can(self.request.user, Duty.MANAGE_JURISDICTIONS, node),
            can_delegate=node.tier == Tier.COUNTY and access.can(self.request.user, Duty.DELEGATE_REGISTRATION, node),
            delegations=Delegation.objects.active().filter(grantee=node).select_related("grantor"),
        )
        return context


class StationCreateView(ScopedFormView):
    form_class = StationForm
    duty = Duty.MANAGE_JURISDICTIONS
    title = gettext_lazy("新增市场监管所")
    success_message = gettext_lazy("已新增市场监管所。")

    def get_initial(self):
        return {"parent": self.request.GET.get("parent")}

    def save(self, form):
        return services.add_station(by=self.request.user, parent=form.cleaned_data["parent"],
                                    name=form.cleaned_data["name"])


# --- Accounts ------------------------------------------------------------------------------------

class UserListView(ScopedListView):
    queryset = User.objects.select_related("jurisdiction")
    duty = Duty.MANAGE_ACCOUNTS
    table_class = UserTable
    filterset_class = UserFilter
    title = gettext_lazy("账号管理")
    create_url_name = "jurisdictions:user_create"
    export_name = gettext_lazy("账号")
    empty_hint = gettext_lazy("本辖区及下级的监管人员账号会列在这里；新增账号后告知本人初始密码。")


class UserDetailView(ScopedDetailView):
    queryset = User.objects.select_related("jurisdiction", "created_by")
    duty = Duty.MANAGE_ACCOUNTS
    template_name = "jurisdictions/user_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.object
        context["duties"] = sorted(
            {duty_label(c) for c in user.jurisdictionuserobjectpermission_set.values_list("permission__codename",
                                                                                           flat=True)}
        )
        # The account's events are audit records: shown to who may read the audit log, and only those
        # written inside that reader's subtree (a higher tier's actors stay out of a county's view).
        if access.can(self.request.user, Duty.VIEW_AUDIT):
            events = AuditEvent.objects.filter(object_type=User._meta.label, object_id=str(user.pk))
            context["events"] = access.scope(events, self.request.user, Duty.VIEW_AUDIT).order_by("-at")[:20]
        return context


class UserCreateView(ScopedFormView):
    form_class = RegulatorForm
    duty = Duty.MANAGE_ACCOUNTS
    title = gettext_lazy("新建监管人员账号")
    success_message = gettext_lazy("账号已创建。")

    def save(self, form):
        data = form.cleaned_data
        return services.create_regulator(
            by=self.request.user, username=data["username"], password=data["password"],
            display_name=data["display_name"], jurisdiction=data["jurisdiction"], role=data["role"],
            email=data["email"],
        )


class UserEditView(ScopedFormView):
    """A regulator's account; an enterprise's is its unit's business (units:unit_account_create)."""

    queryset = User.objects.select_related("jurisdiction").filter(role__in=REGULATOR_ROLES)
    duty = Duty.MANAGE_ACCOUNTS
    form_class = RegulatorForm
    title = gettext_lazy("修改账号")
    success_message = gettext_lazy("账号已更新。")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "editing": True}

    def get_initial(self):
        u = self.object
        return {"username": u.username, "display_name": u.display_name, "email": u.email,
                "jurisdiction": u.jurisdiction_id, "role": u.role}

    def save(self, form):
        data = form.cleaned_data
        return services.change_regulator(by=self.request.user, user=self.object, display_name=data["display_name"],
                                         role=data["role"], jurisdiction=data["jurisdiction"], email=data["email"])


class UserToggleActiveView(ConfirmActionView):
    queryset = User.objects.all()
    duty = Duty.MANAGE_ACCOUNTS
    form_class = ConfirmForm
    done_message = gettext_lazy("账号状态已更新。")

    def get_context_data(self, **kwargs):
        u = self.object
        self.title = _("停用账号") if u.is_active else _("启用账号")
        self.question = (_("停用后“%(name)s”将立即被登出且无法登录。确定停用吗？") if u.is_active
                         else _("确定重新启用“%(name)s”吗？")) % {"name": u}
        self.danger = u.is_active
        return super().get_context_data(**kwargs)

    def perform(self, form):
        services.set_active(by=self.request.user, user=self.object, active=not self.object.is_active)


# --- Delegation (000 §二(二)) -----------------------------------------------------------------------

class DelegationListView(ScopedListView):
    """Delegations the user can see: given by its city, or received by its county."""

    queryset = Delegation.objects.select_related("grantor", "grantee")
    table_class = DelegationTable
    filterset_class = DelegationFilter
    title = gettext_lazy("使用登记委托")
    create_url_name = "jurisdictions:delegation_create"
    create_duty = Duty.DELEGATE_REGISTRATION
    export_name = gettext_lazy("使用登记委托")
    empty_hint = gettext_lazy("设区的市级监管部门委托县级部门办理使用登记的记录会列在这里，连同起止日期和状态。")

    def get_table(self, **kwargs):
        table = super().get_table(**kwargs)
        table.can_revoke = access.can(self.request.user, Duty.DELEGATE_REGISTRATION)
        return table


class DelegationCreateView(ScopedFormView):
    form_class = DelegationForm
    duty = Duty.DELEGATE_REGISTRATION
    title = gettext_lazy("委托县级办理使用登记")
    success_message = gettext_lazy("委托已生效。")

    def get_initial(self):
        return {"grantee": self.request.GET.get("grantee")}

    def save(self, form):
        data = form.cleaned_data
        return services.delegate(by=self.request.user, grantee=data["grantee"], starts_on=data["starts_on"],
                                 ends_on=data["ends_on"], note=data["note"])


class DelegationRevokeView(ConfirmActionView):
    queryset = Delegation.objects.select_related("grantee")
    duty = Duty.DELEGATE_REGISTRATION
    form_class = RevokeForm
    title = gettext_lazy("撤销委托")
    done_message = gettext_lazy("委托已撤销。")

    def get_context_data(self, **kwargs):
        self.question = _("撤销后 %(name)s 将立即不能办理使用登记。") % {"name": self.object.grantee}
        return super().get_context_data(**kwargs)

    def perform(self, form):
        services.revoke_delegation(by=self.request.user, delegation=self.object, reason=form.cleaned_data["reason"])


# --- Audit (docs/security.md §Audit) ----------------------------------------------------------------

class AuditEventListView(ScopedListView):
    queryset = AuditEvent.objects.all()
    duty = Duty.VIEW_AUDIT
    table_class = AuditEventTable
    filterset_class = AuditEventFilter
    title = gettext_lazy("审计日志")
    export_name = gettext_lazy("审计日志")
    empty_hint = gettext_lazy("登录、导出、查看敏感信息和数据变更等事件会记录在这里；没有符合条件的事件。")
