from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from inspections.supervision.models.recommendations import CONTENT_MAX
from inspections.supervision.recommendation_choices import Kind, Rectification, ReplyKind
from inspections.supervision.recommendation_services import DUTY, HANDLING_TIERS, MAX_ATTACHMENTS
from jurisdictions.duties import Tier
from jurisdictions.forms import JurisdictionChoiceField, JurisdictionPicker
from jurisdictions.models import Jurisdiction

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ACCEPT = ".jpg,.jpeg,.png,.pdf"


class AttachmentInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentField(forms.FileField):
    """A list of uploads; the service checks each (``recommendation_services.check_attachments``)."""

    widget = AttachmentInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", AttachmentInput(attrs={"class": "form-control", "accept": ACCEPT,
                                                           "multiple": True}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(AttachmentField, self).clean(f, initial) for f in files if f] or []


def _attachment_help() -> str:
    return gettext("JPG、PNG 或 PDF，每个不超过 10 MB，最多 %(n)d 个。") % {"n": MAX_ATTACHMENTS}


def _text(label, rows=4, **kwargs):
    return forms.CharField(label=label, max_length=CONTENT_MAX, widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


class RegisterForm(forms.Form):
    """登记: the instrument as received (docs/domain.md §Recommendations)."""

    kind = forms.ChoiceField(label=_("类别"), choices=Kind.choices)
    issuer = forms.CharField(label=_("发文机关"), max_length=100)
    document_number = forms.CharField(label=_("文号"), max_length=60)
    issued_on = forms.DateField(label=_("发文日期"), widget=DATE)
    received_on = forms.DateField(label=_("收文日期"), widget=DATE)
    case_name = forms.CharField(label=_("案件名称"), max_length=200)
    case_code = forms.CharField(label=_("案号"), max_length=60, required=False)
    sector = forms.CharField(label=_("涉及行业领域"), max_length=60)
    content = _text(_("主要内容"), rows=5)
    reply_due_on = forms.DateField(label=_("回复期限"), widget=DATE, required=False)
    attachments = AttachmentField(label=_("文书扫描件"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()
        self.fields["reply_due_on"].help_text = gettext(
            "按文书载明的期限填写；不填时检察建议书按收文后 60 日、其他按 30 日计。")
        self.fields["attachments"].help_text = _attachment_help()


class RouteForm(forms.Form):
    """交办: the handling jurisdiction below the user's own; the picker offers the next tier down."""

    to = JurisdictionChoiceField(
        label=_("承办单位"), queryset=Jurisdiction.objects.filter(tier__in=HANDLING_TIERS),
        error_messages={"invalid_choice": _("请选择本辖区内下级的市、县级市场监管部门。")})
    note = forms.CharField(label=_("交办意见"), max_length=CONTENT_MAX, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        search = {"duty": DUTY.value}
        if getattr(getattr(user, "jurisdiction", None), "tier", None) == Tier.CITY:
            search["tier"] = Tier.COUNTY
        self.fields["to"].widget = JurisdictionPicker(search=search)
        if user is not None:
            self.fields["to"].queryset = self.fields["to"].queryset.exclude(pk=user.jurisdiction_id)


class MeasuresForm(forms.Form):
    measures = _text(_("整改措施"))
    attachments = AttachmentField(label=_("佐证材料"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = _attachment_help()


class ReplyForm(forms.Form):
    reply_kind = forms.ChoiceField(label=_("回复类型"), choices=ReplyKind.choices)
    rectification = forms.ChoiceField(label=_("整改情况"), choices=Rectification.choices)
    text = _text(_("回复内容"), rows=6)
    replied_on = forms.DateField(label=_("回复日期"), widget=DATE)
    attachments = AttachmentField(label=_("回复附件"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["replied_on"].initial = timezone.localdate()
        self.fields["attachments"].help_text = _attachment_help()


class ArchiveForm(forms.Form):
    note = forms.CharField(label=_("归档说明"), max_length=500, required=False)
