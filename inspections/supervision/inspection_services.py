"""Every write of an inspection record (docs/domain.md §Inspection record; Order 57 Art. 19–27): open it with at
least two valid inspectors, record the items (result, note, photo), open findings from 不符合 items, spot-assess
the director or officers on site, have the unit's representative sign (or note the refusal, Art. 27), complete
and lock it.

Who may: a regulator holding INSPECT over the unit opens a record (the unit outside its subtree does not exist
for it: 404), and only the record's recorder and its inspectors fill it in until it is completed. Each function
locks the record, checks the state it starts from and writes its audit event in the same transaction.
"""

from __future__ import annotations

import base64
import binascii
import io
import re

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.findings import services as findings
from inspections.findings.choices import HazardLevel, Origin
from inspections.supervision import inspection_checklists as checklists
from inspections.supervision import plan_services
from inspections.supervision.inspection_choices import Disposition, InspectionKind, InspectionStatus, ItemResult
from inspections.supervision.models import Inspection, InspectionItem, PlanTask
from inspections.supervision.plan_choices import PlanStatus, TaskResult
from inspections.supervision.querysets import valid_inspectors
from jurisdictions import access
from jurisdictions.audit import record
from jurisdictions.duties import Duty
from jurisdictions.models import AuditEvent, User
from personnel import services as personnel
from portal.kit import images
from portal.kit.forms import errors_on
from portal.kit.wording import label_separator, listing, noted
from units.choices import UnitStatus
from units.models import Equipment, Unit
from units.services import validate_upload

DUTY = Duty.INSPECT
TASK_RESULTS = {Disposition.NONE: TaskResult.NO_PROBLEM, Disposition.DIRECTIVE: TaskResult.RECTIFY}
MIN_INSPECTORS = 2  # Order 57 Art. 19
SIGNATURE_MAX_BYTES = 512 * 1024
CODE_SEPARATORS = re.compile(r"[\s,\uff0c;\uff1b\u3001]+")  # spaces, commas, semicolons, 顿号
DATA_URL = re.compile(r"^data:image/png;base64,(?P<data>[A-Za-z0-9+/=\s]+)$")


def _event(by, inspection: Inspection, action: str, **detail) -> None:
    record(AuditEvent.Kind.DATA_CHANGED, user=by, obj=inspection,
           detail={"action": action, "unit": inspection.unit_uscc, **detail})


def parse_codes(text: str) -> list[str]:
    return [c for c in CODE_SEPARATORS.split(text or "") if c]


def _sampled(unit: Unit, codes: list[str]) -> list[Equipment]:
    """The unit's equipment named by 设备代码 or 使用登记证编号; a code the unit does not hold is refused by name."""
    if not codes:
        return []
    found = list(Equipment.objects.filter(unit=unit).filter(code__in=codes)) + list(
        Equipment.objects.filter(unit=unit, registration_number__in=codes).exclude(code__in=codes))
    known = {e.code for e in found} | {e.registration_number for e in found}
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ValidationError({"equipment_codes": _("本单位没有以下设备：%(codes)s") % {"codes": listing(unknown)}})
    return found


def _named(user: User) -> str:
    return noted(user.display_name, user.username) if user.display_name else user.username


def check_inspectors(by, inspectors, on_date) -> list[User]:
    """At least two distinct accounts from the inspecting node's pool on the day (Order 57 Art. 19): each may
    inspect and holds a 监察员证 in force (``valid_inspectors``)."""
    chosen = {u.pk: u for u in inspectors or ()}
    if len(chosen) < MIN_INSPECTORS:
        raise ValidationError({"inspectors": _("监督检查应由两名以上持有效监察员证的检查人员实施。")})
    pool = set(valid_inspectors(by.jurisdiction, on_date).filter(pk__in=chosen).values_list("pk", flat=True))
    invalid = [u for pk, u in chosen.items() if pk not in pool]
    if invalid:
        raise ValidationError({"inspectors": _("以下人员当日无有效监察员证或不在本辖区检查人员中：%(names)s") % {
            "names": listing(_named(u) for u in invalid)}})
    return list(chosen.values())


