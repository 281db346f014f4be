"""Every write of a finding's lifecycle (docs/domain.md §Findings): raise → rectify → verify, or reject back.

Who may (jurisdictions/duties.py): the unit's enterprise accounts raise and rectify its self-check findings
(KEEP_RECORDS on the unit); a self-check finding is verified — or sent back — by the unit's safety director
(Order 74 Art. 143 gives the weekly investigation and the closing of its hazards to the director: an enterprise
account whose person holds a director's post that day, ``personnel.services.posts_held``) or by a regulator
inspecting the unit (``Write.VERIFICATION``: INSPECT over it). A finding an inspection raised is the
regulator's to verify. Each function locks the finding, checks the
state it starts from, and writes its step, its audit event and (through pghistory) its history in one
transaction.
"""

from __future__ import annotations

from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.findings.choices import HazardLevel, Origin, Status, Step
from inspections.findings.models import Evidence, Finding, FindingStep
from jurisdictions import access
from jurisdictions.audit import record
from jurisdictions.duties import Duty, Write
from jurisdictions.models import AuditEvent, User
from personnel import services as personnel
from personnel.choices import DIRECTOR_POSTS
from personnel.models import Person
from portal.kit import images
from portal.kit.forms import errors_on
from units.choices import UnitStatus
from units.models import Equipment, Unit
from units.services import validate_upload

MAX_EVIDENCE = 9  # what a phone's picker sends in one go


def follow_unit(sender, *, unit: Unit, columns: dict, **kwargs) -> None:
    """A unit moved to another jurisdiction: its findings move with it (``units.signals.unit_moved``)."""
    Finding.objects.filter(unit=unit).update(**columns)


def _locked(by: User, finding: Finding, duty) -> Finding:
    return access.get_or_404(Finding.objects.select_for_update(of=("self",)).select_related("unit"), by, duty,
                             pk=finding.pk)


def _state_error(finding: Finding, action: str) -> ValidationError:
    return ValidationError(_("该隐患当前状态为“%(status)s”，不能%(action)s。") % {
        "status": finding.get_status_display(), "action": action}, code="state")


def _step(finding: Finding, by: User, step: str, note: str = "") -> FindingStep:
    return FindingStep.objects.create(finding=finding, step=step, by=by, note=note)


def _event(by: User, finding: Finding, action: str, **detail) -> None:
    record(AuditEvent.Kind.DATA_CHANGED, user=by, obj=finding,
           detail={"action": action, "unit": finding.unit.uscc, **detail})


def raise_finding(*, by: User, unit: Unit, description: str, due_on: date, hazard_level: str = HazardLevel.GENERAL,
                  equipment: Equipment | None = None, responsible: Person | None = None,
                  origin: str = Origin.SELF_CHECK, source=None) -> Finding:
    """Open a finding at ``unit``. A self-check's is raised by the unit itself (KEEP_RECORDS); an
    inspection's by a regulator inspecting the unit (INSPECT). ``source`` is the record that found it."""
    if origin not in Origin.values:
        raise ValidationError({"origin": _("请选择隐患来源。")})
    duty = Duty.KEEP_RECORDS if origin == Origin.SELF_CHECK else Duty.INSPECT
    with transaction.atomic():
        unit = access.get_or_404(Unit.objects.all(), by, duty, pk=unit.pk)
        if unit.status in (UnitStatus.PENDING, UnitStatus.REJECTED):
            raise ValidationError(_("单位尚未经属地市场监管所确认，暂不能登记隐患。"))
        description = (description or "").strip()
        if not description:
            raise ValidationError({"description": _("请填写发现的问题。")})
        if hazard_level not in HazardLevel.values:
            raise ValidationError({"hazard_level": _("请选择隐患级别。")})
        if due_on is None:
            raise ValidationError({"due_on": _("请填写整改期限。")})
        if due_on < timezone.localdate():
            raise ValidationError({"due_on": _("整改期限不能早于今天。")})
        if equipment is not None and equipment.unit_id != unit.pk:
            raise ValidationError({"equipment": _("只能选择本单位的设备。")})
        if responsible is not None and responsible.unit_id != unit.pk:
            raise ValidationError({"responsible": _("整改责任人只能是本单位登记的人员。")})
        finding = Finding(unit=unit, equipment=equipment, origin=origin, description=description,
                          hazard_level=hazard_level, responsible=responsible, due_on=due_on, raised_by=by)
        if source is not None:
            finding.source_type, finding.source_id = ContentType.objects.get_for_model(source), source.pk
        finding.place_with(unit)
        finding.save()
        _step(finding, by, Step.RAISED, description)
        _event(by, finding, "raise_finding", origin=origin, hazard_level=hazard_level, due_on=str(due_on))
        return finding


