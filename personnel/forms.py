from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from personnel import querysets, rules
from personnel.choices import AssessmentResult, Education, EndReason, Post
from personnel.models import Person
from portal.kit.wording import noted
from units.models import Equipment
from units.services import validate_upload

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Phones fill these in: the right keyboard and no autocorrect on numbers.
ID_INPUT = forms.TextInput(attrs={"inputmode": "text", "autocomplete": "off", "autocapitalize": "characters",
                                  "maxlength": 18})
PHONE_INPUT = forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off", "maxlength": 16})


class EquipmentPicker(forms.CheckboxSelectMultiple):
    """Every piece of the unit's equipment, one full-width row each, in a scrolling box with a
    filter above it: on a phone an officer of a unit with hundreds of elevators types "3号楼" or
    part of a code instead of paging through a list cut short (static/portal/portal.js)."""

    template_name = "personnel/widgets/equipment_picker.html"


class EquipmentChoiceField(forms.ModelMultipleChoiceField):
    widget = EquipmentPicker

    def label_from_instance(self, obj):
        where = f" · {obj.location}" if obj.location else ""
        return f"{obj.equipment_type.name} {obj.code or obj.factory_number or obj.pk}{where}"


class PersonFields(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=64)
    id_number = forms.CharField(label=_("居民身份证号码"), max_length=18, widget=ID_INPUT,
                                help_text=_("18 位，最后一位可为 X；性别和出生日期据此自动确定。"))
    phone = forms.CharField(label=_("手机号码"), max_length=16, widget=PHONE_INPUT)
    education = forms.ChoiceField(label=_("学历"), choices=[("", "—"), *Education.choices], required=False)
    title = forms.CharField(label=_("职称"), max_length=64, required=False)


