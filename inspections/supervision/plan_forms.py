from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inspections.supervision.plan_choices import TaskResult
from inspections.supervision.plan_services import CAMPAIGN_DUTY, SEED_BELOW
from jurisdictions.forms import JurisdictionChoiceField, JurisdictionPicker
from units.choices import UnitKind
from units.models import EquipmentType

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _seed_field(**kwargs):
    return forms.IntegerField(label=_("随机种子"), min_value=0, max_value=SEED_BELOW - 1, required=False,
                              help_text=_("留空时随机生成；填写同一种子可复现同一抽取结果。"), **kwargs)


class PlanForm(forms.Form):
    """制定年度计划: the year, its span and optionally the seed (docs/domain.md §Annual plan)."""

    year = forms.IntegerField(label=_("年度"), min_value=2020, max_value=2100)
    title = forms.CharField(label=_("计划名称"), max_length=200, required=False,
                            help_text=_("留空时按“某市某年度特种设备常规监督检查计划”命名。"))
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("完成期限"), widget=DATE)
    seed = _seed_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        year = today.year + (1 if today.month >= 11 else 0)
        self.fields["year"].initial = year
        self.fields["starts_on"].initial = max(today, date(year, 1, 1))
        self.fields["ends_on"].initial = date(year, 12, 15)


class RedrawForm(forms.Form):
    seed = _seed_field()


class CompleteTaskForm(forms.Form):
    done_on = forms.DateField(label=_("检查日期"), widget=DATE)
    result = forms.ChoiceField(label=_("检查结果"), choices=TaskResult.choices)
    note = forms.CharField(label=_("说明"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["done_on"].initial = timezone.localdate()


class CampaignForm(forms.Form):
    """发起专项检查: the area (the organiser's own or part of it), which units, what to check, by when."""

    title = forms.CharField(label=_("专项检查名称"), max_length=200)
    scope = JurisdictionChoiceField(label=_("检查范围"))
    unit_kinds = forms.MultipleChoiceField(label=_("单位类别"), choices=UnitKind.choices, required=False,
                                           widget=forms.CheckboxSelectMultiple,
                                           help_text=_("不选时包括所有类别的单位。"))
    categories = forms.MultipleChoiceField(label=_("设备类别"), required=False, widget=forms.CheckboxSelectMultiple,
                                           help_text=_("不选时不限设备类别；选择后只包括有这些类别在用设备的单位。"))
    checklist = forms.CharField(label=_("检查要点"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}),
                                help_text=_("每行一条。"))
    deadline = forms.DateField(label=_("完成期限"), widget=DATE)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].widget = JurisdictionPicker(search={"duty": CAMPAIGN_DUTY.value})
        if user is not None and getattr(user, "jurisdiction_id", None):
            self.fields["scope"].initial = user.jurisdiction_id
        self.fields["categories"].choices = list(
            EquipmentType.objects.filter(parent__isnull=True).order_by("code").values_list("code", "name"))
