from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jurisdictions.forms import JurisdictionChoiceField
from units import services
from units.choices import DocumentKind, NotificationKind, RiskGrade, UnitKind
from units.models import Equipment, EquipmentType, Unit


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


# --- Use registration (000 §二(二); DOMAIN.md §4) ------------------------------------------------------

UPLOAD_ACCEPT = ".pdf,.jpg,.jpeg,.png"


class EquipmentChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.equipment_type.name} {obj.code or obj.factory_number or '#' + str(obj.pk)}" + (
            f"（{obj.location}）" if obj.location else "")


class ApplicationForm(forms.Form):
    """An application of one kind for some of the unit's equipment, with one file per document TSG 08
    names; the kinds it requires are required fields (``services.REQUIRED_DOCUMENTS``)."""

    equipment = EquipmentChoiceField(label=_("设备"), queryset=Equipment.objects.none(),
                                     widget=forms.CheckboxSelectMultiple)
    reason = forms.CharField(label=_("申请事由"), max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, unit: Unit, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["equipment"].queryset = services.eligible_equipment(unit, kind)
        required = services.REQUIRED_DOCUMENTS.get(kind, ())
        for doc in DocumentKind:
            self.fields[f"doc_{doc.value}"] = forms.FileField(
                label=doc.label, required=doc in required,
                widget=forms.FileInput(attrs={"class": "form-control", "accept": UPLOAD_ACCEPT}),
            )

    def clean(self):
        cleaned = super().clean()
        for doc in DocumentKind:
            upload = cleaned.get(f"doc_{doc.value}")
            if upload:
                try:
                    services.validate_upload(upload)
                except ValidationError as exc:
                    self.add_error(f"doc_{doc.value}", exc)
        return cleaned

    @property
    def document_fields(self):
        return [self[f"doc_{doc.value}"] for doc in DocumentKind]

    def documents(self) -> list[tuple[str, object]]:
        return [(doc.value, self.cleaned_data[f"doc_{doc.value}"]) for doc in DocumentKind
                if self.cleaned_data.get(f"doc_{doc.value}")]


class ApplicationRejectForm(forms.Form):
    reason = forms.CharField(label=_("不予办理的理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 4}))


# --- Work notifications (告知; 000 §二(二)) ------------------------------------------------------------

class EquipmentTypeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


class NotificationForm(forms.Form):
    kind = forms.ChoiceField(label=_("告知类型"), choices=NotificationKind.choices)
    site_uscc = forms.CharField(label=_("使用单位统一社会信用代码"), max_length=18, min_length=18)
    equipment_type = EquipmentTypeChoiceField(label=_("设备品种"), queryset=EquipmentType.objects.order_by("code"))
    site_address = forms.CharField(label=_("施工地点"), max_length=200)
    planned_start = forms.DateField(label=_("计划开工日期"), widget=forms.DateInput(attrs={"type": "date"},
                                                                                format="%Y-%m-%d"))
    description = forms.CharField(label=_("施工内容"), max_length=500, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
