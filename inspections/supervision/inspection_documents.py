"""The inspection record and the 安全监察指令书 as PDFs (docs/domain.md §Inspection record, §Directive).

The record prints what the inspectors recorded, the unit's signature (or the refusal and its photo) and the
inspectors with their 监察员证 numbers. The directive follows the official layout: number top right, the title,
被检查单位, the problems found, the legal basis and the deadline, the measures, the appeal clause, the inspectors'
and the unit's signatures, the seal area (特种设备安全监察专用章) over the date, and "本指令书一式两份".
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.supervision.models import Directive, Inspection
from inspections.supervision.querysets import certificates_valid_on
from inspections.supervision.recommendation_documents import bureau
from portal.kit import images
from portal.kit.pdf import document_date, render_pdf, resource_url
from portal.kit.wording import listing
from units.choices import UnitKind


def inspectors_of(inspection: Inspection) -> list[dict]:
    """Each inspector with the number of the certificate in force on the day of the inspection (Art. 19)."""
    day = timezone.localdate(inspection.started_at)
    numbers = dict(certificates_valid_on(day).filter(holder__in=inspection.inspectors.all())
                   .order_by("holder_id", "-expires_on").values_list("holder_id", "number"))
    return [{"name": u.display_name or u.username, "number": numbers.get(u.pk, "")}
            for u in inspection.inspectors.order_by("username")]


def _read(field) -> bytes | None:
    if not field:
        return None
    try:
        with field.open("rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def record_context(inspection: Inspection) -> tuple[dict, dict]:
    resources = {}
    signature = _read(inspection.signature)
    if signature:
        resources["signature.png"] = signature
    if inspection.refused and inspection.refusal_photo:
        with inspection.refusal_photo.open("rb") as handle:
            resources["refusal.jpg"] = images.thumbnail(handle)
    items = list(inspection.items.select_related("finding").order_by("position"))
    context = {
        "title": _("特种设备安全监督检查记录"),
        "issuer": bureau(inspection.authority),
        "issued_on": document_date(timezone.localdate(inspection.ended_at or inspection.started_at)),
        "i": inspection,
        "items": items,
        "findings": [item.finding for item in items if item.finding_id],
        "inspectors": inspectors_of(inspection),
        "recorder": inspection.recorder.display_name or inspection.recorder.username,
        "equipment": list(inspection.equipment.select_related("equipment_type").order_by("code")),
        "assessments": list(inspection.assessments.select_related("person").order_by("id")),
        "kinds": listing(label for value, label in UnitKind.choices if value in inspection.unit_kinds),
        "started": timezone.localtime(inspection.started_at),
        "ended": timezone.localtime(inspection.ended_at) if inspection.ended_at else None,
        "signature_src": resource_url("signature.png") if signature else "",
        "refusal_src": resource_url("refusal.jpg") if "refusal.jpg" in resources else "",
    }
    return context, resources


def record_pdf(inspection: Inspection) -> bytes:
    context, resources = record_context(inspection)
    return render_pdf("pdf/supervision/inspection_record.html", context, resources)


def directive_context(directive: Directive) -> tuple[dict, dict]:
    inspection = directive.inspection
    resources = {}
    signature = _read(inspection.signature)
    if signature:
        resources["signature.png"] = signature
    return {
        "title": _("特种设备安全监察指令书"),
        "issuer": bureau(directive.authority),
        "issued_on": document_date(timezone.localdate(directive.issued_at)),
        "document_number": directive.number,
        "d": directive,
        "i": inspection,
        "deadline": document_date(directive.deadline),
        "inspectors": inspectors_of(inspection),
        "signature_src": resource_url("signature.png") if signature else "",
    }, resources


def directive_pdf(directive: Directive) -> bytes:
    context, resources = directive_context(directive)
    return render_pdf("pdf/supervision/directive.html", context, resources)
