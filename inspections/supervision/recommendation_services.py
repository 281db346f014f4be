"""Every write of the 三书一函 (docs/domain.md §Recommendations): register → route → measures → reply → archive,
and the beat's escalation of overdue replies.

Who may (jurisdictions/duties.py, ``HANDLE_RECOMMENDATIONS``, 000 §五(三)): a regulator holding the duty on its
own node registers what that node received; a tier with jurisdictions below it that also handle them (province,
city) routes an instrument it sees down to one of them; the responsible jurisdiction's own accounts — and no tier
above it — record the measures, reply and archive. Each function locks the instrument, checks the state it starts
from, and writes its step, its audit event and (through pghistory) its history in one transaction.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.findings.services import check_uploads
from inspections.supervision.models import Recommendation, RecommendationAttachment, RecommendationStep
from inspections.supervision.querysets import leaders_of
from inspections.supervision.recommendation_choices import (
    AWAITING_REPLY,
    ROUTABLE,
    Kind,
    Rectification,
    ReplyKind,
    Status,
    Step,
)
from jurisdictions import access
from jurisdictions.audit import record
from jurisdictions.duties import TIER_DUTIES, Duty, Tier
from jurisdictions.models import AuditEvent, Jurisdiction, User
from portal.inbox import services as inbox
from portal.kit.bulk import each_claimed_batch

DUTY = Duty.HANDLE_RECOMMENDATIONS
MAX_ATTACHMENTS = 9
# The tiers that handle the instruments (000 §五(三): 各级市场监管部门), top down; stations hold no such duty. All
# but the lowest have handling jurisdictions below them, so they route.
HANDLING_TIERS = tuple(tier for tier in Tier.values if DUTY in TIER_DUTIES.get(tier, {}))
ROUTING_TIERS = HANDLING_TIERS[:-1]
ESCALATION_BATCH = 200


def may_route(user) -> bool:
    """Whether ``user``'s place in the tree has handling jurisdictions below it to route to."""
    node = getattr(user, "jurisdiction", None)
    return access.is_regulator(user) and node is not None and node.tier in ROUTING_TIERS and access.can(user, DUTY)


def handled_by(queryset, user):
    """The instruments ``user``'s own jurisdiction is responsible for: a tier above reads them, it does not
    answer for them."""
    return queryset.filter(jurisdiction_id=getattr(user, "jurisdiction_id", None))


def default_due(kind: str, received_on: date) -> date:
    """The reply deadline when the instrument names none (``settings.RECOMMENDATION_REPLY_DAYS``)."""
    return received_on + timedelta(days=settings.RECOMMENDATION_REPLY_DAYS[kind])


def check_attachments(files, field: str = "attachments") -> list:
    """Scans and documents (JPEG, PNG, PDF), none required, at most ``MAX_ATTACHMENTS``
    (``findings.services.check_uploads``)."""
    return check_uploads(files, field=field, most=MAX_ATTACHMENTS)


def _save_attachments(recommendation: Recommendation, step: RecommendationStep, by: User, checked) -> None:
    for upload, content in checked:
        item = RecommendationAttachment(recommendation=recommendation, step=step, original_name=upload.name[:200],
                                        size=content.size, uploaded_by=by, uploaded_at=step.at)
        item.file.save(upload.name, content, save=False)
        item.save()


def _step(recommendation: Recommendation, by: User | None, step: str, note: str = "", **nodes) -> RecommendationStep:
    return RecommendationStep.objects.create(recommendation=recommendation, step=step, by=by, note=note, **nodes)


def _event(by, recommendation: Recommendation, action: str, **detail) -> None:
    record(AuditEvent.Kind.DATA_CHANGED, user=by, obj=recommendation,
           detail={"action": action, "kind": recommendation.kind, "document_number": recommendation.document_number,
                   "jurisdiction": recommendation.jurisdiction_id, **detail})


def _state_error(recommendation: Recommendation, action: str) -> ValidationError:
    return ValidationError(_("该三书一函当前状态为“%(status)s”，不能%(action)s。") % {
        "status": recommendation.get_status_display(), "action": action}, code="state")


def _locked(by: User, recommendation: Recommendation, *, responsible: bool) -> Recommendation:
    rows = Recommendation.objects.select_for_update(of=("self",)).select_related("jurisdiction")
    if responsible:
        rows = handled_by(rows, by)
    return access.get_or_404(rows, by, DUTY, pk=recommendation.pk)


def _text(value, field: str, message: str, minimum: int = 2) -> str:
    value = (value or "").strip()
    if len(value) < minimum:
        raise ValidationError({field: message})
    return value


