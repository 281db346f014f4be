"""Every write of the 安全监察指令书 and its penalty referral (docs/domain.md §Directive; Order 57 Art. 23, 29, 36):
issue from a completed inspection → the unit reports its rectification → the issuing side re-checks within 10
working days (accept, or send back with the reason) — and the beat's overdue run: a directive whose rectification
is not reported by its deadline turns overdue once, reaches the issuing authority's leaders and becomes a
``Referral``.

Who may (jurisdictions/duties.py): a regulator holding ISSUE_DIRECTIVE over the unit (county and above; a station
does not issue) issues; the unit's own accounts (KEEP_RECORDS) report; the issuing authority's own accounts holding
ISSUE_DIRECTIVE re-check and handle the referral. Each function locks its row, checks the state it
starts from and writes its step and audit event in one transaction.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.findings.services import check_evidence
from inspections.supervision.inspection_choices import (
    AWAITING_REPORT,
    DirectiveStatus,
    DirectiveStep,
    InspectionStatus,
    ReferralOutcome,
    ReferralStatus,
)
from inspections.supervision.models import Directive, DirectiveEvidence, DirectiveStepRecord, Inspection, Referral
from inspections.supervision.models.directives import TEXT_MAX
from inspections.supervision.querysets import leaders_of
from jurisdictions import access
from jurisdictions.audit import record
from jurisdictions.duties import Duty
from jurisdictions.models import AuditEvent, Jurisdiction, User
from portal.inbox import services as inbox
from portal.kit.bulk import each_claimed_batch
from portal.kit.numbering import next_serial
from portal.kit.pdf import document_number

DUTY = Duty.ISSUE_DIRECTIVE
RECHECK_WORKING_DAYS = 10  # Order 57 Art. 29
OVERDUE_BATCH = 200


def add_working_days(day: date, n: int) -> date:
    """``n`` working days after ``day``, Saturdays and Sundays skipped; public holidays and their make-up days are
    not in the portal's data, so they count as working days [M]."""
    while n > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def issued_by_authority(queryset, user):
    """The directives (or referrals) whose issuing authority is ``user``'s own node."""
    field = "authority_id" if queryset.model is Directive else "directive__authority_id"
    return queryset.filter(**{field: getattr(user, "jurisdiction_id", None)})


def directive_number(authority: Jurisdiction, year: int) -> tuple[int, str]:
    """The authority's next 指令书 number of the year, ``（城关）市监特令〔2026〕第3号``: gap-free and unique
    under concurrency (``portal.kit.numbering``); must run in the issuing transaction."""
    word = settings.SUPERVISION_DIRECTIVE_WORD
    serial = next_serial(f"{authority.code}:{word}", year)
    return serial, document_number(authority.abbreviation(), word, year, serial)


def draft(inspection: Inspection) -> dict:
    """What the form starts from: the problems of the inspection's findings, one per line, in the items' order."""
    lines = [f"{n}. {item.finding.description}" for n, item in enumerate(
        inspection.items.filter(finding__isnull=False).select_related("finding").order_by("position"), 1)]
    return {"problems": "\n".join(lines), "legal_basis": settings.SUPERVISION_DIRECTIVE_DEFAULT_BASIS,
            "measures": "", "deadline": timezone.localdate() + timedelta(days=settings.SUPERVISION_DIRECTIVE_DAYS)}


def _event(by, directive: Directive, action: str, **detail) -> None:
    record(AuditEvent.Kind.DATA_CHANGED, user=by, obj=directive,
           detail={"action": action, "number": directive.number, "unit": directive.unit_id, **detail})


def _step(directive: Directive, by, step: str, note: str = "", at: datetime | None = None) -> DirectiveStepRecord:
    return DirectiveStepRecord.objects.create(directive=directive, step=step, by=by, note=note,
                                              at=at or timezone.now())


def _state_error(directive: Directive, action: str) -> ValidationError:
    return ValidationError(_("该指令书当前状态为“%(status)s”，不能%(action)s。") % {
        "status": directive.get_status_display(), "action": action}, code="state")


def _text(value, field: str, message: str, maximum: int = TEXT_MAX) -> str:
    value = (value or "").strip()
    if len(value) < 2:
        raise ValidationError({field: message})
    if len(value) > maximum:
        raise ValidationError({field: _("不能超过 %(n)d 个字。") % {"n": maximum}})
    return value