class AppointmentFields(forms.Form):
    post = forms.ChoiceField(label=_("职务"), choices=Post.choices)
    started_on = forms.DateField(label=_("任职日期"), widget=DATE)
    covers = forms.CharField(label=_("负责设备或岗位"), max_length=200, required=False,
                             help_text=_("如：1–3 号客梯、锅炉房；也可在下方勾选具体设备。"))
    equipment = EquipmentChoiceField(label=_("负责设备"), queryset=Equipment.objects.none(), required=False)
    document = forms.FileField(label=_("任命文件"), required=False,
                               help_text=_("PDF 或图片，不超过 10 MB。"))

    def __init__(self, *args, unit=None, posts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["started_on"].initial = timezone.localdate()
        if posts:
            self.fields["post"].choices = [(p.value, p.label) for p in posts]
        if unit is not None:
            if unit.equipment.exists():
                self.fields["equipment"].queryset = (unit.equipment.select_related("equipment_type")
                                                     .order_by("equipment_type__code", "code", "id"))
            else:
                del self.fields["equipment"]

    def clean_document(self):
        document = self.cleaned_data.get("document")
        if document is not None:
            validate_upload(document)
        return document


class NewAppointmentForm(PersonFields, AppointmentFields):
    """登记人员并任职: one form, so a phone user fills a person in one go."""

    field_order = ["post", "name", "id_number", "phone", "started_on", "covers", "education", "title", "equipment",
                   "document"]


class AppointmentForm(AppointmentFields):
    """An existing person of the unit takes a (further) post."""


class PersonForm(forms.Form):
    model = Person
    name = forms.CharField(label=_("姓名"), max_length=64)
    id_number = forms.CharField(label=_("居民身份证号码"), max_length=18, required=False, widget=ID_INPUT,
                                help_text=_("不修改请留空。当前：%(masked)s"))
    phone = forms.CharField(label=_("手机号码"), max_length=16, required=False, widget=PHONE_INPUT,
                            help_text=_("不修改请留空。当前：%(masked)s"))
    education = forms.ChoiceField(label=_("学历"), choices=[("", "—"), *Education.choices], required=False)
    title = forms.CharField(label=_("职称"), max_length=64, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, instance: Person, **kwargs):
        kwargs["initial"] = {"name": instance.name, "education": instance.education, "title": instance.title,
                             "version": instance.version, **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        self.fields["id_number"].help_text = self.fields["id_number"].help_text % {"masked": instance.id_masked}
        self.fields["phone"].help_text = self.fields["phone"].help_text % {"masked": instance.phone_masked or "—"}


def account_label(account) -> str:
    """``qiye2_fuzeren（王伟）``: the username one logs in with, and whose account it is."""
    return noted(account.username, account.display_name) if account.display_name else account.username


class PersonAccountForm(forms.Form):
    """Which of the unit's enterprise accounts is this person. The choices are the unit's active accounts
    linked to nobody else; a plain choice of ids, since accounts carry no unit to scope a model choice by
    (``services.link_account`` checks the account again)."""

    account = forms.TypedChoiceField(label=_("登录账号"), coerce=int, empty_value=None,
                                     help_text=_("此人用于登录的本单位企业账号：以此账号填报或签署日管控、周排查、"
                                                 "月调度记录，按此人所任职务核对（总局令第74号第142–144条）。"))

    def __init__(self, *args, person: Person, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = list(querysets.unit_accounts(person.unit).filter(is_active=True).filter(
            Q(person__isnull=True) | Q(person=person)).order_by("username"))
        self.fields["account"].choices = [("", "—"), *((a.pk, account_label(a)) for a in self.candidates)]
        if person.account_id:
            self.fields["account"].initial = person.account_id

    def clean_account(self):
        pk = self.cleaned_data["account"]
        return next(a for a in self.candidates if a.pk == pk)


class EndAppointmentForm(forms.Form):
    ended_on = forms.DateField(label=_("离任日期"), widget=DATE)
    reason = forms.ChoiceField(label=_("离任原因"), choices=[c for c in EndReason.choices if c[0] != "replaced"])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ended_on"].initial = timezone.localdate()


class RevealForm(forms.Form):
    reason = forms.CharField(label=_("查看原因"), max_length=200,
                             help_text=_("完整身份证号码和手机号码属于敏感个人信息，每次查看均记入审计日志。"))


class CertificateForm(forms.Form):
    item_code = forms.ChoiceField(label=_("作业项目"), choices=[
        ("", "—"), *((code, f"{code} {name}") for code, name in rules.CERTIFICATE_ITEMS.items())],
        help_text=_("按证书上的作业项目代号选择（TSG Z6001）。"))
    number = forms.CharField(label=_("证书编号"), max_length=64)
    issued_by = forms.CharField(label=_("发证机关"), max_length=100)
    issued_on = forms.DateField(label=_("发证日期"), widget=DATE)
    expires_on = forms.DateField(label=_("有效期至"), widget=DATE)


class TrainingForm(forms.Form):
    held_on = forms.DateField(label=_("培训日期"), widget=DATE)
    content = forms.CharField(label=_("培训内容"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    hours = forms.DecimalField(label=_("学时"), min_value=0.5, max_digits=5, decimal_places=1)
    trainer = forms.CharField(label=_("授课人或机构"), max_length=100)
    passed = forms.ModelMultipleChoiceField(label=_("考核合格人员"), queryset=Person.objects.none(), required=False,
                                            widget=forms.CheckboxSelectMultiple)
    failed = forms.ModelMultipleChoiceField(label=_("考核不合格人员"), queryset=Person.objects.none(),
                                            required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        if unit is not None:
            people = unit.people.order_by("name")
            self.fields["passed"].queryset = people
            self.fields["failed"].queryset = people


class AssessmentForm(forms.Form):
    assessed_on = forms.DateField(label=_("考核日期"), widget=DATE)
    score = forms.IntegerField(label=_("得分"), min_value=0, max_value=100)
    result = forms.ChoiceField(label=_("结果"), choices=AssessmentResult.choices)
    note = forms.CharField(label=_("说明"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        mark = rules.assessment_pass_mark()
        self.fields["score"].help_text = _("满分 100 分，%(mark)d 分及以上为合格。") % {"mark": mark}

    def clean(self):
        """Said with the other fields' errors; the service checks it again as the rule's owner."""
        data = super().clean()
        if data.get("score") is not None and data.get("result"):
            contradiction = rules.contradicts_score(data["score"], data["result"])
            if contradiction:
                self.add_error("result", contradiction)
        return data
