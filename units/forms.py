import copy

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html, validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from jurisdictions.forms import JurisdictionChoiceField, StationChoiceField
from jurisdictions.models import User
from portal.kit.identifiers import normalize_uscc, validate_mobile, validate_uscc
from portal.kit.wording import noted
from units import services
from units.choices import ApplicationKind, DocumentKind, NotificationKind, PlaceKind, UnitKind
from units.models import Equipment, EquipmentType, Unit


def fix_fields(form: forms.Form, fixed: dict) -> None:
    """Show ``fixed``'s fields read-only with their reason: a disabled field keeps its initial value
    whatever the POST says, and the service refuses a change to it anyway."""
    for name, reason in fixed.items():
        if name in form.fields:
            form.fields[name].disabled = True
            form.fields[name].help_text = reason


class UnitForm(forms.Form):
    model = Unit
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=18, min_length=18)
    name = forms.CharField(label=_("单位名称"), max_length=200)
    kinds = forms.MultipleChoiceField(label=_("单位类别"), choices=UnitKind.choices,
                                      widget=forms.CheckboxSelectMultiple)
    jurisdiction = JurisdictionChoiceField(label=_("所属辖区"))
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    legal_representative = forms.CharField(label=_("法定代表人"), max_length=64, required=False)

    def __init__(self, *args, instance: Unit | None = None, fixed: dict | None = None, **kwargs):
        """``fixed`` maps the fields the editor sees but may not change to the reason shown beside them
        (``services.fixed_unit_fields``); a disabled field ignores whatever a POST carries for it."""
        if instance is not None:
            # FormView always passes ``initial`` (empty), so merge rather than setdefault: the disabled
            # uscc field takes its value from here, and an edit form must open filled in.
            kwargs["initial"] = {
                "uscc": instance.uscc, "name": instance.name, "kinds": instance.kinds,
                "jurisdiction": instance.jurisdiction, "address": instance.address,
                "legal_representative": instance.legal_representative,
                **(kwargs.get("initial") or {}),
            }
        super().__init__(*args, **kwargs)
        if instance is not None:
            self.fields["uscc"].disabled = True
        fix_fields(self, fixed or {})


class FormSection(list):
    """Some bound fields of a long form under a heading, rendered by ``kit/_form_fields.html``."""

    non_field_errors = ()

    def __init__(self, title, fields):
        super().__init__(fields)
        self.title = title


class SignupForm(forms.Form):
    """Enterprise self-registration (seed 002: units enter their own details; 000 §四: the station confirms)."""

    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=18, min_length=18,
                           help_text=_("18 位，见营业执照。"))
    name = forms.CharField(label=_("单位名称"), max_length=200)
    kinds = forms.MultipleChoiceField(label=_("单位类别"), choices=UnitKind.choices,
                                      widget=forms.CheckboxSelectMultiple)
    address = forms.CharField(label=_("地址"), max_length=200)
    legal_representative = forms.CharField(label=_("法定代表人"), max_length=64)
    contact_person = forms.CharField(label=_("联系人"), max_length=64)
    contact_phone = forms.CharField(
        label=_("联系电话"), max_length=16,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "maxlength": 16}),
        help_text=_("联系人的手机号码，监管所核实时拨打；页面上只显示前三位和后四位。"))
    licence = forms.FileField(
        label=_("营业执照"), widget=forms.FileInput(attrs={"class": "form-control", "accept": ".pdf,.jpg,.jpeg,.png"}),
        help_text=_("营业执照照片或扫描件，JPG、PNG 或 PDF。"))
    jurisdiction = StationChoiceField(label=_("属地市场监管所"),
                                      help_text=_("输入单位所在乡镇或街道的名称，从列表中选择。"))
    username = forms.CharField(label=_("用户名"), max_length=150, validators=[UnicodeUsernameValidator()],
                               help_text=_("登录平台时使用，可用字母、数字和 @/./+/-/_。"))
    display_name = forms.CharField(label=_("姓名"), max_length=64)
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput, strip=False,
                               help_text=lazy(password_validators_help_text_html, str)())
    password_confirm = forms.CharField(label=_("确认密码"), widget=forms.PasswordInput, strip=False)

    UNIT_FIELDS = ("uscc", "name", "kinds", "address", "legal_representative", "contact_person", "contact_phone",
                   "licence", "jurisdiction")
    ACCOUNT_FIELDS = ("username", "display_name", "password", "password_confirm")

    def sections(self) -> list[FormSection]:
        return [FormSection(_("单位信息"), [self[f] for f in self.UNIT_FIELDS]),
                FormSection(_("管理账号"), [self[f] for f in self.ACCOUNT_FIELDS])]

    def clean_uscc(self):
        uscc = normalize_uscc(self.cleaned_data["uscc"])
        validate_uscc(uscc)
        return uscc

    def clean_contact_phone(self):
        phone = self.cleaned_data["contact_phone"]
        return validate_mobile(phone) if phone else phone

    def clean_licence(self):
        licence = self.cleaned_data["licence"]
        if licence:
            services.validate_upload(licence)
        return licence

    def clean(self):
        data = super().clean()
        password, confirm = data.get("password"), data.get("password_confirm")
        if password and confirm and password != confirm:
            self.add_error("password_confirm", _("两次输入的密码不一致。"))
        if password:
            try:
                validate_password(password, User(username=data.get("username", ""),
                                                 display_name=data.get("display_name", "")))
            except ValidationError as exc:
                self.add_error("password", exc)
        return data