def issue(*, by: User, inspection: Inspection, problems: str, legal_basis: str, measures: str,
          deadline: date) -> Directive:
    """下达 (Art. 23): from a completed inspection of a unit in ``by``'s subtree, numbered when issued."""
    with transaction.atomic():
        inspection = access.get_or_404(Inspection.objects.select_for_update(of=("self",)).select_related("unit"),
                                       by, DUTY, pk=inspection.pk)
        node = getattr(by, "jurisdiction", None)
        if not access.is_regulator(by) or node is None or not access.can(by, DUTY, node):
            raise ValidationError(_("只有县级以上市场监管部门可以下达安全监察指令书。"))
        if inspection.status != InspectionStatus.COMPLETED:
            raise ValidationError(_("检查记录完成并签字后才能下达指令书。"))
        problems = _text(problems, "problems", _("请填写检查发现的问题。"))
        legal_basis = _text(legal_basis, "legal_basis", _("请填写违反的法律法规条款。"), 500)
        measures = _text(measures, "measures", _("请填写责令采取的整改措施。"))
        today = timezone.localdate()
        if deadline is None or deadline <= today:
            raise ValidationError({"deadline": _("整改期限应晚于今天。")})
        serial, number = directive_number(node, today.year)
        directive = Directive(inspection=inspection, unit=inspection.unit, authority=node, year=today.year,
                              serial=serial, number=number, problems=problems, legal_basis=legal_basis,
                              measures=measures, deadline=deadline, issued_by=by)
        directive.place_with(inspection)
        directive.save()
        _step(directive, by, DirectiveStep.ISSUED, measures)
        _event(by, directive, "issue_directive", inspection=inspection.pk, deadline=deadline.isoformat())
        return directive


def _locked(by, directive: Directive, duty) -> Directive:
    return access.get_or_404(Directive.objects.select_for_update(of=("self",)).select_related("unit", "authority"),
                             by, duty, pk=directive.pk)


def report(*, by: User, directive: Directive, note: str, evidence) -> Directive:
    """整改报告 (Art. 29): the unit says what it did, with photos or documents; the re-check is due within 10
    working days."""
    with transaction.atomic():
        directive = _locked(by, directive, Duty.KEEP_RECORDS)
        if directive.status not in AWAITING_REPORT:
            raise _state_error(directive, _("提交整改报告"))
        note = _text(note, "note", _("请填写整改情况。"))
        checked = check_evidence(evidence)
        now = timezone.now()
        step = _step(directive, by, DirectiveStep.REPORTED, note, at=now)
        for upload, content in checked:
            item = DirectiveEvidence(directive=directive, step=step, original_name=upload.name[:200],
                                     size=content.size, uploaded_by=by, uploaded_at=now)
            item.file.save(upload.name, content, save=False)
            item.save()
        directive.status, directive.reported_at = DirectiveStatus.REPORTED, now
        directive.recheck_due_on = add_working_days(timezone.localdate(now), RECHECK_WORKING_DAYS)
        directive.save(update_fields=["status", "reported_at", "recheck_due_on"])
        _event(by, directive, "report_directive", evidence=len(checked), late=directive.overdue_at is not None)
        return directive


def _recheckable(by, directive: Directive, action: str) -> Directive:
    """The issuing authority re-checks what it ordered (Art. 29): a tier above reads the directive, it does not
    re-check it."""
    directive = access.get_or_404(issued_by_authority(
        Directive.objects.select_for_update(of=("self",)).select_related("unit", "authority"), by), by, DUTY,
        pk=directive.pk)
    if directive.status != DirectiveStatus.REPORTED:
        raise _state_error(directive, action)
    return directive


def accept(*, by: User, directive: Directive, note: str = "") -> Directive:
    """复查合格: the rectification holds; the directive is closed (a referral already made stays its own case)."""
    with transaction.atomic():
        directive = _recheckable(by, directive, _("复查"))
        _step(directive, by, DirectiveStep.ACCEPTED, (note or "").strip())
        directive.status, directive.closed_at = DirectiveStatus.ACCEPTED, timezone.now()
        directive.save(update_fields=["status", "closed_at"])
        _event(by, directive, "accept_directive", late=timezone.localdate() > directive.recheck_due_on)
        return directive


