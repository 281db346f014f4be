import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from jurisdictions.models import AuditEvent, Delegation, Jurisdiction, User


class JurisdictionTable(tables.Table):
    name = tables.Column(linkify=True, verbose_name=_("名称"))
    code = tables.Column(verbose_name=_("区划代码"))
    tier = tables.Column(verbose_name=_("层级"))

    class Meta:
        model = Jurisdiction
        fields = ("name", "code", "tier")
        order_by = ("code",)


class UserTable(tables.Table):
    username = tables.Column(linkify=True, verbose_name=_("用户名"))
    display_name = tables.Column(verbose_name=_("姓名"))
    role = tables.Column(verbose_name=_("角色"))
    jurisdiction = tables.Column(accessor="jurisdiction__name", verbose_name=_("所属辖区"),
                                 order_by=("jurisdiction__code",))
    is_active = tables.BooleanColumn(verbose_name=_("启用"), yesno="是,否")
    last_login = tables.DateTimeColumn(verbose_name=_("最近登录"), format="Y-m-d H:i")

    class Meta:
        model = User
        fields = ("username", "display_name", "role", "jurisdiction", "is_active", "last_login")
        order_by = ("username",)


class DelegationTable(tables.Table):
    grantor = tables.Column(accessor="grantor__name", verbose_name=_("委托方"))
    grantee = tables.Column(accessor="grantee__name", verbose_name=_("受托方"))
    duty = tables.Column(verbose_name=_("委托事项"))
    starts_on = tables.DateColumn(verbose_name=_("起始日期"), format="Y-m-d")
    ends_on = tables.DateColumn(verbose_name=_("截止日期"), format="Y-m-d")
    state = tables.TemplateColumn(
        template_name="jurisdictions/_delegation_state.html", verbose_name=_("状态"), orderable=False
    )

    class Meta:
        model = Delegation
        fields = ("grantor", "grantee", "duty", "starts_on", "ends_on", "state")
        order_by = ("-created_at",)
        export_exclude = ("state",)


class AuditEventTable(tables.Table):
    at = tables.DateTimeColumn(verbose_name=_("时间"), format="Y-m-d H:i:s")
    username = tables.Column(verbose_name=_("用户名"))
    jurisdiction_name = tables.Column(verbose_name=_("辖区"))
    kind = tables.Column(verbose_name=_("事件"))
    success = tables.BooleanColumn(verbose_name=_("成功"), yesno="是,否")
    client_ip = tables.Column(verbose_name=_("IP 地址"))
    object_repr = tables.Column(verbose_name=_("对象"))

    class Meta:
        model = AuditEvent
        fields = ("at", "username", "jurisdiction_name", "kind", "success", "client_ip", "object_repr")
        order_by = ("-at",)