class ResubmitForm(forms.Form):
    """更正注册信息: the rejected sign-up's unit fields, filled in as they were; the phone and the licence
    are never shown in full, so leaving them blank keeps what was given."""
    model = Unit

    uscc = SignupForm.base_fields["uscc"]
    name = SignupForm.base_fields["name"]
    kinds = SignupForm.base_fields["kinds"]
    address = SignupForm.base_fields["address"]
    legal_representative = SignupForm.base_fields["legal_representative"]
    contact_person = SignupForm.base_fields["contact_person"]
    contact_phone = forms.CharField(label=_("联系电话"), max_length=16, required=False,
                                    widget=SignupForm.base_fields["contact_phone"].widget)
    licence = forms.FileField(label=_("营业执照"), required=False, widget=SignupForm.base_fields["licence"].widget)
    jurisdiction = StationChoiceField(label=_("属地市场监管所"),
                                      help_text=_("输入单位所在乡镇或街道的名称，从列表中选择。"))

    clean_uscc = SignupForm.clean_uscc
    clean_contact_phone = SignupForm.clean_contact_phone
    clean_licence = SignupForm.clean_licence

    def __init__(self, *args, instance: Unit, **kwargs):
        kwargs["initial"] = {
            "uscc": instance.uscc, "name": instance.name, "kinds": instance.kinds, "address": instance.address,
            "legal_representative": instance.legal_representative, "contact_person": instance.contact_person,
            "jurisdiction": instance.jurisdiction, **(kwargs.get("initial") or {}),
        }
        super().__init__(*args, **kwargs)
        self.fields["contact_phone"].help_text = _("已登记 %(masked)s；不修改请留空。") % {
            "masked": instance.contact_phone_masked or "—"}
        self.fields["licence"].help_text = _("已上传；需要更换时再选择文件（JPG、PNG 或 PDF）。") if instance.licence \
            else _("营业执照照片或扫描件，JPG、PNG 或 PDF。")
        self.fields["licence"].required = not instance.licence


class ReviewForm(forms.Form):
    note = forms.CharField(label=_("审核意见"), max_length=200, required=False)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("驳回理由"), max_length=200,
                             help_text=_("企业登录后可看到此理由，请写明需要更正的内容。"))


class GroupedSelect(forms.Select):
    """A select with <optgroup>s, rendered by Django's own template (the kit loop is flat)."""


