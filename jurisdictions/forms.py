import json

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from jurisdictions.duties import DELEGABLE, REGULATOR_ROLES, Duty, Role, Tier
from jurisdictions.models import Jurisdiction
from portal.kit.wording import noted


class JurisdictionPicker(forms.Widget):
    """A searchable, scoped picker: never the whole tree in one <select> (docs/access.md §Tree writes).

    Typing queries ``jurisdictions:autocomplete`` (scoped to the user); the chosen id goes into a
    hidden input that the form's scoped ModelChoiceField validates. ``search`` narrows what the
    search offers to what the field accepts (``tier``, and ``duty`` the user must hold over the node).
    """

    template_name = "jurisdictions/widgets/picker.html"
    url_name = "jurisdictions:autocomplete"

    def __init__(self, attrs=None, search: dict | None = None):
        super().__init__(attrs)
        self.search = dict(search or {})

    def label_for(self, pk) -> str:
        node = Jurisdiction.objects.filter(pk=pk).only("name", "code").first()
        return noted(node.name, node.code) if node else ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        label = ""
        if value not in (None, ""):
            label = self.label_for(value.pk if isinstance(value, Jurisdiction) else value)
        values = {"field": name, **self.search}
        context["widget"].update(label=label, url=reverse(self.url_name), hx_vals=json.dumps(values),
                                 hx_params=",".join([f"{name}__search", *values]))
        return context


class JurisdictionChoiceField(forms.ModelChoiceField):
    widget = JurisdictionPicker
    default_error_messages = {"invalid_choice": _("请选择您辖区范围内的辖区。")}

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Jurisdiction.objects.all())
        super().__init__(**kwargs)

    def label_from_instance(self, obj):
        return noted(obj.name, obj.code)


class StationPicker(JurisdictionPicker):
    """The picker on public pages: it searches stations only, through the endpoint open to anonymous users."""

    url_name = "jurisdictions:station_autocomplete"

    def label_for(self, pk) -> str:
        node = Jurisdiction.objects.filter(pk=pk, tier=Tier.STATION).select_related("parent").first()
        return noted(node.name, node.parent.name) if node else ""


class StationChoiceField(JurisdictionChoiceField):
    """A station (乡镇、街道的市场监管所), chosen by anyone: the list of stations is public."""

    widget = StationPicker
    default_error_messages = {"invalid_choice": _("请选择单位所在地的市场监管所（乡镇、街道）。")}

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Jurisdiction.objects.filter(tier=Tier.STATION))
        super().__init__(**kwargs)


# One rule per line, in the request's language (evaluated when rendered, not at import).
_password_help = lazy(password_validators_help_text_html, str)


class RegulatorForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    display_name = forms.CharField(label=_("姓名"), max_length=64)
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    jurisdiction = JurisdictionChoiceField(label=_("所属辖区"))
    role = forms.ChoiceField(label=_("角色"), choices=[(r.value, r.label) for r in REGULATOR_ROLES])
    password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput(render_value=False), strip=False,
                               help_text=_password_help())

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["password"]
            self.fields["username"].disabled = True


class EnterpriseAccountForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    display_name = forms.CharField(label=_("姓名"), max_length=64)
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput, strip=False)


_DELEGATED_TIER = DELEGABLE[Duty.REGISTER_EQUIPMENT][1]


class DelegationForm(forms.Form):
    """A city delegates use registration to one of its counties (000 §二(二)): the picker offers, and the
    field accepts, only county-tier nodes; the view narrows them to where the user may delegate."""

    grantee = JurisdictionChoiceField(
        label=_("受托县级市场监管部门"), queryset=Jurisdiction.objects.filter(tier=_DELEGATED_TIER),
        widget=JurisdictionPicker(search={"tier": _DELEGATED_TIER, "duty": Duty.DELEGATE_REGISTRATION.value}),
        error_messages={"invalid_choice": _("使用登记只能由市级委托给其下辖的县级市场监管部门。")},
    )
    starts_on = forms.DateField(label=_("起始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("截止日期不能早于起始日期。"))
        return data


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("撤销原因"), max_length=200)


class StationForm(forms.Form):
    parent = JurisdictionChoiceField(label=_("上级辖区"))
    name = forms.CharField(label=_("乡镇/街道名称"), max_length=48)


ROLE_LABELS = dict(Role.choices)