def check_uploads(files, *, field: str, required: str | None = None, most: int = MAX_EVIDENCE) -> list:
    """Photos (JPEG/PNG) or PDFs through the portal's one upload check (content, size), at most ``most``, at least
    one when ``required`` (its message) is given; each comes back as ``(upload, content)``, images re-encoded
    without their metadata (``portal.kit.images``). The evidence of findings, directives and 三书一函 all go
    through here, errors landing on ``field``."""
    files = [f for f in (files or ()) if f]
    if required and not files:
        raise ValidationError({field: required})
    if len(files) > most:
        raise ValidationError({field: _("一次最多上传 %(n)d 个文件。") % {"n": most}})
    checked = []
    with errors_on(field):
        for upload in files:
            validate_upload(upload)
            checked.append((upload, images.reencode(upload) if images.is_image(upload.name) else upload))
    return checked


def check_evidence(files) -> list:
    """整改佐证: at least one photo or PDF, at most ``MAX_EVIDENCE``."""
    return check_uploads(files, field="evidence", required=_("请上传整改后的照片或证明材料（JPG、PNG 或 PDF）。"))


def rectify(*, by: User, finding: Finding, note: str, evidence) -> Finding:
    """整改: the unit says what it did and proves it; the finding waits for verification."""
    note = (note or "").strip()
    with transaction.atomic():
        finding = _locked(by, finding, Duty.KEEP_RECORDS)
        if finding.status != Status.OPEN:
            raise _state_error(finding, _("提交整改"))
        if not note:
            raise ValidationError({"note": _("请填写整改情况。")})
        checked = check_evidence(evidence)
        now = timezone.now()
        step = _step(finding, by, Step.RECTIFIED, note)
        for upload, content in checked:
            item = Evidence(finding=finding, step=step, original_name=upload.name[:200], size=content.size,
                            uploaded_by=by, uploaded_at=now)
            item.file.save(upload.name, content, save=False)
            item.save()
        finding.status, finding.rectification_note = Status.RECTIFIED, note
        finding.rectified_by, finding.rectified_at = by, now
        finding.save(update_fields=["status", "rectification_note", "rectified_by", "rectified_at"])
        _event(by, finding, "rectify_finding", evidence=len(checked))
        return finding


def closing_refusal(by: User, finding: Finding) -> ValidationError | None:
    """Why ``by``, who holds ``Write.VERIFICATION`` over ``finding``, still may not verify it or send it
    back; None when they may. Read by the page too, so it offers no button the service would refuse."""
    if not access.is_enterprise(by):
        return None
    if finding.origin == Origin.INSPECTION:
        return ValidationError(_("监督检查发现的问题由监管部门验证销号。"), code="origin")
    if not personnel.posts_held(by, finding.unit) & DIRECTOR_POSTS:
        return ValidationError(_("自查发现的隐患由本单位安全总监验证销号；当前账号未关联在任的安全总监，"
                                 "请由安全总监登录办理。"), code="post")
    return None


def _verifiable(by: User, finding: Finding, action: str) -> Finding:
    finding = _locked(by, finding, Write.VERIFICATION)
    refusal = closing_refusal(by, finding)
    if refusal is not None:
        raise refusal
    if finding.status != Status.RECTIFIED:
        raise _state_error(finding, action)
    return finding


def verify(*, by: User, finding: Finding, note: str = "") -> Finding:
    """验证销号: the rectification holds; the finding is closed for good."""
    note = (note or "").strip()
    with transaction.atomic():
        finding = _verifiable(by, finding, _("验证销号"))
        _step(finding, by, Step.VERIFIED, note)
        finding.status, finding.verified_by, finding.verified_at = Status.CLOSED, by, timezone.now()
        finding.verification_note = note[:500]
        finding.save(update_fields=["status", "verified_by", "verified_at", "verification_note"])
        _event(by, finding, "verify_finding")
        return finding


def reject(*, by: User, finding: Finding, reason: str) -> Finding:
    """验证未通过: back to 待整改 with the reason; the rejected round's note and evidence stay on record."""
    reason = (reason or "").strip()
    with transaction.atomic():
        finding = _verifiable(by, finding, _("退回整改"))
        if len(reason) < 2:
            raise ValidationError({"reason": _("请填写退回原因。")})
        _step(finding, by, Step.REJECTED, reason)
        finding.status = Status.OPEN
        finding.save(update_fields=["status"])
        _event(by, finding, "reject_finding", reason=reason[:200])
        return finding