def register(*, by: User, kind: str, issuer: str, document_number: str, issued_on: date, received_on: date,
             case_name: str, sector: str, content: str, case_code: str = "", reply_due_on: date | None = None,
             attachments=()) -> Recommendation:
    """登记: the instrument the user's own jurisdiction received, placed there until it is routed."""
    with transaction.atomic():
        node = getattr(by, "jurisdiction", None)
        if not access.is_regulator(by) or node is None:
            raise ValidationError(_("只有监管部门账号可以登记三书一函。"))
        access.require(by, DUTY, node)
        if kind not in Kind.values:
            raise ValidationError({"kind": _("请选择文书类别。")})
        issuer = _text(issuer, "issuer", _("请填写发文机关。"))
        document_number = _text(document_number, "document_number", _("请填写文号。"))
        case_name = _text(case_name, "case_name", _("请填写案件名称。"))
        sector = _text(sector, "sector", _("请填写涉及的行业领域。"))
        content = _text(content, "content", _("请填写主要内容。"))
        today = timezone.localdate()
        if issued_on is None:
            raise ValidationError({"issued_on": _("请填写发文日期。")})
        if received_on is None:
            raise ValidationError({"received_on": _("请填写收文日期。")})
        if received_on > today:
            raise ValidationError({"received_on": _("收文日期不能晚于今天。")})
        if received_on < issued_on:
            raise ValidationError({"received_on": _("收文日期不能早于发文日期。")})
        reply_due_on = reply_due_on or default_due(kind, received_on)
        if reply_due_on < received_on:
            raise ValidationError({"reply_due_on": _("回复期限不能早于收文日期。")})
        if Recommendation.objects.filter(issuer=issuer, document_number=document_number).exists():
            raise ValidationError({"document_number": _("该发文机关的这一文号已经登记过。")})
        checked = check_attachments(attachments)
        recommendation = Recommendation(
            kind=kind, issuer=issuer, document_number=document_number, issued_on=issued_on, received_on=received_on,
            case_name=case_name, case_code=(case_code or "").strip(), sector=sector, content=content,
            reply_due_on=reply_due_on, received_by=node, registered_by=by)
        recommendation.place(node)
        recommendation.save()
        step = _step(recommendation, by, Step.REGISTERED, to_node=node)
        _save_attachments(recommendation, step, by, checked)
        _event(by, recommendation, "register_recommendation", attachments=len(checked),
               reply_due_on=str(reply_due_on))
        return recommendation


def route(*, by: User, recommendation: Recommendation, to: Jurisdiction, note: str = "") -> Recommendation:
    """交办: send the instrument down to the jurisdiction responsible for it (a handling tier below ``by``'s own
    node). Allowed until handling begins, so a tier above may correct where it went."""
    note = (note or "").strip()
    with transaction.atomic():
        recommendation = _locked(by, recommendation, responsible=False)
        if not may_route(by):
            raise ValidationError(_("本级辖区下没有可承办三书一函的下级监管部门。"))
        if recommendation.status not in ROUTABLE:
            raise _state_error(recommendation, _("交办"))
        if to is None:
            raise ValidationError({"to": _("请选择承办单位。")})
        to = Jurisdiction.objects.get(pk=to.pk)
        if to.tier not in HANDLING_TIERS or to.pk == by.jurisdiction_id or not access.can(by, DUTY, to):
            raise ValidationError({"to": _("请选择本辖区内下级的市、县级市场监管部门。")})
        if to.pk == recommendation.jurisdiction_id:
            raise ValidationError({"to": _("该三书一函已由这一单位承办。")})
        origin = recommendation.jurisdiction
        step = _step(recommendation, by, Step.ROUTED, note, from_node=origin, to_node=to)
        recommendation.place(to)
        recommendation.status, recommendation.escalated_at = Status.ASSIGNED, None
        recommendation.save(update_fields=["jurisdiction", "province", "city", "county", "station", "status",
                                           "escalated_at"])
        _event(by, recommendation, "route_recommendation", step=step.pk, from_node=origin.pk, to_node=to.pk)
        return recommendation


def record_measures(*, by: User, recommendation: Recommendation, measures: str, attachments=()) -> Recommendation:
    """办理: what the responsible jurisdiction is doing about it; recorded again as the work goes on, each time a
    step of its own. Handling begins here (办理中)."""
    with transaction.atomic():
        recommendation = _locked(by, recommendation, responsible=True)
        if recommendation.status not in AWAITING_REPLY:
            raise _state_error(recommendation, _("记录办理措施"))
        measures = _text(measures, "measures", _("请填写采取的整改措施。"))
        checked = check_attachments(attachments)
        step = _step(recommendation, by, Step.MEASURES, measures)
        _save_attachments(recommendation, step, by, checked)
        recommendation.status, recommendation.measures = Status.IN_PROGRESS, measures
        recommendation.save(update_fields=["status", "measures"])
        _event(by, recommendation, "record_recommendation_measures", attachments=len(checked))
        return recommendation


