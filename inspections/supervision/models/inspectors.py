"""The inspectors' certificates (docs/domain.md §Inspector pool)."""

import pghistory
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inspections.supervision.choices import CertificateClass, Validity


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
