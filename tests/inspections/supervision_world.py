"""A county's inspectors with their 监察员证, a unit with equipment and people in post, and helpers that take an
inspection to completion and issue its directive — shared by the inspection, directive and PDF tests."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from inspections.supervision import directive_services, inspection_services
from inspections.supervision import services as supervision
from inspections.supervision.inspection_choices import Disposition, InspectionKind, ItemResult
from jurisdictions.duties import Role
from personnel import services as personnel
from personnel.choices import Post
from tests import factories
from units.models import EquipmentType
from units.services import add_equipment

TODAY = timezone.localdate()
LIFT_CODE = "31106201022026000001"


def certify(by, holder, number, *, issued=None, expires=None):
    return supervision.add_certificate(by=by, holder=holder, number=number, certificate_class="B",
                                       issued_by="甘肃省市场监督管理局",
                                       issued_on=issued or TODAY - timedelta(days=365),
                                       expires_on=expires or TODAY + timedelta(days=365))


def png_upload(name="现场.png", width=64, height=48):
    return SimpleUploadedFile(name, factories.png_bytes(width, height), content_type="image/png")


def drawn_signature() -> str:
    """What the canvas sends: a PNG data URL with a stroke on a transparent ground."""
    import base64
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (300, 120), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(10, 60), (120, 30), (290, 90)], fill=(0, 0, 0, 255), width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


@pytest.fixture
def inspectors(world):
    """城关区's leader and its station's inspector hold certificates in force; a second county inspector's expired
    yesterday; 七里河区's leader holds one too (another county's pool)."""
    users, city = world["users"], world["users"]["city"]
    expired = factories.regulator("620102", Role.INSPECTOR, username="expired_jcy")
    certify(city, users["county"], "GS-T-001")
    certify(users["county"], users["station"], "GS-T-002")
    certify(city, expired, "GS-T-003", issued=TODAY - timedelta(days=800), expires=TODAY - timedelta(days=1))
    certify(city, users["other_county"], "GS-T-004")
    unit, keeper = world["unit"], world["users"]["enterprise"]
    system = factories.system_user()
    lift = add_equipment(by=system, unit=unit, equipment_type=EquipmentType.objects.get(code="3110"), code=LIFT_CODE)
    director = factories.person(unit, name="张总监")
    personnel.appoint(by=keeper, unit=unit, person=director, post=Post.SAFETY_DIRECTOR,
                      started_on=TODAY - timedelta(days=30))
    return {**world, "expired": expired, "lift": lift, "director": director}


def open_record(w, by=None, **kwargs):
    users = w["users"]
    return inspection_services.open_inspection(
        by=by or users["county"], unit=kwargs.pop("unit", w["unit"]), kind=kwargs.pop("kind", InspectionKind.ROUTINE),
        inspectors=kwargs.pop("inspectors", [users["county"], users["station"]]),
        equipment_codes=kwargs.pop("equipment_codes", LIFT_CODE), **kwargs)


def completed_record(w, *, finding=True, **opening):
    """Every item 符合 but the weekly one (不符合, with a finding), signed, disposed of by a directive; ``opening``
    goes to ``open_record``."""
    county = w["users"]["county"]
    inspection = open_record(w, **opening)
    results = {item.position: {"result": ItemResult.COMPLIANT, "note": ""} for item in inspection.items.all()}
    weekly = inspection.items.get(key="weekly")
    results[weekly.position] = {"result": ItemResult.NON_COMPLIANT, "note": "近三个月未形成每周安全排查治理报告"}
    inspection_services.record_items(by=county, inspection=inspection, results=results,
                                     photos={weekly.position: png_upload()})
    if finding:
        inspection_services.raise_item_finding(by=county, inspection=inspection, position=weekly.position,
                                               description="未落实周排查，未形成每周安全排查治理报告",
                                               due_on=TODAY + timedelta(days=15))
    inspection_services.sign(by=county, inspection=inspection, signer_name="李代表", signature=drawn_signature(),
                             unit_opinion="无异议")
    return inspection_services.complete(by=county, inspection=inspection, disposition=Disposition.DIRECTIVE)


def issued_directive(w, inspection=None, deadline=None):
    inspection = inspection or completed_record(w)
    draft = directive_services.draft(inspection)
    return directive_services.issue(
        by=w["users"]["county"], inspection=inspection, problems=draft["problems"] or "1. 未落实周排查",
        legal_basis="《特种设备使用单位落实使用安全主体责任监督管理规定》第一百四十三条",
        measures="立即建立周排查制度，由安全总监每周组织排查并形成报告。",
        deadline=deadline or TODAY + timedelta(days=15))
