"""Forms of 周排查 and 月调度 (Order 74 Art. 143–144): what the signer writes. The figures are not fields: the
service counts them at signing, the page shows them read-only.

The forms check what a phone user gets wrong (a blank section, a decision without owner or due date) beside
the field; the filing services check everything again inside their transaction."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _

from inspections.routines.filing import AMENDABLE, TEXT_LIMIT
from inspections.routines.models import MonthlyMinutes
from inspections.routines.models.records import MINUTES_TEXTS
from personnel.models import Person
from portal.kit.forms import style_widgets

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
MAX_DECISIONS = 30


def textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def confirm_field() -> forms.BooleanField:
    """The confirmation a signature needs: ticked on purpose, and it works without JavaScript."""
    return forms.BooleanField(
        label=_("我已核对以上统计和内容，确认以本人身份签字提交。提交后记录锁定、不可修改，如有错漏只能另行提交更正。"),
        error_messages={"required": _("请先勾选确认，再签字提交。")})


def place_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """A service's error beside the field it names when the page shows that field; on top of the form when
    it names none, or a hidden one (the week or month the page is for)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.error_dict.items():
        shown = field in form.fields and not form.fields[field].widget.is_hidden
        form.add_error(field if shown else None, errors)


def quiet(form: forms.BaseForm) -> forms.BaseForm:
    """A bound form that shows what was typed without judging it: the page asked for one more decision row,
    not to sign."""
    form._errors = ErrorDict()
    return form


class WeeklyReportForm(forms.Form):
    week_start = forms.DateField(widget=forms.HiddenInput)
    findings_summary = forms.CharField(
        label=_("排查情况"), required=False, max_length=TEXT_LIMIT, widget=textarea(4),
        help_text=_("本周排查了哪些设备和部位，发现的问题及处理情况。"))
    assessment = forms.CharField(label=_("总监评估意见"), max_length=TEXT_LIMIT, widget=textarea(4),
                                 error_messages={"required": _("请填写总监评估意见。")})
    next_focus = forms.CharField(label=_("下周工作重点"), max_length=TEXT_LIMIT, widget=textarea(3),
                                 error_messages={"required": _("请填写下周工作重点。")})
    confirm = confirm_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)


def unit_people(unit):
    return Person.objects.filter(unit=unit).order_by("name", "id")


class MinutesForm(forms.Form):
    month = forms.DateField(widget=forms.HiddenInput)
    held_at = forms.DateTimeField(
        label=_("会议时间"), input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "class": "form-control"}, format=DATETIME_LOCAL),
        error_messages={"required": _("请填写会议时间。"), "invalid": _("请按“年-月-日 时:分”填写会议时间。")})
    location = forms.CharField(label=_("会议地点"), max_length=200, error_messages={"required": _("请填写会议地点。")})
    recorder = forms.ModelChoiceField(
        label=_("记录人"), queryset=Person.objects.none(), empty_label=_("请选择"),
        error_messages={"required": _("请选择记录人。"), "invalid_choice": _("只能选择本单位登记的人员。")})
    attendees = forms.ModelMultipleChoiceField(
        label=_("参会人员"), queryset=Person.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("主持会议的主要负责人自动列入参会人员。"),
        error_messages={"invalid_choice": _("只能选择本单位登记的人员。")})

    def __init__(self, *args, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        people = unit_people(unit)
        self.fields["recorder"].queryset = people
        self.fields["attendees"].queryset = people
        for name in MINUTES_TEXTS:
            self.fields[name] = forms.CharField(label=MonthlyMinutes._meta.get_field(name).verbose_name,
                                                required=False, max_length=TEXT_LIMIT, widget=textarea(3))
        self.fields["confirm"] = confirm_field()
        style_widgets(self)

    def texts(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in MINUTES_TEXTS}


class DecisionForm(forms.Form):
    """One decision of the meeting; a row left wholly blank is no decision."""

    content = forms.CharField(label=_("决议事项"), max_length=500, required=False)
    owner = forms.ModelChoiceField(label=_("责任人"), queryset=Person.objects.none(), required=False,
                                   empty_label=_("请选择"),
                                   error_messages={"invalid_choice": _("只能选择本单位登记的人员。")})
    due_on = forms.DateField(label=_("完成期限"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                             error_messages={"invalid": _("请按“年-月-日”填写完成期限。")})

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people if people is not None else Person.objects.none()
        self.fields["owner"].widget.attrs["class"] = "form-select"
        style_widgets(self)

    def clean(self):
        data = super().clean()
        content, owner, due_on = data.get("content"), data.get("owner"), data.get("due_on")
        if content:
            if owner is None and "owner" not in self.errors:
                self.add_error("owner", _("请选择这条决议的责任人。"))
            if due_on is None and "due_on" not in self.errors:
                self.add_error("due_on", _("请填写这条决议的完成期限。"))
        elif owner is not None or due_on is not None:
            self.add_error("content", _("请填写决议内容，或清空这一行。"))
        return data

    def decision(self) -> dict | None:
        d = self.cleaned_data
        return {"content": d["content"], "owner": d["owner"], "due_on": d["due_on"]} if d.get("content") else None


class BaseDecisionFormSet(forms.BaseFormSet):
    def __init__(self, *args, unit=None, **kwargs):
        self.people = unit_people(unit)
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "people": self.people}

    def decisions(self) -> list[dict]:
        return [d for d in (f.decision() for f in self.forms if f.cleaned_data) if d]


DecisionFormSet = forms.formset_factory(DecisionForm, formset=BaseDecisionFormSet, extra=2, max_num=MAX_DECISIONS,
                                        validate_max=True, absolute_max=MAX_DECISIONS)


def with_one_more_row(data, prefix: str):
    """The posted formset with one more blank row (增加一行 without JavaScript), up to ``MAX_DECISIONS``."""
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    try:
        total = int(data.get(key, 0))
    except ValueError:
        total = 0
    data[key] = str(min(total + 1, MAX_DECISIONS))
    return data


class AmendForm(forms.Form):
    """更正: each field the record allows corrected (``filing.AMENDABLE``), prefilled with what it reads now,
    and why."""

    def __init__(self, *args, record=None, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        model = type(record)
        for name in AMENDABLE[model][0]:
            field = model._meta.get_field(name)
            limit = field.max_length or TEXT_LIMIT
            self.fields[name] = forms.CharField(
                label=field.verbose_name, required=not field.blank, max_length=limit, initial=(current or {}).get(name),
                widget=forms.TextInput() if limit <= 200 else textarea(4),
                error_messages={"required": _("此项不能为空；如需删去内容请说明原因并保留必要文字。")})
        self.fields["reason"] = forms.CharField(
            label=_("更正原因"), max_length=500, widget=textarea(2),
            help_text=_("原始内容保留不变；更正与原因、更正人和时间一并存档，监管部门可以查看。"),
            error_messages={"required": _("请写明更正原因。")})
        style_widgets(self)

    def changes(self) -> dict[str, str]:
        return {name: value for name, value in self.cleaned_data.items() if name != "reason"}


class ActionDoneForm(forms.Form):
    note = forms.CharField(label=_("完成情况"), max_length=500, widget=textarea(2),
                           error_messages={"required": _("请填写完成情况。")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)
