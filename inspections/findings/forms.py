from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from inspections.findings.choices import HazardLevel
from inspections.findings.services import MAX_EVIDENCE
from personnel.models import Person
from units.models import Equipment

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
EVIDENCE_ACCEPT = ".jpg,.jpeg,.png,.pdf"


class EvidenceInput(forms.ClearableFileInput):
    """Several photos at once, the camera offered first on a phone."""

    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """A list of uploads; the service checks each (``services.check_evidence``)."""

    widget = EvidenceInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(EvidenceField, self).clean(f, initial) for f in files if f] or []


class EquipmentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        where = f" · {obj.location}" if obj.location else ""
        return f"{obj.equipment_type.name} {obj.code or obj.factory_number or obj.pk}{where}"


class FindingForm(forms.Form):
    """登记隐患: what is wrong, how serious, by when and by whom it is put right."""

    description = forms.CharField(label=_("问题描述"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    hazard_level = forms.ChoiceField(label=_("隐患级别"), choices=HazardLevel.choices, initial=HazardLevel.GENERAL)
    equipment = EquipmentChoice(label=_("设备"), queryset=Equipment.objects.none(), required=False,
                                empty_label=_("不涉及具体设备"))
    responsible = forms.ModelChoiceField(label=_("整改责任人"), queryset=Person.objects.none(), required=False,
                                         empty_label="—")
    due_on = forms.DateField(label=_("整改期限"), widget=DATE)

    def __init__(self, *args, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        if unit is not None:
            self.fields["equipment"].queryset = (unit.equipment.select_related("equipment_type")
                                                 .order_by("equipment_type__code", "code", "id"))
            self.fields["responsible"].queryset = unit.people.order_by("name", "id")


class RectifyForm(forms.Form):
    note = forms.CharField(label=_("整改情况"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    evidence = EvidenceField(
        label=_("整改佐证"), required=False,
        widget=EvidenceInput(attrs={"class": "form-control", "accept": EVIDENCE_ACCEPT, "multiple": True}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Worded per request: formatting a lazy string at import would fix it in the first reader's language.
        self.fields["evidence"].help_text = gettext(
            "整改后的照片或证明材料，JPG、PNG 或 PDF，每个不超过 10 MB，最多 %(n)d 个。") % {"n": MAX_EVIDENCE}


class VerifyForm(forms.Form):
    note = forms.CharField(label=_("验证意见"), max_length=500, required=False)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("退回原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
