"""Forms of the inspection records, directives and referrals (docs/domain.md §Inspection record, §Directive). Each
only parses input; the service (``inspection_services``, ``directive_services``) checks the rule."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from inspections.findings.choices import HazardLevel
from inspections.findings.services import MAX_EVIDENCE
from inspections.supervision.inspection_choices import (
    Disposition,
    InspectionKind,
    ItemResult,
    ReferralOutcome,
    ReferralStatus,
)
from inspections.supervision.models import PlanTask
from inspections.supervision.models.directives import TEXT_MAX
from inspections.supervision.querysets import valid_inspectors
from inspections.supervision.recommendation_forms import AttachmentField
from jurisdictions.models import User
from personnel.choices import AssessmentResult
from portal.kit.wording import noted

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PHOTO = forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png", "capture": "environment"})


def _text(label, rows=4, max_length=TEXT_MAX, **kwargs):
    return forms.CharField(label=label, max_length=max_length, widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


class InspectorChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return noted(obj.display_name or obj.username, obj.jurisdiction.name)


class OpenInspectionForm(forms.Form):
    """开始检查: the kind, at least two inspectors from the pool valid today, and the equipment sampled; opened from
    a plan or campaign task (``task``), the task's kind and drawn pair come first."""

    kind = forms.ChoiceField(label=_("检查类别"), choices=InspectionKind.choices)
    inspectors = InspectorChoiceField(label=_("检查人员"), queryset=User.objects.none(),
                                      widget=forms.CheckboxSelectMultiple)
    equipment_codes = forms.CharField(label=_("抽查设备"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    task = forms.ModelChoiceField(queryset=PlanTask.objects.none(), required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user=None, tasks=None, task=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and user.jurisdiction_id:
            self.fields["inspectors"].queryset = valid_inspectors(user.jurisdiction, timezone.localdate()) \
                .select_related("jurisdiction")
            self.initial.setdefault("inspectors", [user.pk])
        if tasks is not None:
            self.fields["task"].queryset = tasks
        if task is not None:
            pair = [pk for pk in (task.inspector_1_id, task.inspector_2_id) if pk]
            self.initial.update(task=task.pk, kind=InspectionKind.ROUTINE if task.plan_id else InspectionKind.SPECIAL,
                                **({"inspectors": pair} if pair else {}))
        self.fields["inspectors"].help_text = gettext("至少两名，当日持有效监察员证。")
        self.fields["equipment_codes"].help_text = gettext("填写设备代码或使用登记证编号，多个用空格或逗号分隔。")


class ItemsForm(forms.Form):
    """The checklist as fields: ``result_<n>`` (符合 / 不符合 / 不适用), ``note_<n>`` and ``photo_<n>``."""

    unit_opinion = forms.CharField(label=_("被检查单位意见"), max_length=500, required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            n = item.position
            self.fields[f"result_{n}"] = forms.ChoiceField(label=item.text, choices=ItemResult.choices,
                                                           required=False, widget=forms.RadioSelect,
                                                           initial=item.result)
            self.fields[f"note_{n}"] = forms.CharField(label=_("情况说明"), max_length=500, required=False,
                                                       initial=item.note)
            self.fields[f"photo_{n}"] = forms.ImageField(label=_("照片"), required=False, widget=PHOTO)

    def rows(self):
        for item in self.items:
            n = item.position
            yield {"item": item, "result": self[f"result_{n}"], "note": self[f"note_{n}"], "photo": self[f"photo_{n}"]}

    def results(self) -> dict:
        d = self.cleaned_data
        return {i.position: {"result": d.get(f"result_{i.position}") or "", "note": d.get(f"note_{i.position}", "")}
                for i in self.items}

    def photos(self) -> dict:
        return {i.position: self.cleaned_data[f"photo_{i.position}"] for i in self.items
                if self.cleaned_data.get(f"photo_{i.position}")}


class ItemFindingForm(forms.Form):
    description = _text(_("问题描述"), rows=3, max_length=1000, required=False)
    hazard_level = forms.ChoiceField(label=_("隐患级别"), choices=HazardLevel.choices)
    due_on = forms.DateField(label=_("整改期限"), widget=DATE)


class AssessmentForm(forms.Form):
    """现场抽查考核 of a director or officer in post (002 附件 8)."""

    person = forms.ModelChoiceField(label=_("被考核人"), queryset=None)
    score = forms.IntegerField(label=_("得分"), min_value=0, max_value=100)
    result = forms.ChoiceField(label=_("结果"), choices=AssessmentResult.choices)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people


class SignForm(forms.Form):
    """被检查单位签字: the drawn signature arrives as a PNG data URL from ``static/portal/signature.js``."""

    signer_name = forms.CharField(label=_("签字人姓名"), max_length=64)
    unit_opinion = forms.CharField(label=_("被检查单位意见"), max_length=500, required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}))
    signature = forms.CharField(widget=forms.HiddenInput(attrs={"data-signature-input": ""}), required=False,
                                max_length=800_000)


class RefusalForm(forms.Form):
    """拒绝签字 (Order 57 Art. 27): what happened, and a photo of it."""

    note = forms.CharField(label=_("拒签情况"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    photo = forms.ImageField(label=_("现场照片"), required=False, widget=PHOTO)


class CompleteForm(forms.Form):
    disposition = forms.ChoiceField(label=_("处理措施"), choices=Disposition.choices)
    disposition_note = forms.CharField(label=_("处理说明"), max_length=1000, required=False,
                                       widget=forms.Textarea(attrs={"rows": 2}))


class DirectiveForm(forms.Form):
    """下达安全监察指令书, drafted from the inspection's findings (``directive_services.draft``)."""

    problems = _text(_("存在的问题"), rows=5)
    legal_basis = forms.CharField(label=_("违反的规定"), max_length=500)
    measures = _text(_("责令采取的措施"), rows=4)
    deadline = forms.DateField(label=_("整改期限"), widget=DATE)


class ReportForm(forms.Form):
    note = _text(_("整改情况"), rows=4)
    evidence = AttachmentField(label=_("整改佐证材料"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].help_text = gettext("JPG、PNG 或 PDF，每个不超过 10 MB，最多 %(n)d 个。") % {
            "n": MAX_EVIDENCE}


class RecheckForm(forms.Form):
    """复查 (Art. 29): accept, or send back with the reason."""

    ACCEPT, SEND_BACK = "accept", "send_back"
    decision = forms.ChoiceField(label=_("复查结论"), widget=forms.RadioSelect,
                                 choices=[(ACCEPT, _("复查合格")), (SEND_BACK, _("不合格，退回整改"))])
    note = forms.CharField(label=_("复查意见"), max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ReferralForm(forms.Form):
    status = forms.ChoiceField(label=_("办理状态"), choices=[c for c in ReferralStatus.choices
                                                         if c[0] != ReferralStatus.OPEN])
    case_number = forms.CharField(label=_("案件编号"), max_length=60, required=False)
    outcome = forms.ChoiceField(label=_("处理结果"), choices=[("", "---------"), *ReferralOutcome.choices],
                                required=False)
    note = forms.CharField(label=_("办理情况"), max_length=TEXT_MAX, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))
