from django import forms
from django.utils.translation import gettext_lazy as _

from jurisdictions.forms import JurisdictionChoiceField
from units.choices import RiskGrade, UnitKind
from units.models import Unit


class UnitForm(forms.Form):
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=18, min_length=18)
    name = forms.CharField(label=_("单位名称"), max_length=200)
    kinds = forms.MultipleChoiceField(label=_("单位类别"), choices=UnitKind.choices,
                                      widget=forms.CheckboxSelectMultiple)
    jurisdiction = JurisdictionChoiceField(label=_("所属辖区"))
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    legal_representative = forms.CharField(label=_("法定代表人"), max_length=64, required=False)
    risk_grade = forms.ChoiceField(label=_("风险等级"), choices=[("", "—"), *RiskGrade.choices], required=False)

    def __init__(self, *args, instance: Unit | None = None, **kwargs):
        if instance is not None:
            # FormView always passes ``initial`` (empty), so merge rather than setdefault: the disabled
            # uscc field takes its value from here, and an edit form must open filled in.
            kwargs["initial"] = {
                "uscc": instance.uscc, "name": instance.name, "kinds": instance.kinds,
                "jurisdiction": instance.jurisdiction, "address": instance.address,
                "legal_representative": instance.legal_representative, "risk_grade": instance.risk_grade,
                **(kwargs.get("initial") or {}),
            }
        super().__init__(*args, **kwargs)
        if instance is not None:
            self.fields["uscc"].disabled = True
