import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from personnel import rules
from personnel.models import Certificate, Person, SpotAssessment, Training
from portal.kit.tables import SECONDARY, YES, Table
from portal.kit.wording import listing
from units.models import Unit


class PersonTable(Table):
    name = tables.Column(linkify=True, verbose_name=_("姓名"))
    id_masked = tables.Column(verbose_name=_("居民身份证号码"), orderable=False)
    phone_masked = tables.Column(verbose_name=_("手机号码"), orderable=False, attrs=SECONDARY)
    unit = tables.Column(linkify=True, verbose_name=_("单位"), order_by=("unit__name",), attrs=SECONDARY)
    assessment_failed = tables.BooleanColumn(verbose_name=_("考核不合格"), yesno=(_("不合格"), ""))

    class Meta:
        model = Person
        fields = ("name", "id_masked", "phone_masked", "unit", "assessment_failed")
        order_by = ("-id",)


class UnstaffedUnitTable(Table):
    """Units missing a post: the regulator's chase list (seed 002 附件 10)."""

    name = tables.Column(linkify=True, verbose_name=_("单位名称"))
    uscc = tables.Column(verbose_name=_("统一社会信用代码"), attrs=SECONDARY)
    kinds = tables.Column(verbose_name=_("单位类别"), orderable=False, accessor="get_kinds_display", attrs=SECONDARY)
    jurisdiction = tables.Column(verbose_name=_("所属辖区"), accessor="jurisdiction__name", orderable=False,
                                 attrs=SECONDARY)
    missing = tables.Column(verbose_name=_("缺少"), orderable=False, empty_values=())
    flagged = tables.Column(verbose_name=_("考核不合格在岗"), orderable=False, empty_values=(),
                            accessor="staffing__flagged", attrs=SECONDARY)

    class Meta:
        model = Unit
        fields = ("name", "uscc", "kinds", "jurisdiction", "missing", "flagged")
        order_by = ("name",)

    def render_missing(self, record):
        staffing = getattr(record, "staffing", None)
        holders = staffing.holders() if staffing else {}
        return listing(p.label for p in rules.missing_posts(record.kinds, holders)) or "—"

    def value_missing(self, record):
        return self.render_missing(record)

    def render_flagged(self, value):
        return YES if value else "—"


class CertificateTable(Table):
    person = tables.Column(linkify=True, verbose_name=_("持证人"), order_by=("person__name",))
    unit = tables.Column(verbose_name=_("单位"), accessor="unit__name", order_by=("unit__name",), attrs=SECONDARY)
    item_code = tables.Column(verbose_name=_("作业项目"))
    # Masked, and not sortable: the order of full numbers would tell the hidden digits.
    number = tables.Column(verbose_name=_("证书编号"), accessor="number_masked", orderable=False, attrs=SECONDARY)
    issued_by = tables.Column(verbose_name=_("发证机关"), attrs=SECONDARY)
    expires_on = tables.DateColumn(verbose_name=_("有效期至"))
    reminded = tables.Column(verbose_name=_("到期提醒"), accessor="last_reminder", orderable=False, attrs=SECONDARY)

    class Meta:
        model = Certificate
        fields = ("person", "unit", "item_code", "number", "issued_by", "expires_on", "reminded")
        order_by = ("expires_on",)

    def render_item_code(self, value):
        return rules.certificate_name(value)

    def value_item_code(self, value):
        return rules.certificate_name(value)

    def render_reminded(self, value):
        return _("已于到期前 %(d)d 天提醒") % {"d": value}


class TrainingTable(Table):
    held_on = tables.DateColumn(verbose_name=_("培训日期"))
    unit = tables.Column(linkify=True, verbose_name=_("单位"), order_by=("unit__name",), attrs=SECONDARY)
    content = tables.Column(verbose_name=_("培训内容"))
    hours = tables.Column(verbose_name=_("学时"), attrs=SECONDARY)
    trainer = tables.Column(verbose_name=_("授课人或机构"), attrs=SECONDARY)
    attendees = tables.Column(verbose_name=_("参训 / 不合格"), orderable=False, empty_values=(), attrs=SECONDARY)

    class Meta:
        model = Training
        fields = ("held_on", "unit", "content", "hours", "trainer", "attendees")
        order_by = ("-held_on",)

    def render_attendees(self, record):
        return f"{record.attendee_count} / {record.failed_count}"

    def value_attendees(self, record):
        return self.render_attendees(record)


class AssessmentTable(Table):
    assessed_on = tables.DateColumn(verbose_name=_("考核日期"))
    person = tables.Column(linkify=True, verbose_name=_("被考核人"), order_by=("person__name",))
    unit = tables.Column(verbose_name=_("单位"), accessor="unit__name", order_by=("unit__name",), attrs=SECONDARY)
    score = tables.Column(verbose_name=_("得分"), attrs=SECONDARY)
    result = tables.Column(verbose_name=_("结果"))
    authority = tables.Column(verbose_name=_("考核机关"), accessor="authority__name", orderable=False,
                              attrs=SECONDARY)

    class Meta:
        model = SpotAssessment
        fields = ("assessed_on", "person", "unit", "score", "result", "authority")
        order_by = ("-assessed_on",)
