from django import forms
from django.utils.translation import gettext_lazy as _

from inspections.supervision.choices import CertificateClass
from inspections.supervision.models import InspectorCertificate
from jurisdictions.duties import REGULATOR_ROLES
from jurisdictions.models import User
from portal.kit.wording import noted

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class KeyUnitForm(forms.Form):
    """重点单位: list the unit or take it off, saying why (Order 57 Art. 9)."""

    designated = forms.BooleanField(label=_("列为重点单位"), required=False,
                                    help_text=_("重点单位评定为最高风险等级，年度监督检查计划按更高比例抽查。"))
    reason = forms.CharField(label=_("理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("如：学校、医院等公众聚集场所，近两年发生事故，投诉举报多且查实。"))


class HolderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return noted(obj.display_name or obj.username, f"{obj.username} · {obj.jurisdiction.name}")


class InspectorCertificateForm(forms.Form):
    """A 监察员证 (000 §一(十)); the holder is chosen among the regulator accounts the user manages (the view
    narrows the choice to MANAGE_ACCOUNTS) and is fixed once the certificate exists."""

    model = InspectorCertificate

    holder = HolderChoiceField(label=_("持证人"), queryset=User.objects.filter(
        role__in=REGULATOR_ROLES, is_active=True).select_related("jurisdiction").order_by(
        "jurisdiction__code", "username"))
    number = forms.CharField(label=_("证书编号"), max_length=64)
    certificate_class = forms.ChoiceField(label=_("证书类别"), choices=CertificateClass.choices)
    issued_by = forms.CharField(label=_("发证机关"), max_length=100)
    issued_on = forms.DateField(label=_("发证日期"), widget=DATE)
    expires_on = forms.DateField(label=_("有效期至"), widget=DATE)

    def __init__(self, *args, instance: InspectorCertificate | None = None, **kwargs):
        if instance is not None:
            kwargs["initial"] = {"holder": instance.holder_id, "number": instance.number,
                                 "certificate_class": instance.certificate_class, "issued_by": instance.issued_by,
                                 "issued_on": instance.issued_on, "expires_on": instance.expires_on,
                                 **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        if instance is not None:
            self.fields["holder"].disabled = True
            self.fields["holder"].queryset = User.objects.filter(pk=instance.holder_id).select_related("jurisdiction")
        self.fields["certificate_class"].widget.attrs.setdefault("class", "form-select")
        self.fields["holder"].widget.attrs.setdefault("class", "form-select")

    def clean(self):
        data = super().clean()
        issued, expires = data.get("issued_on"), data.get("expires_on")
        if issued and expires and expires <= issued:
            self.add_error("expires_on", _("有效期至应晚于发证日期。"))
        return data
