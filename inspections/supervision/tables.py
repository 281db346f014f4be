import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from inspections.supervision.choices import Validity
from inspections.supervision.models import InspectorCertificate
from portal.kit.tables import SECONDARY, Table

VALIDITY_BADGES = {Validity.VALID: "text-bg-success", Validity.NOT_YET: "text-bg-secondary",
                   Validity.EXPIRED: "text-bg-danger"}


class InspectorCertificateTable(Table):
    holder = tables.Column(accessor="holder__display_name", verbose_name=_("持证人"),
                           order_by=("holder__display_name", "holder__username"))
    username = tables.Column(accessor="holder__username", verbose_name=_("用户名"), attrs=SECONDARY)
    jurisdiction = tables.Column(accessor="holder__jurisdiction__name", verbose_name=_("所属辖区"),
                                 order_by=("holder__jurisdiction__code",), attrs=SECONDARY)
    number = tables.Column(verbose_name=_("证书编号"))
    certificate_class = tables.Column(verbose_name=_("证书类别"))
    issued_by = tables.Column(verbose_name=_("发证机关"), attrs=SECONDARY)
    issued_on = tables.DateColumn(verbose_name=_("发证日期"), attrs=SECONDARY)
    expires_on = tables.DateColumn(verbose_name=_("有效期至"))
    validity = tables.Column(verbose_name=_("状态"), empty_values=(), orderable=False)
    edit = tables.Column(verbose_name=_("操作"), empty_values=(), orderable=False, accessor="pk")

    export_exclude = ("edit",)

    class Meta:
        model = InspectorCertificate
        fields = ("holder", "username", "jurisdiction", "number", "certificate_class", "issued_by", "issued_on",
                  "expires_on", "validity", "edit")
        order_by = ("expires_on", "id")

    def render_holder(self, value, record):
        return value or record.holder.username

    def value_holder(self, value, record):
        return self.render_holder(value, record)

    def render_validity(self, record):
        state = record.validity()
        return format_html('<span class="badge {}">{}</span>', VALIDITY_BADGES[state], Validity(state).label)

    def value_validity(self, record):
        return record.get_validity_display()

    def render_edit(self, value):
        return format_html('<a href="{}">{}</a>', reverse("supervision:inspector_edit", args=[value]),
                           gettext("修改"))
