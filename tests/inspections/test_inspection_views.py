"""The inspection and directive pages end to end through the client (docs/domain.md §Inspection record,
§Directive): opened from the unit's page, the checklist filled with a photo, a finding from a 不符合 item, signed on
the screen, completed and locked, a directive issued and its PDF downloaded, the unit's report and the county's
re-check; the lists filter and export; the record page fits a 768 px tablet (one column of cards, no fixed widths)."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from inspections.supervision.inspection_choices import DirectiveStatus, InspectionStatus
from inspections.supervision.models import Directive, Inspection
from tests.factories import logged_in
from tests.inspections.supervision_world import LIFT_CODE, TODAY, completed_record, drawn_signature, png_upload


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_county_records_an_inspection_and_directs_the_unit(inspectors):
    users = inspectors["users"]
    county = logged_in(users["county"])
    panel = county.get(reverse("supervision:unit_risk", args=[inspectors["unit"].pk]), HTTP_HX_REQUEST="true")
    assert reverse("inspections:inspection_create", args=[inspectors["unit"].pk]) in panel.content.decode()
    page = county.get(reverse("inspections:inspection_create", args=[inspectors["unit"].pk]))
    assert users["station"].display_name in page.content.decode() and "expired_jcy" not in page.content.decode()
    response = county.post(reverse("inspections:inspection_create", args=[inspectors["unit"].pk]), {
        "kind": "routine", "inspectors": [users["county"].pk], "equipment_codes": LIFT_CODE})
    assert "两名以上" in response.content.decode()
    response = county.post(reverse("inspections:inspection_create", args=[inspectors["unit"].pk]), {
        "kind": "routine", "inspectors": [users["county"].pk, users["station"].pk], "equipment_codes": LIFT_CODE})
    inspection = Inspection.objects.get()
    assert response.url == reverse("inspections:inspection_record", args=[inspection.pk])

    record = county.get(response.url)
    assert record.status_code == 200 and 'capture="environment"' in record.content.decode()
    weekly = inspection.items.get(key="weekly").position
    data = {f"result_{i.position}": "compliant" for i in inspection.items.all()}
    data.update({f"result_{weekly}": "non_compliant", f"note_{weekly}": "无周排查报告",
                 f"photo_{weekly}": png_upload()})
    county.post(reverse("inspections:inspection_record", args=[inspection.pk]), data)
    assert inspection.items.get(position=weekly).photo
    finding_url = reverse("inspections:inspection_finding", args=[inspection.pk, weekly])
    assert finding_url in county.get(reverse("inspections:inspection_record", args=[inspection.pk])).content.decode()
    county.post(finding_url, {"description": "未落实周排查", "hazard_level": "general",
                              "due_on": (TODAY + timedelta(days=10)).isoformat()})
    assert inspection.items.get(position=weekly).finding.origin == "inspection"

    sign_page = county.get(reverse("inspections:inspection_sign", args=[inspection.pk])).content.decode()
    assert "data-signature-pad" in sign_page and "portal/signature.js" in sign_page
    county.post(reverse("inspections:inspection_sign", args=[inspection.pk]),
                {"signer_name": "李代表", "signature": drawn_signature(), "unit_opinion": "无异议"})
    county.post(reverse("inspections:inspection_complete", args=[inspection.pk]), {"disposition": "directive"})
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.COMPLETED
    assert county.get(reverse("inspections:inspection_record", args=[inspection.pk])).status_code == 404
    assert county.get(reverse("inspections:inspection_file", args=[inspection.pk, "signature"])).status_code == 200

    create = reverse("inspections:directive_create", args=[inspection.pk])
    assert "未落实周排查" in county.get(create).content.decode()
    county.post(create, {"problems": "1. 未落实周排查", "legal_basis": "《特种设备安全法》第十三条",
                         "measures": "建立周排查制度", "deadline": (TODAY + timedelta(days=15)).isoformat()})
    directive = Directive.objects.get()
    pdf = county.get(reverse("inspections:directive_pdf", args=[directive.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")

    enterprise = logged_in(users["enterprise"])
    assert directive.number in enterprise.get(reverse("inspections:directive_list")).content.decode()
    enterprise.post(reverse("inspections:directive_report", args=[directive.pk]),
                    {"note": "已建立周排查制度并报告", "evidence": [png_upload("整改.png")]})
    directive.refresh_from_db()
    assert directive.status == DirectiveStatus.REPORTED
    county.post(reverse("inspections:directive_recheck", args=[directive.pk]), {"decision": "accept", "note": "合格"})
    directive.refresh_from_db()
    assert directive.status == DirectiveStatus.ACCEPTED


def test_the_lists_filter_and_export_within_the_subtree(inspectors):
    inspection = completed_record(inspectors)
    users = inspectors["users"]
    listed = logged_in(users["county"]).get(reverse("inspections:inspection_list"), {"status": "completed"})
    assert [row.pk for row in listed.context["table"].data] == [inspection.pk]
    other = logged_in(users["other_county"]).get(reverse("inspections:inspection_list"))
    assert list(other.context["table"].data) == []
    export = logged_in(users["city"]).get(reverse("inspections:inspection_list"), {"_export": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert inspectors["unit"].name in [c.value for c in sheet[2]]
    for name in ("inspections:directive_list", "inspections:referral_list"):
        assert logged_in(users["county"]).get(reverse(name), {"_export": "xlsx"}).status_code == 200


def test_the_record_page_is_one_column_of_cards_on_a_tablet(inspectors):
    from tests.inspections.supervision_world import open_record

    inspection = open_record(inspectors)
    html = logged_in(inspectors["users"]["county"]).get(
        reverse("inspections:inspection_record", args=[inspection.pk])).content.decode()
    assert 'style="' not in html and "width=" not in html.split('data-testid="items-form"')[1]
    assert html.count('class="card mb-2"') == inspection.items.count()
    assert 'class="btn-check"' in html
