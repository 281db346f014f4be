from pathlib import Path

import pghistory
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from jurisdictions.duties import unit_permissions
from jurisdictions.models import Placed
from portal.kit import imports, jobs
from portal.kit.identifiers import validate_uscc
from portal.kit.jobs import BackgroundJob
from portal.kit.models import generated_name
from portal.kit.wording import listing
from units.choices import (
    ApplicationKind,
    ApplicationStatus,
    DocumentKind,
    EquipmentStatus,
    NotificationKind,
    NotificationStatus,
    PlaceKind,
    RiskGrade,
    UnitKind,
    UnitStatus,
)

CONTACT_PHONE_PURPOSE = "unit.contact_phone"


def _licence_path(instance, filename):
    return generated_name("licences", Path(filename).suffix.lower())


@pghistory.track(exclude=["contact_phone_cipher", "contact_phone_digest"])
class Unit(Placed):
    """An enterprise under supervision (docs/domain.md §Units and equipment); the units issue grows it.

    Placed in a jurisdiction (normally a station) by ``units.services``, which also copies the
    ancestor ids used for scoping. The contact phone is kept as a person's is (docs/security.md §Personal
    information): sealed, a blind index, and pre-masked for every page; the 营业执照 scan lives under a
    generated name and is served only through a scoped view, never from MEDIA_URL.
    """

    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, validators=[validate_uscc])
    name = models.CharField(_("单位名称"), max_length=200)
    kinds = ArrayField(
        models.CharField(max_length=16, choices=UnitKind.choices), verbose_name=_("单位类别"), default=list
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=64, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=UnitStatus.choices, default=UnitStatus.ACTIVE)
    risk_grade = models.CharField(_("风险等级"), max_length=1, choices=RiskGrade.choices, blank=True)
    contact_person = models.CharField(_("联系人"), max_length=64, blank=True)
    # Database defaults too: bulk loaders (seed_scale's COPY) name only the columns they fill.
    contact_phone_cipher = models.BinaryField(_("联系电话（密文）"), editable=False, default=b"", db_default=b"")
    contact_phone_digest = models.CharField(_("联系电话索引"), max_length=64, editable=False, blank=True,
                                            default="", db_default="")
    contact_phone_masked = models.CharField(_("联系电话"), max_length=11, editable=False, blank=True, default="",
                                            db_default="")
    licence = models.FileField(_("营业执照"), upload_to=_licence_path, blank=True, default="", db_default="")
    reviewed_by = models.ForeignKey(
        "jurisdictions.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_note = models.CharField(_("审核意见"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    unit_path = "pk"

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        permissions = unit_permissions()
        indexes = [
            models.Index(fields=["province", "name", "id"], name="unit_province_name_idx"),
            # The province's scope is every unit: its count(*) needs an index as narrow as an unscoped
            # count's, or it falls back to a sequential scan (2.8x slower at 60k units, tests/perf).
            models.Index(fields=["province"], name="unit_province_idx"),
            models.Index(fields=["city", "name", "id"], name="unit_city_name_idx"),
            models.Index(fields=["county", "name", "id"], name="unit_county_name_idx"),
            models.Index(fields=["station", "name", "id"], name="unit_station_name_idx"),
            models.Index(fields=["name", "id"], name="unit_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(kinds=[]), name="unit_has_kind"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("units:unit_detail", args=[self.pk])

    def get_kinds_display(self) -> str:
        labels = dict(UnitKind.choices)
        return listing(labels.get(k, k) for k in self.kinds)


class UnitUserObjectPermission(UserObjectPermissionBase):
    """An enterprise user's grant on its own unit: this row *is* the binding of account to unit."""

    content_object = models.ForeignKey(Unit, on_delete=models.CASCADE)


class UnitGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Unit, on_delete=models.CASCADE)


@pghistory.track()
class EquipmentType(models.Model):
    """The 特种设备目录 (2014 revision, docs/domain.md §Equipment catalogue): categories (x000), kinds (xx00) and
    varieties.

    Shipped as data in ``units/fixtures/equipment-catalogue.csv`` and loaded by
    ``manage.py load_equipment_catalogue``. ``registration_char`` is the first character of a
    use registration certificate number (锅 容 瓶 管 梯 起 索 游 车 氧, docs/domain.md §Identifiers).
    """

    code = models.CharField(_("品种代码"), max_length=4, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("上级")
    )
    registration_char = models.CharField(_("登记证类别字"), max_length=1, blank=True)

    class Meta:
        verbose_name = _("设备品种")
        verbose_name_plural = _("特种设备目录")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def category_code(self) -> str:
        return self.code[0] + "000"


@pghistory.track()
class Equipment(Placed):
    """One piece of special equipment of a unit (docs/domain.md §Units and equipment), placed where the unit is.

    ``category`` repeats the top level of ``equipment_type`` so lists filter by 锅炉/电梯/… with one
    indexed equality. Status changes go through the use-registration workflow (docs/domain.md §Use registration).
    """

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="equipment", verbose_name=_("使用单位"))
    equipment_type = models.ForeignKey(
        EquipmentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("设备品种")
    )
    category = models.ForeignKey(EquipmentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("设备类别"))
    code = models.CharField(_("设备代码"), max_length=20, blank=True)
    factory_number = models.CharField(_("出厂编号"), max_length=64, blank=True)
    manufacturer = models.CharField(_("制造单位"), max_length=200, blank=True)
    model_number = models.CharField(_("型号规格"), max_length=64, blank=True)
    location = models.CharField(_("安装使用地点"), max_length=200, blank=True)
    # Database default too: bulk loaders (seed_scale's COPY) name only the columns they fill.
    place_kind = models.CharField(_("使用场所类别"), max_length=16, choices=PlaceKind.choices, blank=True, default="",
                                  db_default="")
    status = models.CharField(
        _("状态"), max_length=16, choices=EquipmentStatus.choices, default=EquipmentStatus.UNREGISTERED
    )
    registration_number = models.CharField(_("使用登记证编号"), max_length=32, blank=True)
    registered_on = models.DateField(_("登记日期"), null=True, blank=True)
    commissioned_on = models.DateField(_("投入使用日期"), null=True, blank=True)
    last_inspection_on = models.DateField(_("上次定期检验日期"), null=True, blank=True)
    next_inspection_on = models.DateField(_("下次定期检验日期"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    unit_path = "unit"

    class Meta:
        verbose_name = _("特种设备")
        verbose_name_plural = _("特种设备")
        indexes = [
            models.Index(fields=["province", "-id"], name="equipment_province_idx"),
            # The province's scope is every row: its count(*) needs an index as narrow as an unscoped
            # count's, or it becomes a parallel seq scan (3.1x unscoped at 250k rows, tests/perf).
            models.Index(fields=["province"], name="equipment_province_count_idx"),
            models.Index(fields=["city", "-id"], name="equipment_city_idx"),
            models.Index(fields=["county", "-id"], name="equipment_county_idx"),
            models.Index(fields=["station", "-id"], name="equipment_station_idx"),
            models.Index(fields=["city", "next_inspection_on"], name="equipment_city_due_idx"),
            models.Index(fields=["county", "next_inspection_on"], name="equipment_county_due_idx"),
            models.Index(fields=["station", "next_inspection_on"], name="equipment_station_due_idx"),
            models.Index(fields=["next_inspection_on"], name="equipment_due_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=~models.Q(code=""), name="equipment_code_unique"),
            models.UniqueConstraint(
                fields=["registration_number"], condition=~models.Q(registration_number=""),
                name="equipment_registration_number_unique",
            ),
        ]

    def __str__(self):
        return f"{self.equipment_type.name} {self.code or self.factory_number or self.pk}"

    def get_absolute_url(self):
        return reverse("units:equipment_detail", args=[self.pk])


@pghistory.track()
class Application(Placed):
    """A use-registration application and its decision (000 §二(二); docs/domain.md §Use registration).

    Decided by the city (``authority``) or, while a delegation is in force, by the county it
    delegated to. Change, suspension, resumption and deregistration follow the same path.
    """

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="applications", verbose_name=_("使用单位"))
    kind = models.CharField(_("申请类型"), max_length=16, choices=ApplicationKind.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    equipment = models.ManyToManyField(Equipment, related_name="applications", verbose_name=_("设备"))
    authority = models.ForeignKey(
        "jurisdictions.Jurisdiction", on_delete=models.PROTECT, related_name="+", verbose_name=_("登记机关")
    )
    reason = models.CharField(_("申请事由"), max_length=500, blank=True)
    # 变更登记 only: {equipment field: {"old": …, "new": …}} for the registered facts the change asks to
    # alter, keys limited to ``services.CHANGE_FIELDS``. JSON rather than a column per fact: the facts a
    # 变更 may cover are a whitelist in one place, and the record of what it replaced (``old``) travels
    # with it onto the page, the decision and the audit trail. Empty for every other kind.
    changes = models.JSONField(_("变更事项"), default=dict, blank=True)
    submitted_by = models.ForeignKey("jurisdictions.User", on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    due_on = models.DateField(_("办理期限"))
    accepted_by = models.ForeignKey(
        "jurisdictions.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        "jurisdictions.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    decided_by_authority = models.ForeignKey(
        "jurisdictions.Jurisdiction", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("实际办理机关"),
    )
    acceptance_number = models.CharField(_("受理编号"), max_length=64, blank=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    decision_note = models.CharField(_("审查意见"), max_length=500, blank=True)
    decision_number = models.CharField(_("决定书编号"), max_length=64, blank=True)
    version = models.PositiveIntegerField(default=1)

    unit_path = "unit"

    class Meta:
        verbose_name = _("使用登记申请")
        verbose_name_plural = _("使用登记申请")
        indexes = [
            models.Index(fields=["city", "status", "due_on"], name="application_city_queue_idx"),
            models.Index(fields=["county", "status", "due_on"], name="application_county_queue_idx"),
            models.Index(fields=["province", "-id"], name="application_province_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["decision_number"], condition=~models.Q(decision_number=""), name="application_decision_unique"
            ),
            models.UniqueConstraint(
                fields=["acceptance_number"], condition=~models.Q(acceptance_number=""),
                name="application_acceptance_unique",
            ),
        ]

    def __str__(self):
        return _("%(kind)s申请 %(number)s（%(unit)s）") % {
            "kind": self.get_kind_display(), "number": self.number, "unit": self.unit}

    @property
    def number(self) -> str:
        """The 受理编号 the applicant and the authority quote; rows from before numbering fall back to the id."""
        return self.acceptance_number or f"#{self.pk}"

    def get_absolute_url(self):
        return reverse("units:application_detail", args=[self.pk])


def _document_path(instance, filename):
    return generated_name("registration", Path(filename).suffix.lower())


class ApplicationDocument(models.Model):
    """A document the rules require with an application (使用登记表, 信用代码证明, 产品合格证, 监督检验证明).

    Stored under a generated name; the original name is kept for display only (docs/security.md §Uploads).
    """

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("材料类型"), max_length=32, choices=DocumentKind.choices)
    file = models.FileField(_("文件"), upload_to=_document_path)
    original_name = models.CharField(_("原文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小"))
    uploaded_by = models.ForeignKey("jurisdictions.User", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    # Seen by whoever sees its application: through the application's jurisdiction and unit.
    access_path = "application__jurisdiction"
    unit_path = "application__unit"

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")

    def __str__(self):
        return _("%(kind)s：%(name)s") % {"kind": self.get_kind_display(), "name": self.original_name}


@pghistory.track()
class WorkNotification(Placed):
    """告知: a production unit tells the city before installing, altering or repairing equipment at a
    usage unit (000 §二(二)); the city acknowledges, the county sees it. Placed where the work is."""

    notifier = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="notifications_sent", verbose_name=_("施工单位")
    )
    site_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="notifications_received", verbose_name=_("使用单位")
    )
    kind = models.CharField(_("告知类型"), max_length=16, choices=NotificationKind.choices)
    equipment_type = models.ForeignKey(EquipmentType, on_delete=models.PROTECT, related_name="+",
                                       verbose_name=_("设备品种"))
    equipment = models.ForeignKey(
        Equipment, on_delete=models.PROTECT, null=True, blank=True, related_name="notifications",
        verbose_name=_("设备"),
    )
    site_address = models.CharField(_("施工地点"), max_length=200)
    planned_start = models.DateField(_("计划开工日期"))
    description = models.CharField(_("施工内容"), max_length=500, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=NotificationStatus.choices, default=NotificationStatus.SUBMITTED
    )
    submitted_by = models.ForeignKey("jurisdictions.User", on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("告知时间"), default=timezone.now)
    acknowledged_by = models.ForeignKey(
        "jurisdictions.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    unit_path = "notifier"

    class Meta:
        verbose_name = _("安装改造修理告知")
        verbose_name_plural = _("安装改造修理告知")
        indexes = [
            models.Index(fields=["city", "-id"], name="notification_city_idx"),
            models.Index(fields=["county", "-id"], name="notification_county_idx"),
        ]

    def __str__(self):
        return _("%(kind)s告知 #%(pk)s") % {"kind": self.get_kind_display(), "pk": self.pk}

    def get_absolute_url(self):
        return reverse("units:notification_detail", args=[self.pk])


class ImportJob(Placed, BackgroundJob):
    """One Excel import (docs/security.md §Uploads): dry run, then save; its ``file`` is the upload.

    Placed where its creator is; an enterprise's job also names its unit. Only the creator opens it.
    Its kind is one of the importers apps register (``portal.kit.imports``).
    """

    class Status(models.TextChoices):
        INVALID = "invalid", _("校验未通过")
        VALIDATED = "validated", _("校验通过，待确认")
        QUEUED = jobs.QUEUED, _("排队中")
        RUNNING = jobs.RUNNING, _("导入中")
        DONE = jobs.DONE, _("已完成")
        FAILED = jobs.FAILED, _("导入失败")

    kind = models.CharField(_("导入类型"), max_length=16, validators=[imports.validate_kind])
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("单位"))
    original_name = models.CharField(_("原文件名"), max_length=200)
    errors = models.JSONField(_("错误"), default=list, blank=True)

    unit_path = "unit"
    file_dir = "imports"
    file_suffix = ".xlsx"

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")

    def __str__(self):
        return _("%(kind)s导入 #%(pk)s") % {"kind": self.importer.label, "pk": self.pk}

    def get_absolute_url(self):
        return reverse("units:import_detail", args=[self.pk])

    @property
    def importer(self) -> imports.Importer:
        return imports.IMPORTERS[self.kind]
