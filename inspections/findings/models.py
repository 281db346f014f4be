"""One finding → rectification → verification (docs/domain.md §Findings), shared by every inspection app.

A hazard a unit's self-check finds and a violation a regulator's inspection finds are the same record with
the same lifecycle; ``origin`` and the generic ``source`` say which record raised it. Placed where its unit
is, so lists scope by one indexed column. Nothing here is ever deleted (存档备查, Order 74 Art. 142–144):
a database trigger refuses DELETE on findings, their steps and their evidence.
"""

import pghistory
import pgtrigger
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inspections.findings.choices import PENDING, HazardLevel, Origin, Status, Step
from jurisdictions.models import Placed, tier_indexes
from personnel.models import Person
from portal.kit.models import StoredUpload
from units.models import Equipment, Unit


class FindingQuerySet(models.QuerySet):
    def overdue(self, today=None):
        """Past the due date and not closed: derived from the date, never stored, so it is never stale."""
        return self.filter(status__in=PENDING, due_on__lt=today or timezone.localdate())

    def not_overdue(self, today=None):
        return self.exclude(status__in=PENDING, due_on__lt=today or timezone.localdate())


@pghistory.track()
class Finding(Placed):
    """A problem found at a unit, to be rectified by its due date and verified before it is closed (销号)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="findings", verbose_name=_("单位"))
    equipment = models.ForeignKey(Equipment, on_delete=models.PROTECT, null=True, blank=True, related_name="findings",
                                  verbose_name=_("设备"))
    origin = models.CharField(_("来源"), max_length=16, choices=Origin.choices, default=Origin.SELF_CHECK)
    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    description = models.CharField(_("问题描述"), max_length=1000)
    hazard_level = models.CharField(_("隐患级别"), max_length=16, choices=HazardLevel.choices,
                                    default=HazardLevel.GENERAL)
    responsible = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("整改责任人"))
    due_on = models.DateField(_("整改期限"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    raised_by = models.ForeignKey("jurisdictions.User", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("发现人"))
    raised_at = models.DateTimeField(_("发现时间"), default=timezone.now)
    rectification_note = models.CharField(_("整改情况"), max_length=1000, blank=True)
    rectified_by = models.ForeignKey("jurisdictions.User", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("整改人"))
    rectified_at = models.DateTimeField(_("整改时间"), null=True, blank=True)
    verified_by = models.ForeignKey("jurisdictions.User", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("验证人"))
    verified_at = models.DateTimeField(_("验证时间"), null=True, blank=True)
    verification_note = models.CharField(_("验证意见"), max_length=500, blank=True)

    objects = FindingQuerySet.as_manager()
    unit_path = "unit"

    class Meta:
        verbose_name = _("隐患")
        verbose_name_plural = _("隐患")
        indexes = [
            *tier_indexes("finding", "-id"),
            models.Index(fields=["unit", "-id"], name="finding_unit_idx"),
            # The open work (待整改, 待验证, overdue) by due date: what reminders and 待办 read.
            models.Index(fields=["county", "due_on"], name="finding_county_pending_idx",
                         condition=models.Q(status__in=PENDING)),
            models.Index(fields=["unit", "due_on"], name="finding_unit_pending_idx",
                         condition=models.Q(status__in=PENDING)),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(source_type__isnull=True, source_id__isnull=True)
                | models.Q(source_type__isnull=False, source_id__isnull=False),
                name="finding_source_whole"),
            models.CheckConstraint(
                condition=~models.Q(status=Status.CLOSED) | models.Q(verified_at__isnull=False),
                name="finding_closed_is_verified"),
            models.CheckConstraint(
                condition=models.Q(status=Status.OPEN) | models.Q(rectified_at__isnull=False),
                name="finding_rectified_has_time"),
        ]
        triggers = [pgtrigger.Protect(name="finding_never_deleted", operation=pgtrigger.Delete)]

    def __str__(self):
        return _("隐患 #%(pk)s") % {"pk": self.pk}

    def get_absolute_url(self):
        return reverse("findings:finding_detail", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return self.status in PENDING and self.due_on < timezone.localdate()


class FindingStep(models.Model):
    """One move of a finding's lifecycle, with who made it, when and what they wrote: the timeline.

    A rejected rectification keeps its own step and evidence, so every round stays on record.
    """

    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="steps")
    step = models.CharField(_("环节"), max_length=16, choices=Step.choices)
    by = models.ForeignKey("jurisdictions.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人"))
    at = models.DateTimeField(_("时间"), default=timezone.now)
    note = models.CharField(_("说明"), max_length=1000, blank=True)

    access_path = "finding__jurisdiction"
    unit_path = "finding__unit"

    class Meta:
        verbose_name = _("隐患处理环节")
        verbose_name_plural = _("隐患处理环节")
        indexes = [models.Index(fields=["finding", "at"], name="finding_step_idx")]
        triggers = [pgtrigger.Protect(name="finding_step_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self):
        return f"{self.finding_id}:{self.step}"


class Evidence(StoredUpload):
    """A photo or PDF proving a rectification (整改佐证), kept under a generated name and served only through
    a scoped, audited view (docs/security.md §Uploads). Images are stored re-encoded, without metadata."""

    upload_folder = "findings"

    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="evidence")
    step = models.ForeignKey(FindingStep, on_delete=models.PROTECT, related_name="evidence")

    access_path = "finding__jurisdiction"
    unit_path = "finding__unit"

    class Meta:
        verbose_name = _("整改佐证")
        verbose_name_plural = _("整改佐证")
        triggers = [pgtrigger.Protect(name="finding_evidence_append_only",
                                      operation=pgtrigger.Update | pgtrigger.Delete)]
