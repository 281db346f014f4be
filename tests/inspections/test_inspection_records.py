"""The inspection record (docs/domain.md §Inspection record; Order 57 Art. 19–27): at least two inspectors valid on
the day, a county cannot inspect a unit outside its subtree, the checklist prefilled from the unit's records, a
不符合 item opens a finding with the inspection as its origin, signature or refusal, and the lock on completion."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, InternalError, transaction
from django.http import Http404

from inspections.findings.choices import Origin
from inspections.findings.models import Finding
from inspections.supervision import inspection_services as services
from inspections.supervision.inspection_choices import Disposition, InspectionStatus, ItemResult
from inspections.supervision.models import Inspection
from jurisdictions.models import AuditEvent
from tests.inspections.supervision_world import TODAY, completed_record, drawn_signature, open_record, png_upload


def blank_canvas() -> str:
    import base64
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGBA", (300, 120), (0, 0, 0, 0)).save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_record_needs_two_inspectors_valid_on_the_day(inspectors):
    users = inspectors["users"]
    with pytest.raises(ValidationError, match="两名以上"):
        open_record(inspectors, inspectors=[users["county"]])
    with pytest.raises(ValidationError, match="两名以上"):
        open_record(inspectors, inspectors=[users["county"], users["county"]])
    # One of the two holds a certificate that expired yesterday: refused, by name.
    with pytest.raises(ValidationError, match="expired_jcy"):
        open_record(inspectors, inspectors=[users["county"], inspectors["expired"]])
    # Another county's inspector is not in this county's pool.
    with pytest.raises(ValidationError, match="other_county"):
        open_record(inspectors, inspectors=[users["county"], users["other_county"]])
    assert not Inspection.objects.exists()
    inspection = open_record(inspectors)
    assert set(inspection.inspectors.all()) == {users["county"], users["station"]}
    assert list(inspection.equipment.all()) == [inspectors["lift"]]
    assert AuditEvent.objects.filter(detail__action="open_inspection").count() == 1


def test_a_county_cannot_inspect_a_unit_outside_its_subtree(inspectors):
    with pytest.raises(Http404):
        open_record(inspectors, unit=inspectors["other_unit"], equipment_codes="")


def test_unknown_equipment_codes_are_refused_by_name(inspectors):
    with pytest.raises(ValidationError, match="NOPE-1"):
        open_record(inspectors, equipment_codes="NOPE-1")


def test_the_checklist_follows_the_unit_kind_and_is_prefilled_from_its_records(inspectors):
    inspection = open_record(inspectors)
    keys = list(inspection.items.values_list("key", flat=True))
    assert keys[:3] == ["principal", "director", "officer"]
    assert "registration" in keys and "licence" not in keys and "cylinders" not in keys
    assert inspection.items.get(key="director").prefill == "在岗：张总监"
    assert inspection.items.get(key="officer").prefill == "系统中无在岗人员"
    assert "近 3 个月" in inspection.items.get(key="daily").prefill
    assert inspection.unit_safety_manager == "张总监"
    assert inspection.unit_name == inspectors["unit"].name


def test_a_non_compliant_item_opens_a_finding_with_the_inspection_as_origin(inspectors):
    county = inspectors["users"]["county"]
    inspection = open_record(inspectors)
    item = inspection.items.get(key="weekly")
    with pytest.raises(ValidationError, match="不符合"):
        services.raise_item_finding(by=county, inspection=inspection, position=item.position, description="x",
                                    due_on=TODAY + timedelta(days=7))
    services.record_items(by=county, inspection=inspection,
                          results={item.position: {"result": ItemResult.NON_COMPLIANT, "note": "无周报告"}},
                          photos={item.position: png_upload()})
    item.refresh_from_db()
    assert item.photo and item.photo_at is not None
    finding = services.raise_item_finding(by=county, inspection=inspection, position=item.position,
                                          description="", due_on=TODAY + timedelta(days=7))
    assert finding.origin == Origin.INSPECTION and finding.source == inspection
    assert finding.unit == inspectors["unit"] and "无周报告" in finding.description
    item.refresh_from_db()
    assert item.finding == finding
    with pytest.raises(ValidationError, match="已登记"):
        services.raise_item_finding(by=county, inspection=inspection, position=item.position, description="again",
                                    due_on=TODAY + timedelta(days=7))


def test_only_the_records_inspectors_fill_it_in(inspectors):
    inspection = open_record(inspectors)
    with pytest.raises(ValidationError, match="检查人员"):
        services.record_items(by=inspectors["users"]["city"], inspection=inspection, results={})


def test_completion_needs_every_item_and_a_signature_or_a_noted_refusal(inspectors):
    county = inspectors["users"]["county"]
    inspection = open_record(inspectors)
    with pytest.raises(ValidationError, match="未填写结果"):
        services.complete(by=county, inspection=inspection, disposition=Disposition.NONE)
    services.record_items(by=county, inspection=inspection, results={
        i.position: {"result": ItemResult.COMPLIANT} for i in inspection.items.all()})
    with pytest.raises(ValidationError, match="签字"):
        services.complete(by=county, inspection=inspection, disposition=Disposition.NONE)
    with pytest.raises(ValidationError, match="签名区"):
        services.sign(by=county, inspection=inspection, signer_name="李代表", signature=blank_canvas())
    with pytest.raises(ValidationError, match="签名区"):
        services.sign(by=county, inspection=inspection, signer_name="李代表", signature="data:text/html;base64,PHA+")
    with pytest.raises(ValidationError, match="拍照"):
        services.refuse_signature(by=county, inspection=inspection, note="代表拒绝签字", photo=None)
    services.refuse_signature(by=county, inspection=inspection, note="代表拒绝签字", photo=png_upload())
    done = services.complete(by=county, inspection=inspection, disposition=Disposition.NONE)
    assert done.status == InspectionStatus.COMPLETED and done.refused and done.ended_at >= done.started_at


def test_a_completed_record_is_locked(inspectors):
    inspection = completed_record(inspectors)
    county = inspectors["users"]["county"]
    assert inspection.signature and inspection.signed_at
    with pytest.raises(ValidationError, match="锁定"):
        services.record_items(by=county, inspection=inspection, results={1: {"result": ItemResult.NON_COMPLIANT}})
    with pytest.raises(ValidationError, match="锁定"):
        services.sign(by=county, inspection=inspection, signer_name="别人", signature=drawn_signature())
    # Behind the services' back, the database refuses the change too.
    with pytest.raises((InternalError, IntegrityError)), transaction.atomic():
        Inspection.objects.filter(pk=inspection.pk).update(unit_opinion="改过")
    assert Finding.objects.filter(origin=Origin.INSPECTION).count() == 1
    actions = set(AuditEvent.objects.filter(detail__has_key="action").values_list("detail__action", flat=True))
    assert {"open_inspection", "record_inspection_items", "raise_inspection_finding", "sign_inspection",
            "complete_inspection"} <= actions
