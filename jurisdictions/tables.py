import django_tables2 as tables
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jurisdictions.models import AuditEvent, Delegation, Jurisdiction, User
from portal.kit.tables import SECONDARY, Table

# The audit log keeps the second: events of one minute are told apart by it (docs/security.md §Audit).
AUDIT_TIME_FORMAT = "Y-m-d H:i:s"


class JurisdictionTable(Table):
    name = tables.Column(linkify=True, verbose_name=_("名称"))
    code = tables.Column(verbose_name=_("区划代码"), attrs=SECONDARY)
    tier = tables.Column(verbose_name=_("层级"))

    class Meta:
        model = Jurisdiction
        fields = ("name", "code", "tier")
        order_by = ("code",)


class UserTable(Table):
    username = tables.Column(linkify=True, verbose_name=_("用户名"))
    display_name = tables.Column(verbose_name=_("姓名"))
    role = tables.Column(verbose_name=_("角色"), attrs=SECONDARY)
    jurisdiction = tables.Column(accessor="jurisdiction__name", verbose_name=_("所属辖区"),
                                 order_by=("jurisdiction__code",), attrs=SECONDARY)
    is_active = tables.BooleanColumn(verbose_name=pgettext_lazy("account state", "启用"), yesno=(_("是"), _("否")),
                                     attrs=SECONDARY)
    last_login = tables.DateTimeColumn(verbose_name=_("最近登录"), attrs=SECONDARY)

    class Meta:
        model = User
        fields = ("username", "display_name", "role", "jurisdiction", "is_active", "last_login")
        order_by = ("username",)


class DelegationTable(Table):
    grantor = tables.Column(accessor="grantor__name", verbose_name=_("委托方"), attrs=SECONDARY)
    grantee = tables.Column(accessor="grantee__name", verbose_name=_("受托方"))
    duty = tables.Column(verbose_name=_("委托事项"), attrs=SECONDARY)
    starts_on = tables.DateColumn(verbose_name=_("起始日期"), attrs=SECONDARY)
    ends_on = tables.DateColumn(verbose_name=_("截止日期"))
    state = tables.TemplateColumn(
        template_name="jurisdictions/_delegation_state.html", verbose_name=_("状态"), orderable=False
    )

    class Meta:
        model = Delegation
        fields = ("grantor", "grantee", "duty", "starts_on", "ends_on", "state")
        order_by = ("-created_at",)

    def value_duty(self, record):
        return record.get_duty_display()

    def value_state(self, record):
        """The badge's word without the 撤销 button beside it."""
        if record.revoked_at:
            return _("已撤销")
        return _("生效中") if record.is_active else _("未生效")


class AuditEventTable(Table):
    at = tables.DateTimeColumn(verbose_name=_("时间"), format=AUDIT_TIME_FORMAT)
    username = tables.Column(verbose_name=_("用户名"))
    jurisdiction_name = tables.Column(verbose_name=_("辖区"), attrs=SECONDARY)
    kind = tables.Column(verbose_name=_("事件"))
    success = tables.BooleanColumn(verbose_name=_("成功"), yesno=(_("是"), _("否")), attrs=SECONDARY)
    client_ip = tables.Column(verbose_name=_("IP 地址"), attrs=SECONDARY)
    object_repr = tables.Column(verbose_name=_("对象"), attrs=SECONDARY)

    class Meta:
        model = AuditEvent
        fields = ("at", "username", "jurisdiction_name", "kind", "success", "client_ip", "object_repr")
        order_by = ("-at",)

    def value_at(self, value):
        return formats.date_format(timezone.localtime(value), AUDIT_TIME_FORMAT)