def _open_task(by, unit: Unit, task: PlanTask | None, today) -> PlanTask | None:
    """The plan or campaign task this inspection carries out: the unit's own, live (a published plan or a
    campaign), not yet done and already started."""
    if task is None:
        return None
    task = access.get_or_404(PlanTask.objects.select_for_update(of=("self",)).select_related("plan", "campaign"),
                             by, DUTY, pk=task.pk)
    if task.unit_id != unit.pk:
        raise ValidationError({"task": _("该检查任务不是本单位的任务。")})
    if task.plan is not None and task.plan.status != PlanStatus.PUBLISHED:
        raise ValidationError({"task": _("计划发布后才能按计划实施检查。")})
    if task.done_on is not None:
        raise ValidationError({"task": _("该任务已于 %(day)s 完成。") % {"day": task.done_on.isoformat()}})
    starts_on = task.plan.starts_on if task.plan else task.campaign.starts_on
    if starts_on > today:
        raise ValidationError({"task": _("该任务自 %(day)s 起实施。") % {"day": starts_on.isoformat()}})
    return task


def open_inspection(*, by: User, unit: Unit, kind: str, inspectors, equipment_codes: str = "",
                    task: PlanTask | None = None) -> Inspection:
    """开始检查: the record is dated by the server, names its inspectors, the sampled equipment and the unit as it
    stands, and carries the unit kind's checklist prefilled from the unit's records. Opened from a plan or
    campaign task, it carries that task out: completing the record completes the task."""
    with transaction.atomic():
        if not access.is_regulator(by) or by.jurisdiction is None:
            raise ValidationError(_("只有监管部门账号可以实施监督检查。"))
        unit = access.get_or_404(Unit.objects.select_for_update(of=("self",)), by, DUTY, pk=unit.pk)
        if unit.status in (UnitStatus.PENDING, UnitStatus.REJECTED):
            raise ValidationError({"unit": _("单位尚未经属地市场监管所确认，暂不能实施监督检查。")})
        if kind not in InspectionKind.values:
            raise ValidationError({"kind": _("请选择检查类别。")})
        now = timezone.now()
        today = timezone.localdate(now)
        task = _open_task(by, unit, task, today)
        chosen = check_inspectors(by, inspectors, today)
        sampled = _sampled(unit, parse_codes(equipment_codes))
        prefill = checklists.Prefill(unit, today)
        inspection = Inspection(
            kind=kind, task=task, unit=unit, authority=by.jurisdiction, recorder=by, started_at=now,
            unit_name=unit.name, unit_uscc=unit.uscc, unit_address=unit.address,
            unit_legal_representative=unit.legal_representative, unit_safety_manager=prefill.safety_manager(),
            unit_contact=unit.contact_person, unit_kinds=list(unit.kinds))
        inspection.place_with(unit)
        inspection.save()
        inspection.inspectors.set(chosen)
        inspection.equipment.set(sampled)
        InspectionItem.objects.bulk_create([
            InspectionItem(inspection=inspection, position=n, key=item["key"], section=item["section"],
                           text=item["text"], source=item["source"], prefill=prefill.text(item)[:500])
            for n, item in enumerate(checklists.items_for(unit.kinds), 1)])
        _event(by, inspection, "open_inspection", kind=kind, inspectors=sorted(u.username for u in chosen),
               equipment=[e.pk for e in sampled], task=getattr(task, "pk", None))
        return inspection


def may_record(by, inspection: Inspection) -> bool:
    """The record's recorder and its inspectors fill it in; nobody else, and nobody once it is completed."""
    return (inspection.status == InspectionStatus.IN_PROGRESS and getattr(by, "pk", None) is not None
            and (by.pk == inspection.recorder_id or inspection.inspectors.filter(pk=by.pk).exists()))


def _locked(by, inspection: Inspection) -> Inspection:
    inspection = access.get_or_404(Inspection.objects.select_for_update(of=("self",)).select_related("unit"), by,
                                   DUTY, pk=inspection.pk)
    if inspection.is_locked:
        raise ValidationError(_("检查记录已完成并锁定，不能再修改。"), code="locked")
    if not may_record(by, inspection):
        raise ValidationError(_("只有本次检查的检查人员和记录人可以填写检查记录。"), code="not_inspector")
    return inspection


def _photo(upload, field: str) -> ContentFile:
    with errors_on(field):
        if not images.is_image(upload.name):
            raise ValidationError(_("检查照片只接受 JPG 或 PNG：%(name)s") % {"name": upload.name})
        validate_upload(upload)
        return images.reencode(upload)


