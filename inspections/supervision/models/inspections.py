"""The record of a regulator's inspection of a unit (Order 57 Art. 19–27; docs/domain.md §Inspection record).

Opened by at least two inspectors holding a certificate in force that day (``querysets.valid_inspectors``),
filled in on site item by item, signed by the unit's representative on the screen (or the refusal noted with a
photo, Art. 27) and completed: from then on the record is locked — a database trigger refuses every change to a
completed record except its following the unit to another jurisdiction. Placed where its unit is.
"""

from pathlib import Path

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inspections.supervision.inspection_choices import Disposition, InspectionKind, InspectionStatus, ItemResult
from jurisdictions.models import Jurisdiction, Placed, tier_indexes
from personnel.models import SpotAssessment
from portal.kit.models import generated_name
from units.models import Equipment, Unit


def _stored(folder: str, filename: str) -> str:
    return generated_name(f"inspections/{folder}", Path(filename).suffix.lower())


def signature_path(instance, filename):
    return _stored("signatures", filename)


def refusal_path(instance, filename):
    return _stored("refusals", filename)


def item_photo_path(instance, filename):
    return _stored("photos", filename)


@pghistory.track()
class Inspection(Placed):
    """One inspection of one unit: who, when, what was checked and found, what was done, who signed."""

    kind = models.CharField(_("检查类别"), max_length=16, choices=InspectionKind.choices)
    # The plan or campaign task this inspection carries out; completing the record completes the task.
    task = models.ForeignKey("supervision.PlanTask", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="inspections", verbose_name=_("检查任务"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("被检查单位"))
    authority = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("实施检查的部门"))
    inspectors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="inspections_made",
                                        verbose_name=_("检查人员"))
    recorder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("记录人"))
    status = models.CharField(_("状态"), max_length=16, choices=InspectionStatus.choices,
                              default=InspectionStatus.IN_PROGRESS)
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    # The unit as it stood on the day (docs/domain.md §Inspection record names the fields): the record is kept, the
    # unit changes.
    unit_name = models.CharField(_("单位名称"), max_length=200)
    unit_uscc = models.CharField(_("统一社会信用代码"), max_length=18)
    unit_address = models.CharField(_("地址"), max_length=200, blank=True)
    unit_legal_representative = models.CharField(_("法定代表人"), max_length=64, blank=True)
    unit_safety_manager = models.CharField(_("安全管理负责人"), max_length=64, blank=True)
    unit_contact = models.CharField(_("联系人"), max_length=64, blank=True)
    unit_kinds = ArrayField(models.CharField(max_length=16), verbose_name=_("单位类别"), default=list)
    equipment = models.ManyToManyField(Equipment, blank=True, related_name="inspections",
                                       verbose_name=_("抽查设备"))
    assessments = models.ManyToManyField(SpotAssessment, blank=True, related_name="inspections",
                                         verbose_name=_("现场抽查考核"))
    disposition = models.CharField(_("处理措施"), max_length=16, choices=Disposition.choices, blank=True)
    disposition_note = models.CharField(_("处理说明"), max_length=1000, blank=True)
    unit_opinion = models.CharField(_("被检查单位意见"), max_length=500, blank=True)
    signer_name = models.CharField(_("被检查单位签字人"), max_length=64, blank=True)
    signature = models.FileField(_("签名"), upload_to=signature_path, blank=True)
    signed_at = models.DateTimeField(_("签名时间"), null=True, blank=True)
    refused = models.BooleanField(_("拒绝签字"), default=False)
    refusal_note = models.CharField(_("拒签情况"), max_length=500, blank=True)
    refusal_photo = models.FileField(_("拒签照片"), upload_to=refusal_path, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("完成人"))

    unit_path = "unit"

    class Meta:
        verbose_name = _("监督检查记录")
        verbose_name_plural = _("监督检查记录")
        indexes = [
            *tier_indexes("inspection", "-id"),
            # The list sorted by 检查时间 (either way): an index range of the scope instead of sorting all of it.
            *tier_indexes("inspection", "-started_at", suffix="_time"),
            models.Index(fields=["unit", "-started_at"], name="inspection_unit_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=InspectionStatus.COMPLETED)
                | models.Q(ended_at__isnull=False) & ~models.Q(disposition="")
                & (models.Q(signed_at__isnull=False) | models.Q(refused=True)),
                name="inspection_completed_is_whole"),
            models.CheckConstraint(condition=models.Q(ended_at__isnull=True)
                                   | models.Q(ended_at__gte=models.F("started_at")),
                                   name="inspection_ends_after_start"),
        ]
        triggers = [
            pgtrigger.Protect(name="inspection_never_deleted", operation=pgtrigger.Delete),
            # Art. 21: the signed record is the record. Only following the unit to another jurisdiction moves it.
            pgtrigger.Protect(
                name="inspection_locked_when_completed", operation=pgtrigger.Update,
                condition=pgtrigger.Condition(
                    "OLD.status = 'completed' AND OLD.jurisdiction_id IS NOT DISTINCT FROM NEW.jurisdiction_id")),
        ]

    def __str__(self):
        return _("%(unit)s %(day)s 监督检查") % {"unit": self.unit_name,
                                              "day": timezone.localtime(self.started_at).date().isoformat()}

    def get_absolute_url(self):
        return reverse("inspections:inspection_detail", args=[self.pk])

    @property
    def is_locked(self) -> bool:
        return self.status == InspectionStatus.COMPLETED


class InspectionItem(models.Model):
    """One line of the checklist (``data/inspection_checklists.json``), with what the unit's records said when
    the record was opened (``prefill``), the inspectors' result, note and photo, and the finding it opened."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="items")
    position = models.PositiveSmallIntegerField(_("序号"))
    key = models.CharField(max_length=32)
    section = models.CharField(_("检查项目"), max_length=40)
    text = models.CharField(_("检查内容"), max_length=300)
    source = models.CharField(_("依据"), max_length=200, blank=True)
    prefill = models.CharField(_("单位记录"), max_length=500, blank=True)
    result = models.CharField(_("检查结果"), max_length=16, choices=ItemResult.choices, blank=True)
    note = models.CharField(_("情况说明"), max_length=500, blank=True)
    photo = models.FileField(_("照片"), upload_to=item_photo_path, blank=True)
    photo_at = models.DateTimeField(_("照片接收时间"), null=True, blank=True)
    finding = models.OneToOneField("findings.Finding", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="inspection_item", verbose_name=_("隐患"))

    access_path = "inspection__jurisdiction"
    unit_path = "inspection__unit"

    class Meta:
        verbose_name = _("检查项")
        verbose_name_plural = _("检查项")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "position"], name="inspectionitem_one_per_position"),
            models.CheckConstraint(condition=models.Q(finding__isnull=True)
                                   | models.Q(result=ItemResult.NON_COMPLIANT),
                                   name="inspectionitem_finding_is_noncompliant"),
        ]
        triggers = [pgtrigger.Protect(name="inspectionitem_never_deleted", operation=pgtrigger.Delete)]

    def __str__(self):
        return f"{self.inspection_id}:{self.position}"