def send_back(*, by: User, directive: Directive, reason: str) -> Directive:
    """复查不合格: back to the unit with the reason; past its deadline (already referred) it stays overdue."""
    with transaction.atomic():
        directive = _recheckable(by, directive, _("退回整改"))
        reason = _text(reason, "reason", _("请填写退回原因。"), 1000)
        _step(directive, by, DirectiveStep.SENT_BACK, reason)
        directive.status = DirectiveStatus.OVERDUE if directive.overdue_at else DirectiveStatus.ISSUED
        directive.save(update_fields=["status"])
        _event(by, directive, "send_back_directive", reason=reason[:200])
        return directive


# --- The beat: overdue directives → referrals ------------------------------------------------------------

def _tell(directive: Directive, referral: Referral, now: datetime) -> int:
    title = _("安全监察指令书逾期未整改：%(number)s") % {"number": directive.number}
    body = _("%(unit)s 应于 %(deadline)s 前完成整改并报告，现已逾期，已转为移送处罚案件。") % {
        "unit": directive.unit.name, "deadline": directive.deadline.isoformat()}
    leaders = leaders_of(directive.authority_id)
    for leader in leaders:
        inbox.schedule(leader, "directive_overdue", str(directive.pk), now, title, body,
                       url=reverse("inspections:referral_detail", args=[referral.pk]))
    return len(leaders)


def mark_overdue(now: datetime | None = None) -> int:
    """One run of the beat task: each directive awaiting its report past the deadline turns 逾期未整改, gets its
    referral and tells its authority's leaders — once. Batches are claimed with ``SELECT … FOR UPDATE SKIP
    LOCKED`` and changed in the same transaction, so runs at once share the rows and a rerun finds none; the
    referral is one per directive (a OneToOne) and the reminders are keyed by directive. Call it outside a
    transaction. Returns how many directives turned overdue."""
    now = now or timezone.now()

    def refer(due):
        for directive in due:
            directive.status, directive.overdue_at = DirectiveStatus.OVERDUE, now
            directive.save(update_fields=["status", "overdue_at"])
            _step(directive, None, DirectiveStep.OVERDUE, _("逾期未整改，已移送处罚。"), at=now)
            referral = Referral(directive=directive, unit=directive.unit, created_at=now)
            referral.place_with(directive)
            referral.save()
            told = _tell(directive, referral, now)
            _event(access.SCHEDULE, directive, "directive_overdue", referral=referral.pk, told=told)

    overdue = (Directive.objects
               .filter(status=DirectiveStatus.ISSUED, deadline__lt=timezone.localdate(now), overdue_at__isnull=True)
               .select_related("unit").order_by("deadline", "pk"))
    return each_claimed_batch(overdue, refer, size=OVERDUE_BATCH)


def update_referral(*, by: User, referral: Referral, status: str, outcome: str = "", case_number: str = "",
                    note: str = "") -> Referral:
    """办理移送处罚: 立案 with its case number, then 办结 with the outcome; by the issuing authority's own accounts."""
    with transaction.atomic():
        referral = access.get_or_404(issued_by_authority(Referral.objects.select_for_update(of=("self",)), by), by,
                                     DUTY, pk=referral.pk)
        if referral.status == ReferralStatus.CLOSED:
            raise ValidationError(_("该案件已办结。"))
        if status not in ReferralStatus.values or status == ReferralStatus.OPEN:
            raise ValidationError({"status": _("请选择办理状态。")})
        if status == ReferralStatus.FILED and not (case_number or "").strip():
            raise ValidationError({"case_number": _("立案时请填写案件编号。")})
        if status == ReferralStatus.CLOSED and outcome not in ReferralOutcome.values:
            raise ValidationError({"outcome": _("办结时请选择处理结果。")})
        before = referral.status
        referral.status, referral.updated_by = status, by
        referral.case_number = (case_number or referral.case_number).strip()[:60]
        referral.note = (note or "").strip()[:TEXT_MAX] or referral.note
        if status == ReferralStatus.CLOSED:
            referral.outcome, referral.closed_at = outcome, timezone.now()
        referral.save()
        record(AuditEvent.Kind.DATA_CHANGED, user=by, obj=referral, detail={
            "action": "update_referral", "from": before, "to": status, "outcome": referral.outcome})
        return referral
