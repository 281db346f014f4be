"""The risk grade's stored outcome, the 重点单位 flag, and the inspectors' certificates (docs/domain.md §Risk grade,
§Inspector pool)."""

import pghistory
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inspections.supervision.choices import CertificateClass, Validity
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


@pghistory.track()
class InspectorCertificate(models.Model):
    """特种设备安全监察员证 of a regulator account (000 §一(十), §二(九)): only an account holding one in force on
    the day may be drawn for or named on an inspection (Order 57 Art. 19; ``querysets.valid_inspectors``).

    Scoped through its holder's node: whoever sees the account sees its certificates, and whoever manages the
    account (its own jurisdiction's leader or one above) enters them. Renewals are new rows; old ones stay.
    """

    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="inspector_certificates", verbose_name=_("持证人"))
    number = models.CharField(_("证书编号"), max_length=64, unique=True)
    certificate_class = models.CharField(_("证书类别"), max_length=1, choices=CertificateClass.choices)
    issued_by = models.CharField(_("发证机关"), max_length=100)
    issued_on = models.DateField(_("发证日期"))
    expires_on = models.DateField(_("有效期至"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("录入人"))
    created_at = models.DateTimeField(_("录入时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    access_path = "holder__jurisdiction"

    class Meta:
        verbose_name = _("监察员证")
        verbose_name_plural = _("监察员证")
        indexes = [models.Index(fields=["holder", "expires_on"], name="inspectorcert_holder_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(expires_on__gt=models.F("issued_on")),
                                   name="inspectorcert_expires_after_issue"),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("supervision:inspector_list")

    def validity(self, on=None) -> str:
        day = on or timezone.localdate()
        if day < self.issued_on:
            return Validity.NOT_YET
        return Validity.VALID if day <= self.expires_on else Validity.EXPIRED

    def get_validity_display(self) -> str:
        return Validity(self.validity()).label