def equipment_type_choices() -> list:
    """Varieties of the 特种设备目录 grouped by category (docs/domain.md §Equipment catalogue): the leaves are what is
    registered."""
    types = list(EquipmentType.objects.order_by("code").only("id", "code", "name", "parent_id"))
    has_children = {t.parent_id for t in types if t.parent_id}
    categories = {t.code: t for t in types if t.parent_id is None}
    groups: dict[str, list] = {}
    for t in types:
        if t.parent_id is not None and t.pk not in has_children:
            groups.setdefault(t.category_code, []).append((t.pk, str(t)))
    return [("", "—"), *[(str(categories[code]), groups[code]) for code in sorted(groups) if code in categories]]


DATE_WIDGET = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), "required": False}


class EquipmentForm(forms.Form):
    """Equipment record. Status and registration number are absent: they change only through use
    registration (docs/domain.md §Use registration). ``version`` carries what the editor saw (optimistic locking)."""
    model = Equipment

    equipment_type = forms.ModelChoiceField(label=_("设备品种"), queryset=EquipmentType.objects.all(),
                                            widget=GroupedSelect(attrs={"class": "form-select"}))
    code = forms.CharField(label=_("设备代码"), max_length=24, required=False,
                           help_text=_("18 位：品种代码 + 制造单位代码 + 制造年份 + 流水号；旧注册代码为 20 位数字。"))
    factory_number = forms.CharField(label=_("出厂编号"), max_length=64, required=False)
    manufacturer = forms.CharField(label=_("制造单位"), max_length=200, required=False)
    model_number = forms.CharField(label=_("型号规格"), max_length=64, required=False)
    location = forms.CharField(label=_("安装使用地点"), max_length=200, required=False)
    place_kind = forms.ChoiceField(label=_("使用场所类别"), choices=PlaceKind.choices, required=False,
                                   help_text=_("电梯、大型游乐设施、客运索道用于学校、医院、车站、商场、景区等公众聚集场所的，"
                                               "请选择场所类别（影响单位风险等级）。"))
    commissioned_on = forms.DateField(label=_("投入使用日期"), **DATE_WIDGET)
    last_inspection_on = forms.DateField(label=_("上次定期检验日期"), **DATE_WIDGET)
    next_inspection_on = forms.DateField(label=_("下次定期检验日期"), **DATE_WIDGET)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    RECORD_FIELDS = ("factory_number", "manufacturer", "model_number", "location", "place_kind", "commissioned_on",
                     "last_inspection_on", "next_inspection_on")

    def __init__(self, *args, instance: Equipment | None = None, fixed: dict | None = None, **kwargs):
        """``fixed``: the fields the editor may not change, with why (``services.fixed_equipment_fields``)."""
        if instance is not None:
            kwargs["initial"] = {
                "equipment_type": instance.equipment_type_id, "code": instance.code, "version": instance.version,
                **{f: getattr(instance, f) for f in self.RECORD_FIELDS}, **(kwargs.get("initial") or {}),
            }
        super().__init__(*args, **kwargs)
        self.fields["equipment_type"].choices = equipment_type_choices()
        if instance is None:
            del self.fields["version"]
        else:
            self.fields["version"].required = True
        fix_fields(self, fixed or {})

    def clean(self):
        data = super().clean()
        last, due = data.get("last_inspection_on"), data.get("next_inspection_on")
        if last and due and due <= last:
            self.add_error("next_inspection_on", _("下次定期检验日期应晚于上次定期检验日期。"))
        return data

    def record_fields(self) -> dict:
        return {f: self.cleaned_data.get(f) for f in self.RECORD_FIELDS}


# --- Use registration (000 §二(二); docs/domain.md §Use registration) ----------------------------------

UPLOAD_ACCEPT = ".pdf,.jpg,.jpeg,.png"


class EquipmentChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        label = f"{obj.equipment_type.name} {obj.code or obj.factory_number or '#' + str(obj.pk)}"
        return noted(label, obj.location) if obj.location else label


class EquipmentSingleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return EquipmentChoiceField.label_from_instance(self, obj)


