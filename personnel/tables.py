import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from personnel import rules
from personnel.models import Certificate, Person, SpotAssessment, Training
from units.models import Unit


class PersonTable(tables.Table):
    name = tables.Column(linkify=True, verbose_name=_("姓名"))
    id_masked = tables.Column(verbose_name=_("居民身份证号码"), orderable=False)
    phone_masked = tables.Column(verbose_name=_("手机号码"), orderable=False)
    unit = tables.Column(linkify=True, verbose_name=_("单位"), order_by=("unit__name",))
    assessment_failed = tables.BooleanColumn(verbose_name=_("考核不合格"), yesno=("不合格", ""))

    class Meta:
        model = Person
        fields = ("name", "id_masked", "phone_masked", "unit", "assessment_failed")
        order_by = ("-id",)


class UnstaffedUnitTable(tables.Table):
    """Units missing a post: the regulator's chase list (seed 002 附件 10)."""

    name = tables.Column(linkify=True, verbose_name=_("单位名称"))
    uscc = tables.Column(verbose_name=_("统一社会信用代码"))
    kinds = tables.Column(verbose_name=_("单位类别"), orderable=False, accessor="get_kinds_display")
    jurisdiction = tables.Column(verbose_name=_("所属辖区"), accessor="jurisdiction__name", orderable=False)
    missing = tables.Column(verbose_name=_("缺少"), orderable=False, empty_values=())
    flagged = tables.Column(verbose_name=_("考核不合格在岗"), orderable=False, empty_values=(),
                            accessor="staffing__flagged")

    class Meta:
        model = Unit
        fields = ("name", "uscc", "kinds", "jurisdiction", "missing", "flagged")
        order_by = ("name",)

    def render_missing(self, record):
        staffing = getattr(record, "staffing", None)
        holders = staffing.holders() if staffing else {}
        return "、".join(str(p.label) for p in rules.missing_posts(record.kinds, holders)) or "—"

    def value_missing(self, record):
        return self.render_missing(record)

    def render_flagged(self, value):
        return "是" if value else "—"


class CertificateTable(tables.Table):
    person = tables.Column(linkify=True, verbose_name=_("持证人"), order_by=("person__name",))
    unit = tables.Column(verbose_name=_("单位"), accessor="unit__name", order_by=("unit__name",))
    item_code = tables.Column(verbose_name=_("作业项目代号"))
    number = tables.Column(verbose_name=_("证书编号"))
    issued_by = tables.Column(verbose_name=_("发证机关"))
    expires_on = tables.DateColumn(verbose_name=_("有效期至"), format="Y年n月j日")
    reminded = tables.Column(verbose_name=_("到期提醒"), accessor="last_reminder", orderable=False)

    class Meta:
        model = Certificate
        fields = ("person", "unit", "item_code", "number", "issued_by", "expires_on", "reminded")
        order_by = ("expires_on",)

    def render_reminded(self, value):
        return _("已于到期前 %(d)d 天提醒") % {"d": value}


class TrainingTable(tables.Table):
    held_on = tables.DateColumn(verbose_name=_("培训日期"), format="Y年n月j日")
    unit = tables.Column(linkify=True, verbose_name=_("单位"), order_by=("unit__name",))
    content = tables.Column(verbose_name=_("培训内容"))
    hours = tables.Column(verbose_name=_("学时"))
    trainer = tables.Column(verbose_name=_("授课人或机构"))
    attendees = tables.Column(verbose_name=_("参训 / 不合格"), orderable=False, empty_values=())

    class Meta:
        model = Training
        fields = ("held_on", "unit", "content", "hours", "trainer", "attendees")
        order_by = ("-held_on",)

    def render_attendees(self, record):
        return f"{record.attendee_count} / {record.failed_count}"

    def value_attendees(self, record):
        return self.render_attendees(record)


class AssessmentTable(tables.Table):
    assessed_on = tables.DateColumn(verbose_name=_("考核日期"), format="Y年n月j日")
    person = tables.Column(linkify=True, verbose_name=_("被考核人"), order_by=("person__name",))
    unit = tables.Column(verbose_name=_("单位"), accessor="unit__name", order_by=("unit__name",))
    score = tables.Column(verbose_name=_("得分"))
    result = tables.Column(verbose_name=_("结果"))
    authority = tables.Column(verbose_name=_("考核机关"), accessor="authority__name", orderable=False)

    class Meta:
        model = SpotAssessment
        fields = ("assessed_on", "person", "unit", "score", "result", "authority")
        order_by = ("-assessed_on",)