def record_items(*, by: User, inspection: Inspection, results: dict, photos: dict | None = None,
                 unit_opinion: str | None = None) -> Inspection:
    """The items' results as the inspectors judge them: ``{position: {"result", "note"}}``; a photo per item
    (``{position: upload}``) is stored re-encoded, dated by the server when received."""
    with transaction.atomic():
        inspection = _locked(by, inspection)
        items = {i.position: i for i in inspection.items.select_for_update()}
        now, changed = timezone.now(), []
        for position, entry in (results or {}).items():
            item = items.get(int(position))
            if item is None:
                continue
            result = entry.get("result") or ""
            if result and result not in ItemResult.values:
                raise ValidationError({f"result_{position}": _("请选择检查结果。")})
            if item.finding_id and result != ItemResult.NON_COMPLIANT:
                raise ValidationError({f"result_{position}": _("该项已登记隐患，检查结果只能是“不符合”。")})
            note = (entry.get("note") or "").strip()[:500]
            if (item.result, item.note) != (result, note):
                item.result, item.note = result, note
                item.save(update_fields=["result", "note"])
                changed.append(item.position)
        for position, upload in (photos or {}).items():
            item = items.get(int(position))
            if item is None or not upload:
                continue
            content = _photo(upload, f"photo_{position}")
            item.photo.save(upload.name, content, save=False)
            item.photo_at = now
            item.save(update_fields=["photo", "photo_at"])
            changed.append(item.position)
        if unit_opinion is not None and unit_opinion.strip()[:500] != inspection.unit_opinion:
            inspection.unit_opinion = unit_opinion.strip()[:500]
            inspection.save(update_fields=["unit_opinion"])
        if changed:
            _event(by, inspection, "record_inspection_items", items=sorted(set(changed)))
        return inspection


def item_description(item: InspectionItem) -> str:
    """What a finding from ``item`` says unless the inspectors write it: the item, and their note."""
    return f"{item.text}{label_separator()}{item.note}" if item.note else item.text


def raise_item_finding(*, by: User, inspection: Inspection, position: int, description: str, due_on,
                       hazard_level: str = HazardLevel.GENERAL):
    """A 不符合 item opens a finding at the unit with the inspection as its origin; the finding's lifecycle is the
    findings app's (``inspections.findings.services``)."""
    with transaction.atomic():
        inspection = _locked(by, inspection)
        item = inspection.items.select_for_update().filter(position=position).first()
        if item is None:
            raise ValidationError(_("没有这一检查项。"))
        if item.result != ItemResult.NON_COMPLIANT:
            raise ValidationError(_("只有检查结果为“不符合”的项目可以登记隐患。"))
        if item.finding_id:
            raise ValidationError(_("该项已登记隐患。"))
        description = (description or "").strip() or item_description(item)
        equipment = inspection.equipment.first() if inspection.equipment.count() == 1 else None
        finding = findings.raise_finding(by=by, unit=inspection.unit, description=description, due_on=due_on,
                                         hazard_level=hazard_level, equipment=equipment, origin=Origin.INSPECTION,
                                         source=inspection)
        item.finding = finding
        item.save(update_fields=["finding"])
        _event(by, inspection, "raise_inspection_finding", item=item.position, finding=finding.pk)
        return finding


def add_assessment(*, by: User, inspection: Inspection, person, score: int, result: str, note: str = ""):
    """现场抽查考核 of the unit's director or officer (002 附件 8), recorded as the personnel app records every
    spot assessment (``personnel.services.record_assessment``) and linked to this record."""
    with transaction.atomic():
        inspection = _locked(by, inspection)
        if person is None or person.unit_id != inspection.unit_id:
            raise ValidationError({"person": _("只能考核被检查单位的人员。")})
        assessment = personnel.record_assessment(by=by, person=person, assessed_on=timezone.localdate(),
                                                 score=score, result=result, note=note)
        inspection.assessments.add(assessment)
        _event(by, inspection, "assess_on_site", assessment=assessment.pk, person=person.pk, result=result)
        return assessment


def decode_signature(data_url: str) -> ContentFile:
    """The drawn signature as the canvas sends it (a PNG data URL), decoded and re-encoded: only pixels are kept,
    and an empty canvas is no signature."""
    from PIL import Image, ImageOps

    match = DATA_URL.match((data_url or "").strip())
    if not match:
        raise ValidationError({"signature": _("请在签名区签名。")})
    try:
        raw = base64.b64decode(match["data"], validate=False)
    except (binascii.Error, ValueError) as exc:
        raise ValidationError({"signature": _("签名图片无法读取，请重新签名。")}) from exc
    if len(raw) > SIGNATURE_MAX_BYTES:
        raise ValidationError({"signature": _("签名图片过大，请清除后重新签名。")})
    with errors_on("signature"):
        content = images.reencode(ContentFile(raw, name="signature.png"))
    with Image.open(io.BytesIO(content.read())) as image:
        ground = Image.new("RGBA", image.size, (255, 255, 255, 255))
        ink = ImageOps.invert(Image.alpha_composite(ground, image.convert("RGBA")).convert("L"))
        if ink.getbbox() is None:
            raise ValidationError({"signature": _("请在签名区签名。")})
    content.seek(0)
    return content


