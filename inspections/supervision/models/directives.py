"""安全监察指令书 and the penalty referral of an overdue one (Order 57 Art. 23, 29, 36; docs/domain.md §Directive).

A directive is drafted from an inspection's findings, numbered per issuing authority and year when it is issued
(``portal.kit.numbering``: gap-free, unique under concurrency), answered by the unit with a rectification report
and re-checked by the issuing side within 10 working days (Art. 29). One whose rectification is not reported by
its deadline turns overdue — the beat task marks it once — and becomes a ``Referral``, the case of a penalty
(Art. 36; 002 §二(三): 逾期未整改的，依法给予行政处罚). Placed where the unit is; nothing is ever deleted.
"""

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inspections.supervision.inspection_choices import (
    AWAITING_REPORT,
    DirectiveStatus,
    DirectiveStep,
    ReferralOutcome,
    ReferralStatus,
)
from inspections.supervision.models.inspections import Inspection
from jurisdictions.models import Jurisdiction, Placed, tier_indexes
from portal.kit.models import StoredUpload
from units.models import Unit

TEXT_MAX = 2000


@pghistory.track()
class Directive(Placed):
    """One 安全监察指令书: the problems found, the legal basis, the measures required and the deadline."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="directives",
                                   verbose_name=_("监督检查记录"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="directives", verbose_name=_("被检查单位"))
    authority = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("下达机关"))
    year = models.PositiveSmallIntegerField(_("年度"))
    serial = models.PositiveIntegerField(_("序号"))
    number = models.CharField(_("指令书编号"), max_length=60, unique=True)
    problems = models.CharField(_("存在的问题"), max_length=TEXT_MAX)
    legal_basis = models.CharField(_("违反的规定"), max_length=500)
    measures = models.CharField(_("责令采取的措施"), max_length=TEXT_MAX)
    deadline = models.DateField(_("整改期限"))
    status = models.CharField(_("状态"), max_length=16, choices=DirectiveStatus.choices,
                              default=DirectiveStatus.ISSUED)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("签发人"))
    issued_at = models.DateTimeField(_("下达时间"), default=timezone.now)
    reported_at = models.DateTimeField(_("整改报告时间"), null=True, blank=True)
    recheck_due_on = models.DateField(_("复查期限"), null=True, blank=True)
    closed_at = models.DateTimeField(_("复查合格时间"), null=True, blank=True)
    overdue_at = models.DateTimeField(_("逾期时间"), null=True, blank=True)

    unit_path = "unit"

    class Meta:
        verbose_name = _("安全监察指令书")
        verbose_name_plural = _("安全监察指令书")
        indexes = [
            *tier_indexes("directive", "-id"),
            # The list sorted by 整改期限 (the table orders it by deadline, id).
            *tier_indexes("directive", "deadline", "id", suffix="_due"),
            models.Index(fields=["unit", "status"], name="directive_unit_idx"),
            # What the beat looks for: awaiting the report, not yet marked overdue.
            models.Index(fields=["deadline"], name="directive_awaiting_idx",
                         condition=models.Q(status=DirectiveStatus.ISSUED)),
        ]
        constraints = [
            models.UniqueConstraint(fields=["authority", "year", "serial"], name="directive_one_per_serial"),
            models.CheckConstraint(condition=~models.Q(status=DirectiveStatus.REPORTED)
                                   | models.Q(reported_at__isnull=False, recheck_due_on__isnull=False),
                                   name="directive_reported_has_time"),
            models.CheckConstraint(condition=~models.Q(status=DirectiveStatus.ACCEPTED)
                                   | models.Q(closed_at__isnull=False), name="directive_accepted_has_time"),
            models.CheckConstraint(condition=~models.Q(status=DirectiveStatus.OVERDUE)
                                   | models.Q(overdue_at__isnull=False), name="directive_overdue_has_time"),
        ]
        triggers = [pgtrigger.Protect(name="directive_never_deleted", operation=pgtrigger.Delete)]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("inspections:directive_detail", args=[self.pk])

    @property
    def awaits_report(self) -> bool:
        return self.status in AWAITING_REPORT


class DirectiveStepRecord(models.Model):
    """One move of a directive — issued, report, accepted, sent back, overdue — with who (none for the beat),
    when and what they wrote: the timeline."""

    directive = models.ForeignKey(Directive, on_delete=models.PROTECT, related_name="steps")
    step = models.CharField(_("环节"), max_length=16, choices=DirectiveStep.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                           related_name="+", verbose_name=_("操作人"))
    at = models.DateTimeField(_("时间"), default=timezone.now)
    note = models.CharField(_("说明"), max_length=TEXT_MAX, blank=True)

    access_path = "directive__jurisdiction"
    unit_path = "directive__unit"

    class Meta:
        verbose_name = _("指令书办理环节")
        verbose_name_plural = _("指令书办理环节")
        indexes = [models.Index(fields=["directive", "at"], name="directive_step_idx")]
        constraints = [models.CheckConstraint(condition=models.Q(step=DirectiveStep.OVERDUE)
                                              | models.Q(by__isnull=False), name="directive_step_has_actor")]
        triggers = [pgtrigger.Protect(name="directive_step_append_only",
                                      operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self):
        return f"{self.directive_id}:{self.step}"


class DirectiveEvidence(StoredUpload):
    """A photo or PDF of the unit's rectification report, under a generated name, served only through a scoped,
    audited download; images re-encoded without metadata."""

    upload_folder = "directives"

    directive = models.ForeignKey(Directive, on_delete=models.PROTECT, related_name="evidence")
    step = models.ForeignKey(DirectiveStepRecord, on_delete=models.PROTECT, related_name="evidence")

    access_path = "directive__jurisdiction"
    unit_path = "directive__unit"

    class Meta:
        verbose_name = _("整改报告材料")
        verbose_name_plural = _("整改报告材料")
        triggers = [pgtrigger.Protect(name="directive_evidence_append_only",
                                      operation=pgtrigger.Update | pgtrigger.Delete)]


@pghistory.track()
class Referral(Placed):
    """移送处罚: the case an overdue directive becomes (Order 57 Art. 36), handled by the issuing side; its status
    (待处理 → 已立案 → 已办结) and outcome. Regulators only: it is the bureau's case file."""

    directive = models.OneToOneField(Directive, on_delete=models.PROTECT, related_name="referral",
                                     verbose_name=_("安全监察指令书"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("单位"))
    status = models.CharField(_("状态"), max_length=16, choices=ReferralStatus.choices, default=ReferralStatus.OPEN)
    outcome = models.CharField(_("处理结果"), max_length=16, choices=ReferralOutcome.choices, blank=True)
    case_number = models.CharField(_("案件编号"), max_length=60, blank=True)
    note = models.CharField(_("办理情况"), max_length=TEXT_MAX, blank=True)
    created_at = models.DateTimeField(_("移送时间"), default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("经办人"))
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    unit_path = "unit"

    class Meta:
        verbose_name = _("移送处罚")
        verbose_name_plural = _("移送处罚")
        indexes = tier_indexes("referral", "-id")
        constraints = [models.CheckConstraint(condition=~models.Q(status=ReferralStatus.CLOSED)
                                              | models.Q(closed_at__isnull=False) & ~models.Q(outcome=""),
                                              name="referral_closed_has_outcome")]
        triggers = [pgtrigger.Protect(name="referral_never_deleted", operation=pgtrigger.Delete)]

    def __str__(self):
        return _("移送处罚 %(number)s") % {"number": self.directive.number}

    def get_absolute_url(self):
        return reverse("inspections:referral_detail", args=[self.pk])
