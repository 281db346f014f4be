"""三书一函: the 司法建议书, 检察建议书, 监察建议书 and 公安提示函 a regulator receives (docs/domain.md
§Recommendations, 000 §五(三)).

An instrument is registered by the tier that received it, routed down the tree to the jurisdiction responsible,
handled there (measures, then a reply by the deadline) and archived. It is placed where it is being handled, so
the responsible jurisdiction and every tier above it see it by one indexed column, and a sibling does not. Nothing
here is ever deleted: a trigger refuses DELETE on instruments, their steps and their attachments.
"""

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inspections.supervision.recommendation_choices import (
    AWAITING_REPLY,
    OPEN,
    Kind,
    Rectification,
    ReplyKind,
    Status,
    Step,
)
from jurisdictions.models import Jurisdiction, Placed, tier_indexes
from portal.kit.models import StoredUpload

CONTENT_MAX = 2000  # docs/domain.md §Recommendations: the instrument's content, as registered


class RecommendationQuerySet(models.QuerySet):
    def overdue(self, today=None):
        """Not replied and past the reply deadline: derived from the date, so a list is never stale."""
        return self.filter(status__in=AWAITING_REPLY, reply_due_on__lt=today or timezone.localdate())

    def not_overdue(self, today=None):
        return self.exclude(status__in=AWAITING_REPLY, reply_due_on__lt=today or timezone.localdate())


@pghistory.track()
class Recommendation(Placed):
    """One instrument received, from registration to archiving. ``jurisdiction`` (with its ancestors' ids) is
    where it is handled now; ``received_by`` the node that registered it."""

    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    issuer = models.CharField(_("发文机关"), max_length=100)
    document_number = models.CharField(_("文号"), max_length=60)
    issued_on = models.DateField(_("发文日期"))
    received_on = models.DateField(_("收文日期"))
    case_name = models.CharField(_("案件名称"), max_length=200)
    case_code = models.CharField(_("案号"), max_length=60, blank=True)
    sector = models.CharField(_("涉及行业领域"), max_length=60)
    content = models.CharField(_("主要内容"), max_length=CONTENT_MAX)
    reply_due_on = models.DateField(_("回复期限"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.REGISTERED)
    received_by = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("收文单位"))
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("登记人"))
    registered_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    measures = models.CharField(_("整改措施"), max_length=CONTENT_MAX, blank=True)
    reply_kind = models.CharField(_("回复类型"), max_length=16, choices=ReplyKind.choices, blank=True)
    rectification = models.CharField(_("整改情况"), max_length=16, choices=Rectification.choices, blank=True)
    reply_text = models.CharField(_("回复内容"), max_length=CONTENT_MAX, blank=True)
    replied_on = models.DateField(_("回复日期"), null=True, blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("回复人"))
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True)
    archived_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("归档人"))
    # When the beat found the reply overdue and told the leaders (``recommendation_services.escalate_overdue``);
    # cleared when the instrument is routed elsewhere, so the new jurisdiction's leaders are told in turn.
    escalated_at = models.DateTimeField(_("逾期督办时间"), null=True, blank=True)

    objects = RecommendationQuerySet.as_manager()

    class Meta:
        verbose_name = _("三书一函")
        verbose_name_plural = _("三书一函")
        indexes = [
            *tier_indexes("recommendation", "-id"),
            # The open work of one jurisdiction (待办) and the overdue replies the beat looks for.
            models.Index(fields=["jurisdiction", "status"], name="recommendation_open_idx",
                         condition=models.Q(status__in=OPEN)),
            models.Index(fields=["reply_due_on"], name="recommendation_awaiting_idx",
                         condition=models.Q(status__in=AWAITING_REPLY, escalated_at__isnull=True)),
        ]
        constraints = [
            # The same instrument registered twice is one instrument.
            models.UniqueConstraint(fields=["issuer", "document_number"], name="recommendation_one_per_number"),
            models.CheckConstraint(condition=models.Q(received_on__gte=models.F("issued_on")),
                                   name="recommendation_received_after_issue"),
            models.CheckConstraint(condition=models.Q(reply_due_on__gte=models.F("received_on")),
                                   name="recommendation_due_after_receipt"),
            models.CheckConstraint(
                condition=~models.Q(status__in=(Status.REPLIED, Status.ARCHIVED))
                | models.Q(replied_on__isnull=False, replied_by__isnull=False) & ~models.Q(reply_text=""),
                name="recommendation_replied_has_reply"),
            models.CheckConstraint(condition=~models.Q(status=Status.ARCHIVED) | models.Q(archived_at__isnull=False),
                                   name="recommendation_archived_has_time"),
        ]
        triggers = [pgtrigger.Protect(name="recommendation_never_deleted", operation=pgtrigger.Delete)]

    def __str__(self):
        return f"{self.get_kind_display()} {self.document_number}"

    def get_absolute_url(self):
        return reverse("recommendations:recommendation_detail", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return self.status in AWAITING_REPLY and self.reply_due_on < timezone.localdate()


class RecommendationStep(models.Model):
    """One move of an instrument — registered, routed (from → to), measures, reply, archived, escalated — with
    who made it (none for the beat's escalation), when and what they wrote: the timeline."""

    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT, related_name="steps")
    step = models.CharField(_("环节"), max_length=16, choices=Step.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                           related_name="+", verbose_name=_("操作人"))
    at = models.DateTimeField(_("时间"), default=timezone.now)
    from_node = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("交办单位"))
    to_node = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name=_("承办单位"))
    note = models.CharField(_("说明"), max_length=CONTENT_MAX, blank=True)

    access_path = "recommendation__jurisdiction"

    class Meta:
        verbose_name = _("三书一函办理环节")
        verbose_name_plural = _("三书一函办理环节")
        indexes = [models.Index(fields=["recommendation", "at"], name="recommendation_step_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(step=Step.ROUTED) | models.Q(from_node__isnull=False, to_node__isnull=False),
                name="recommendation_routed_names_nodes"),
            models.CheckConstraint(condition=models.Q(step=Step.ESCALATED) | models.Q(by__isnull=False),
                                   name="recommendation_step_has_actor"),
        ]
        triggers = [pgtrigger.Protect(name="recommendation_step_append_only",
                                      operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self):
        return f"{self.recommendation_id}:{self.step}"


class RecommendationAttachment(StoredUpload):
    """A scan of the instrument, or a document of the reply, kept under a generated name and served only through
    a scoped, audited download (docs/security.md §Uploads). Images are stored re-encoded, without metadata."""

    upload_folder = "recommendations"

    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT, related_name="attachments")
    step = models.ForeignKey(RecommendationStep, on_delete=models.PROTECT, related_name="attachments")

    access_path = "recommendation__jurisdiction"

    class Meta:
        verbose_name = _("三书一函附件")
        verbose_name_plural = _("三书一函附件")
        triggers = [pgtrigger.Protect(name="recommendation_attachment_append_only",
                                      operation=pgtrigger.Update | pgtrigger.Delete)]
