"""The risk grade's stored outcome and the 重点单位 flag (docs/domain.md §Risk grade)."""

import pghistory
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from units.choices import RiskGrade
from units.models import Unit


class UnitRisk(models.Model):
    """One supervised unit's grade as the last regrade computed it, with the score and the reasons behind it
    (``grading``). Rebuilt by every run for every unit it grades, so it is nobody's record and keeps no history;
    the grade itself is copied to ``Unit.risk_grade``, whose history (pghistory) shows when it changed."""

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, primary_key=True, related_name="+",
                                verbose_name=_("单位"))
    grade = models.CharField(_("风险等级"), max_length=1, choices=RiskGrade.choices)
    score = models.PositiveIntegerField(_("风险分值"), default=0)
    reasons = models.JSONField(_("评定依据"), default=list, blank=True)
    computed_at = models.DateTimeField(_("评定时间"))

    access_path = "unit__jurisdiction"
    unit_path = "unit"

    class Meta:
        verbose_name = _("单位风险评定")
        verbose_name_plural = _("单位风险评定")

    def __str__(self):
        return f"{self.unit_id} {self.grade}"


@pghistory.track()
class KeyUnit(models.Model):
    """重点单位: a regulator over the unit puts it on the key-unit list with a reason (Order 57 Art. 9); while listed
    its grade is the top one whatever its score. Taking it off deletes the row; the history and the audit trail
    keep who listed it, why, and who took it off."""

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, primary_key=True, related_name="+",
                                verbose_name=_("单位"))
    reason = models.CharField(_("列为重点单位的理由"), max_length=500)
    designated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name=_("列入人"))
    designated_at = models.DateTimeField(_("列入时间"), default=timezone.now)

    access_path = "unit__jurisdiction"
    unit_path = "unit"

    class Meta:
        verbose_name = _("重点单位")
        verbose_name_plural = _("重点单位")

    def __str__(self):
        return f"{self.unit_id}"