class ApplicationForm(forms.Form):
    """An application of one kind for some of the unit's equipment, with one file per document TSG 08
    names; the kinds it requires are required fields (``services.REQUIRED_DOCUMENTS``)."""

    equipment = EquipmentChoiceField(label=_("设备"), queryset=Equipment.objects.none(),
                                     widget=forms.CheckboxSelectMultiple)
    reason = forms.CharField(label=_("申请事由"), max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))

    # Registered facts a 变更 does not alter, shown read-only on the change form with why (a value posted
    # for one is refused beside it rather than silently dropped).
    NOT_CHANGED = {
        "factory_number": _("出厂编号是产品的固有信息，不属于变更登记事项；登记有误的，请联系登记机关更正。"),
        "commissioned_on": _("投入使用日期不属于变更登记事项；登记有误的，请联系登记机关更正。"),
        "next_inspection_on": _("下次定期检验日期以检验记录为准，由监管部门录入，不通过变更登记修改。"),
    }

    def __init__(self, *args, unit: Unit, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind == ApplicationKind.CHANGE:
            # One piece per change application (``services.submit_application``).
            self.fields["equipment"] = EquipmentSingleChoiceField(
                label=_("设备"), queryset=Equipment.objects.none(), widget=forms.RadioSelect,
                help_text=_("变更登记每次申请一台设备。"))
            self.change_names = list(services.CHANGE_FIELDS)
            for name in services.CHANGE_FIELDS:
                field = copy.deepcopy(EquipmentForm.base_fields[name])
                field.required = True
                field.error_messages["required"] = services.CHANGE_REQUIRED[name]
                field.label = _("变更后的%(label)s") % {"label": field.label}
                field.widget.attrs["class"] = "form-control"
                self.fields[name] = field
            for name, reason in self.NOT_CHANGED.items():
                field = copy.deepcopy(EquipmentForm.base_fields[name])
                field.required, field.disabled, field.help_text = False, True, reason
                field.widget.attrs["class"] = "form-control"
                self.fields[name] = field
        else:
            self.change_names = []
        self.fields["equipment"].queryset = services.eligible_equipment(unit, kind)
        required = services.REQUIRED_DOCUMENTS.get(kind, ())
        for doc in DocumentKind:
            self.fields[f"doc_{doc.value}"] = forms.FileField(
                label=doc.label, required=doc in required,
                widget=forms.FileInput(attrs={"class": "form-control", "accept": UPLOAD_ACCEPT}),
            )

    def clean(self):
        cleaned = super().clean()
        for name in self.NOT_CHANGED:
            if name in self.fields and self.data.get(self.add_prefix(name)):
                self.add_error(name, self.fields[name].help_text)
        for doc in DocumentKind:
            upload = cleaned.get(f"doc_{doc.value}")
            if upload:
                try:
                    services.validate_upload(upload)
                except ValidationError as exc:
                    self.add_error(f"doc_{doc.value}", exc)
        return cleaned

    @property
    def change_fields(self):
        return [self[name] for name in self.change_names]

    @property
    def fixed_fields(self):
        return [self[name] for name in self.NOT_CHANGED if name in self.fields]

    def equipment_list(self) -> list:
        chosen = self.cleaned_data["equipment"]
        return [chosen] if isinstance(chosen, Equipment) else list(chosen)

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.change_names}

    @property
    def document_fields(self):
        return [self[f"doc_{doc.value}"] for doc in DocumentKind]

    def documents(self) -> list[tuple[str, object]]:
        return [(doc.value, self.cleaned_data[f"doc_{doc.value}"]) for doc in DocumentKind
                if self.cleaned_data.get(f"doc_{doc.value}")]


class ApplicationApproveForm(forms.Form):
    opinion = forms.CharField(label=_("审查意见"), max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("选填，如：材料齐全，符合规定。"))


class ApplicationRejectForm(forms.Form):
    reason = forms.CharField(label=_("审查意见"), max_length=500, widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("必填：写明不予办理的理由，将写入决定书并告知申请单位。"))


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
