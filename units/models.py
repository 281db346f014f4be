import pghistory
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from jurisdictions.duties import unit_permissions
from jurisdictions.models import Placed
from portal.kit.identifiers import validate_uscc
from units.choices import RiskGrade, UnitKind, UnitStatus


@pghistory.track()
class Unit(Placed):
    """An enterprise under supervision (DESIGN §3.2); the units issue grows it.

    Placed in a jurisdiction (normally a station) by ``units.services``, which also copies the
    ancestor ids used for scoping.
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
            models.Index(fields=["jurisdiction"], name="unit_jurisdiction_idx"),
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
        return "、".join(str(labels.get(k, k)) for k in self.kinds)


class UnitUserObjectPermission(UserObjectPermissionBase):
    """An enterprise user's grant on its own unit: this row *is* the binding of account to unit."""

    content_object = models.ForeignKey(Unit, on_delete=models.CASCADE)


class UnitGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Unit, on_delete=models.CASCADE)