def sign(*, by: User, inspection: Inspection, signer_name: str, signature: str, unit_opinion: str = "") -> Inspection:
    """被检查单位签字 (Art. 21): the representative's name and the signature drawn on the inspectors' screen."""
    with transaction.atomic():
        inspection = _locked(by, inspection)
        signer_name = (signer_name or "").strip()
        if len(signer_name) < 2:
            raise ValidationError({"signer_name": _("请填写签字人姓名。")})
        content = decode_signature(signature)
        inspection.signature.save("signature.png", content, save=False)
        inspection.signer_name, inspection.signed_at = signer_name[:64], timezone.now()
        inspection.refused, inspection.refusal_note = False, ""
        if unit_opinion:
            inspection.unit_opinion = unit_opinion.strip()[:500]
        inspection.save(update_fields=["signature", "signer_name", "signed_at", "refused", "refusal_note",
                                       "unit_opinion"])
        _event(by, inspection, "sign_inspection", signer=signer_name)
        return inspection


def refuse_signature(*, by: User, inspection: Inspection, note: str, photo) -> Inspection:
    """拒绝签字 (Art. 27): the inspectors note the refusal and keep a photo of it."""
    with transaction.atomic():
        inspection = _locked(by, inspection)
        note = (note or "").strip()
        if len(note) < 2:
            raise ValidationError({"note": _("请说明拒签情况。")})
        if not photo:
            raise ValidationError({"photo": _("拒绝签字的，应拍照记录。")})
        content = _photo(photo, "photo")
        inspection.refusal_photo.save(photo.name, content, save=False)
        inspection.refused, inspection.refusal_note = True, note[:500]
        inspection.signed_at, inspection.signer_name = None, ""
        inspection.save(update_fields=["refusal_photo", "refused", "refusal_note", "signed_at", "signer_name"])
        _event(by, inspection, "refuse_inspection_signature")
        return inspection


def complete(*, by: User, inspection: Inspection, disposition: str, disposition_note: str = "") -> Inspection:
    """完成检查: every item judged, the disposition chosen, signed or the refusal noted; ended by the server's clock
    and locked from here on (the database refuses a change)."""
    with transaction.atomic():
        inspection = _locked(by, inspection)
        if disposition not in Disposition.values:
            raise ValidationError({"disposition": _("请选择处理措施。")})
        open_items = list(inspection.items.filter(result="").values_list("position", flat=True))
        if open_items:
            raise ValidationError(_("还有 %(n)d 个检查项未填写结果。") % {"n": len(open_items)})
        if not (inspection.signed_at or inspection.refused):
            raise ValidationError(_("请被检查单位签字，或记录拒签情况后再完成检查。"))
        failing = inspection.items.filter(result=ItemResult.NON_COMPLIANT).exists()
        if disposition == Disposition.NONE and failing:
            raise ValidationError({"disposition": _("有不符合项时应选择处理措施。")})
        inspection.disposition, inspection.disposition_note = disposition, (disposition_note or "").strip()[:1000]
        inspection.status, inspection.ended_at, inspection.completed_by = (
            InspectionStatus.COMPLETED, timezone.now(), by)
        inspection.save(update_fields=["disposition", "disposition_note", "status", "ended_at", "completed_by"])
        _event(by, inspection, "complete_inspection", disposition=disposition,
               findings=inspection.items.filter(finding__isnull=False).count())
        _complete_task(by, inspection)
        return inspection


def _complete_task(by, inspection: Inspection) -> None:
    """The record completes the plan or campaign task it carries out, dated the day it ended, its result the 一公开
    page shows read from the disposition. A task someone marked done by hand meanwhile keeps what they wrote."""
    if inspection.task_id is None:
        return
    task = PlanTask.objects.select_for_update(of=("self",)).get(pk=inspection.task_id)
    if task.done_on is not None:
        return
    result = TASK_RESULTS.get(inspection.disposition, TaskResult.OTHER)
    plan_services.complete_task(task, by=by, done_on=timezone.localdate(inspection.ended_at), result=result,
                                note=_("见监督检查记录 %(number)s") % {"number": inspection.pk})


def follow_unit(sender, *, unit: Unit, columns: dict, **kwargs) -> None:
    """A unit moved to another jurisdiction: its inspection records, directives and referrals move with it
    (``units.signals.unit_moved``); the lock lets a completed record move and nothing else."""
    from inspections.supervision.models import Directive, Referral

    for model in (Inspection, Directive, Referral):
        model.objects.filter(unit=unit).update(**columns)
