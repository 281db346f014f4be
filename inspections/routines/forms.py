from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inspections.routines.choices import RESPONSIBLE_POST_CHOICES, Frequency, RiskCategory
from units.models import Equipment, EquipmentType

WHOLE_UNIT = ""


def covers_choices(unit) -> list[tuple[str, str]]:
    """全单位, every catalogue category and kind (t<pk>), and each piece of the unit's equipment (e<pk>)."""
    kinds = EquipmentType.objects.filter(Q(code__endswith="000") | Q(code__endswith="00")).order_by("code")
    equipment = unit.equipment.select_related("equipment_type").order_by("equipment_type__code", "code", "id")
    return ([(WHOLE_UNIT, str(_("全单位")))]
            + [(f"t{t.pk}", str(_("全部%(kind)s") % {"kind": t.name})) for t in kinds]
            + [(f"e{e.pk}", f"{e.equipment_type.name} {e.code or e.factory_number or e.pk}"
                            + (f" · {e.location}" if e.location else "")) for e in equipment])


def covers_value(row: dict) -> str:
    if row.get("equipment") is not None:
        return f"e{row['equipment'].pk}"
    if row.get("equipment_type") is not None:
        return f"t{row['equipment_type'].pk}"
    return WHOLE_UNIT


class RiskRowForm(forms.Form):
    """One row of the list; the service checks the whole list again inside its transaction."""

    category = forms.ChoiceField(label=_("类别"), choices=RiskCategory.choices,
                                 error_messages={"required": _("请选择类别。"), "invalid_choice": _("请选择类别。")})
    risk_item = forms.CharField(label=_("风险点"), max_length=200,
                                error_messages={"required": _("请填写风险点。")})
    check_content = forms.CharField(label=_("检查内容和标准"), max_length=1000,
                                    widget=forms.Textarea(attrs={"rows": 2}),
                                    error_messages={"required": _("请填写检查内容和标准。")})
    control_measure = forms.CharField(label=_("管控措施"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
                                      error_messages={"required": _("请填写管控措施。")})
    responsible_post = forms.ChoiceField(
        label=_("责任岗位"), choices=RESPONSIBLE_POST_CHOICES,
        error_messages={"required": _("请选择责任岗位。"),
                        "invalid_choice": _("责任岗位只能是安全员、安全总监或主要负责人。")})
    frequency = forms.ChoiceField(label=_("频次"), choices=Frequency.choices,
                                  error_messages={"required": _("请选择频次。"),
                                                  "invalid_choice": _("频次只能是每日、每周或每月。")})
    covers = forms.ChoiceField(label=_("适用设备"), required=False,
                               error_messages={"invalid_choice": _("只能选择本单位的设备或设备类别。")})

    def __init__(self, *args, unit=None, covers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        self.fields["covers"].choices = covers or [(WHOLE_UNIT, _("全单位"))]

    def row(self) -> dict:
        d = self.cleaned_data
        value, equipment, kind = d.get("covers") or WHOLE_UNIT, None, None
        if value.startswith("e"):
            equipment = Equipment.objects.filter(pk=value[1:], unit=self.unit).first()
        elif value.startswith("t"):
            kind = EquipmentType.objects.filter(pk=value[1:]).first()
        return {k: d[k] for k in ("category", "risk_item", "check_content", "control_measure", "responsible_post",
                                  "frequency")} | {"equipment": equipment, "equipment_type": kind}


class BaseRiskRowFormSet(forms.BaseFormSet):
    def __init__(self, *args, unit=None, **kwargs):
        self.unit = unit
        self.covers = covers_choices(unit) if unit is not None else None
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "unit": self.unit, "covers": self.covers}

    def rows(self) -> list[tuple[forms.Form, dict]]:
        """The kept rows, in page order, each with the form it came from (for placing service errors)."""
        return [(f, f.row()) for f in self.forms
                if f.cleaned_data and not (self.can_delete and self._should_delete_form(f))]


RiskRowFormSet = forms.formset_factory(RiskRowForm, formset=BaseRiskRowFormSet, extra=1, can_delete=True,
                                       max_num=200, validate_max=True)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("修订说明"), max_length=200, required=False,
                           help_text=_("保存后成为新的版本，旧版本仍可查看。"))