def reply(*, by: User, recommendation: Recommendation, reply_kind: str, rectification: str, text: str,
          replied_on: date, attachments=()) -> Recommendation:
    """回复: the written answer to the issuing body, once measures are on record; the reply letter (回复函) is
    generated from it."""
    with transaction.atomic():
        recommendation = _locked(by, recommendation, responsible=True)
        if recommendation.status != Status.IN_PROGRESS:
            raise _state_error(recommendation, _("回复"))
        if reply_kind not in ReplyKind.values:
            raise ValidationError({"reply_kind": _("请选择回复类型。")})
        if rectification not in Rectification.values:
            raise ValidationError({"rectification": _("请选择整改情况。")})
        text = _text(text, "text", _("请填写回复内容。"))
        if replied_on is None:
            raise ValidationError({"replied_on": _("请填写回复日期。")})
        if replied_on > timezone.localdate() or replied_on < recommendation.received_on:
            raise ValidationError({"replied_on": _("回复日期应在收文日期与今天之间。")})
        checked = check_attachments(attachments)
        step = _step(recommendation, by, Step.REPLIED, text)
        _save_attachments(recommendation, step, by, checked)
        recommendation.status, recommendation.reply_kind, recommendation.rectification = (
            Status.REPLIED, reply_kind, rectification)
        recommendation.reply_text, recommendation.replied_on, recommendation.replied_by = text, replied_on, by
        recommendation.save(update_fields=["status", "reply_kind", "rectification", "reply_text", "replied_on",
                                           "replied_by"])
        _event(by, recommendation, "reply_recommendation", reply_kind=reply_kind, rectification=rectification,
               late=replied_on > recommendation.reply_due_on, attachments=len(checked))
        return recommendation


def archive(*, by: User, recommendation: Recommendation, note: str = "") -> Recommendation:
    """归档: the matter is closed and kept on file."""
    note = (note or "").strip()
    with transaction.atomic():
        recommendation = _locked(by, recommendation, responsible=True)
        if recommendation.status != Status.REPLIED:
            raise _state_error(recommendation, _("归档"))
        _step(recommendation, by, Step.ARCHIVED, note)
        recommendation.status, recommendation.archived_by, recommendation.archived_at = (
            Status.ARCHIVED, by, timezone.now())
        recommendation.save(update_fields=["status", "archived_by", "archived_at"])
        _event(by, recommendation, "archive_recommendation")
        return recommendation


# --- The beat: overdue replies ------------------------------------------------------------------------

def escalation_recipients(recommendation: Recommendation) -> list[User]:
    """The leaders of the responsible jurisdiction and of the one above it (督办)."""
    return leaders_of(*{recommendation.jurisdiction_id, recommendation.jurisdiction.parent_id} - {None})


def _tell(recommendation: Recommendation, now: datetime) -> int:
    body = _("%(kind)s（%(number)s，%(issuer)s，案件：%(case)s）应于 %(due)s 前回复，现已逾期，"
             "承办单位：%(node)s。") % {
        "kind": recommendation.get_kind_display(), "number": recommendation.document_number,
        "issuer": recommendation.issuer, "case": recommendation.case_name,
        "due": recommendation.reply_due_on.isoformat(), "node": recommendation.jurisdiction.name}
    told = 0
    for leader in escalation_recipients(recommendation):
        inbox.schedule(leader, "recommendation_overdue", f"{recommendation.pk}:{recommendation.jurisdiction_id}", now,
                       _("三书一函逾期未回复：%(number)s") % {"number": recommendation.document_number}, body,
                       url=reverse("recommendations:recommendation_detail", args=[recommendation.pk]))
        told += 1
    return told


def escalate_overdue(now: datetime | None = None) -> int:
    """One run of the beat task: mark each instrument whose reply is overdue and not yet escalated, and tell the
    leaders of its jurisdiction and of the one above it. Returns how many instruments were escalated.

    Exactly once: each batch is claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` and marked (``escalated_at``)
    in the same transaction, so two runs at once share the rows and a rerun finds none; the reminders are keyed
    by instrument and jurisdiction (``portal.inbox`` refuses a second under the same key), and the inbox's own
    beat delivers them once. Routing an instrument elsewhere clears the mark: its new jurisdiction is told in
    turn. Call it outside a transaction.
    """
    now = now or timezone.now()

    def escalate(due):
        for recommendation in due:
            told = _tell(recommendation, now)
            _step(recommendation, None, Step.ESCALATED, _("逾期未回复，已提醒承办单位及上级负责人。"))
            _event(access.SCHEDULE, recommendation, "escalate_recommendation", told=told)
        Recommendation.objects.filter(pk__in=[r.pk for r in due]).update(escalated_at=now)

    overdue = (Recommendation.objects
               .filter(status__in=AWAITING_REPLY, reply_due_on__lt=timezone.localdate(now), escalated_at__isnull=True)
               .select_related("jurisdiction").order_by("reply_due_on", "pk"))
    return each_claimed_batch(overdue, escalate, size=ESCALATION_BATCH)
