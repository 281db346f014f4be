"""The unit's 安全风险管控清单 (docs/domain.md §Risk control list), kept as numbered versions.

``RiskList`` is the unit's one list, placed where the unit is so lists scope by an indexed column; it
points at the version in force now. Each save writes a new ``RiskListVersion`` with all its rows; a
version and its rows are never changed or deleted afterwards (database triggers refuse it), so the
list any day's check was made against stays readable (存档备查, Order 74 Art. 142).
"""

import pghistory
import pgtrigger
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inspections.routines.choices import RESPONSIBLE_POST_CHOICES, Frequency, RiskCategory
from jurisdictions.models import Placed, tier_indexes
from units.models import Equipment, EquipmentType, Unit


@pghistory.track()
class RiskList(Placed):
    """One unit's risk control list: where it is, and which version is in force now."""

    unit = models.OneToOneField(Unit, on_delete=models.PROTECT, related_name="risk_list", verbose_name=_("单位"))
    current = models.ForeignKey("RiskListVersion", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name=_("现行版本"))
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    unit_path = "unit"

    class Meta:
        verbose_name = _("安全风险管控清单")
        verbose_name_plural = _("安全风险管控清单")
        indexes = [
            *tier_indexes("risklist", "-id"),
        ]
        triggers = [pgtrigger.Protect(name="risklist_never_deleted", operation=pgtrigger.Delete)]

    def __str__(self):
        return _("%(unit)s 安全风险管控清单") % {"unit": self.unit.name}

    def get_absolute_url(self):
        return reverse("routines:risk_list", args=[self.unit_id])


class RiskListVersion(models.Model):
    """One saved state of a unit's list: its number, who saved it, when and why."""

    risk_list = models.ForeignKey(RiskList, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    saved_by = models.ForeignKey("jurisdictions.User", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("保存人"))
    saved_at = models.DateTimeField(_("保存时间"), default=timezone.now)
    note = models.CharField(_("修订说明"), max_length=200, blank=True)

    access_path = "risk_list__jurisdiction"
    unit_path = "risk_list__unit"

    class Meta:
        verbose_name = _("清单版本")
        verbose_name_plural = _("清单版本")
        constraints = [models.UniqueConstraint(fields=["risk_list", "number"], name="risklist_version_unique")]
        indexes = [models.Index(fields=["risk_list", "saved_at"], name="risklist_version_saved_idx")]
        triggers = [pgtrigger.Protect(name="risklist_version_append_only",
                                      operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self):
        return _("第 %(n)d 版") % {"n": self.number}

    def get_absolute_url(self):
        return reverse("routines:risk_list_version", args=[self.pk])


class RiskItem(models.Model):
    """One row of a version: what is checked, how, by whom, how often, on which equipment.

    Coverage: one piece of the unit's equipment, or all its equipment of a catalogue category or kind
    (``equipment_type``, e.g. 3000 电梯, 2300 气瓶), or, with neither, the unit as a whole.
    """

    version = models.ForeignKey(RiskListVersion, on_delete=models.PROTECT, related_name="items")
    position = models.PositiveIntegerField(_("序号"))
    category = models.CharField(_("类别"), max_length=16, choices=RiskCategory.choices)
    risk_item = models.CharField(_("风险点"), max_length=200)
    check_content = models.CharField(_("检查内容和标准"), max_length=1000)
    control_measure = models.CharField(_("管控措施"), max_length=1000)
    responsible_post = models.CharField(_("责任岗位"), max_length=32, choices=RESPONSIBLE_POST_CHOICES)
    frequency = models.CharField(_("频次"), max_length=16, choices=Frequency.choices)
    equipment = models.ForeignKey(Equipment, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("设备"))
    equipment_type = models.ForeignKey(EquipmentType, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+", verbose_name=_("设备类别"))

    access_path = "version__risk_list__jurisdiction"
    unit_path = "version__risk_list__unit"

    class Meta:
        verbose_name = _("风险管控项")
        verbose_name_plural = _("风险管控项")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="riskitem_position_unique"),
            models.CheckConstraint(condition=models.Q(equipment__isnull=True) | models.Q(equipment_type__isnull=True),
                                   name="riskitem_one_coverage"),
        ]
        triggers = [pgtrigger.Protect(name="riskitem_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self):
        return self.risk_item

    @property
    def covers(self) -> str:
        if self.equipment_id:
            e = self.equipment
            return f"{e.equipment_type.name} {e.code or e.factory_number or e.pk}"
        if self.equipment_type_id:
            return _("全部%(kind)s") % {"kind": self.equipment_type.name}
        return _("全单位")
