"""Use registration through the pages (000 §二(二)): the enterprise applies with its documents, the city
— or a county while delegated — accepts and decides, the enterprise downloads its certificate."""

import io
import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from jurisdictions import access
from jurisdictions import services as jservices
from jurisdictions.models import AuditEvent
from tests.factories import logged_in
from units import services
from units.choices import ApplicationKind, ApplicationStatus, EquipmentStatus
from units.models import Application, EquipmentType

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def elevator(unit, code="311023010202500001"):
    return services.add_equipment(by=access.COMMAND_LINE,
                                  unit=unit, equipment_type=EquipmentType.objects.get(code="3110"),
                                  code=code, location="1号楼东侧")


def upload_data(*equipment, **extra):
    return {
        "equipment": [e.pk for e in equipment],
        "reason": "新装电梯投入使用",
        "doc_form": SimpleUploadedFile("使用登记表.pdf", PDF, content_type="application/pdf"),
        "doc_product_certificate": SimpleUploadedFile("产品合格证.png", PNG, content_type="image/png"),
        **extra,
    }


def apply(world, *equipment, kind=ApplicationKind.REGISTER) -> Application:
    response = logged_in(world["users"]["enterprise"]).post(
        reverse("units:application_create") + f"?kind={kind}", upload_data(*equipment))
    assert response.status_code == 302, response.context["form"].errors
    return Application.objects.latest("pk")


def normalised(response) -> str:
    """The body without the per-request masked CSRF token."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def pdf_text(content: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).replace(" ", "").replace("\n", "")


def test_enterprise_applies_city_registers_and_enterprise_downloads_the_certificate(world):
    users, unit = world["users"], world["unit"]
    equipment = elevator(unit)
    enterprise, city = logged_in(users["enterprise"]), logged_in(users["city"])

    form = enterprise.get(reverse("units:application_create"))
    assert form.status_code == 200
    assert f'value="{equipment.pk}"' in form.content.decode()
    assert 'enctype="multipart/form-data"' in form.content.decode()

    response = enterprise.post(reverse("units:application_create") + "?kind=register", upload_data(equipment))
    application = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == application.get_absolute_url()
    assert application.status == ApplicationStatus.SUBMITTED and application.unit == unit
    assert list(application.equipment.all()) == [equipment]
    assert sorted(application.documents.values_list("original_name", flat=True)) == ["产品合格证.png", "使用登记表.pdf"]
    assert not any(d.file.name.endswith("使用登记表.pdf") for d in application.documents.all())  # generated names

    mine = enterprise.get(reverse("units:application_list"))
    assert [a.pk for a in mine.context["table"].data] == [application.pk]
    queue = city.get(reverse("units:application_queue"))
    assert [a.pk for a in queue.context["table"].data] == [application.pk]

    detail = city.get(application.get_absolute_url())
    assert detail.context["can_accept"] and not detail.context["can_approve"]
    assert reverse("units:application_accept", args=[application.pk]) in detail.content.decode()
    assert city.post(reverse("units:application_accept", args=[application.pk])).status_code == 302
    assert city.post(reverse("units:application_approve", args=[application.pk])).status_code == 302

    application.refresh_from_db()
    equipment.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED and application.decision_number
    assert equipment.status == EquipmentStatus.IN_USE and equipment.registration_number.startswith("梯11甘A")
    actions = list(AuditEvent.objects.filter(object_type="units.Application", object_id=str(application.pk))
                   .order_by("pk").values_list("detail__action", flat=True))
    assert actions == ["submit_application", "accept", "approve"]

    page = enterprise.get(application.get_absolute_url())
    body = page.content.decode()
    assert not page.context["can_accept"] and not page.context["can_approve"] and not page.context["can_reject"]
    assert reverse("units:equipment_certificate", args=[equipment.pk]) in body
    timeline = [step["label"] for step in page.context["timeline"]]
    assert timeline == ["提交申请", "受理", "准予办理"]

    certificate = enterprise.get(reverse("units:equipment_certificate", args=[equipment.pk]))
    assert certificate.status_code == 200 and certificate["Content-Type"] == "application/pdf"
    assert certificate["Content-Disposition"].startswith("attachment")
    text = pdf_text(certificate.content)
    assert equipment.registration_number in text and unit.name in text and equipment.code in text

    decision = enterprise.get(reverse("units:application_decision", args=[application.pk]))
    assert decision.status_code == 200 and application.decision_number in pdf_text(decision.content)


def test_county_without_delegation_gets_404_on_accept_and_has_no_queue(world):
    application = apply(world, elevator(world["unit"]))
    county = logged_in(world["users"]["county"])
    assert county.get(reverse("units:application_accept", args=[application.pk])).status_code == 404
    assert county.post(reverse("units:application_accept", args=[application.pk])).status_code == 404
    assert county.get(reverse("units:application_queue")).status_code == 404
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    # It still sees the application in its area, read-only.
    detail = county.get(application.get_absolute_url())
    assert detail.status_code == 200 and not detail.context["can_accept"]
    assert reverse("units:application_accept", args=[application.pk]) not in detail.content.decode()


def test_delegated_county_works_the_queue_until_revoked(world):
    users = world["users"]
    today = timezone.localdate()
    delegation = jservices.delegate(by=users["city"], grantee=users["county"].jurisdiction, starts_on=today,
                                    ends_on=today + timedelta(days=30))
    application = apply(world, elevator(world["unit"]))
    county = logged_in(users["county"])
    assert [a.pk for a in county.get(reverse("units:application_queue")).context["table"].data] == [application.pk]
    assert county.post(reverse("units:application_accept", args=[application.pk])).status_code == 302
    # Another county of the same city never finds it.
    assert logged_in(users["other_county"]).get(application.get_absolute_url()).status_code == 404

    jservices.revoke_delegation(by=users["city"], delegation=delegation, reason="收回")
    assert county.post(reverse("units:application_approve", args=[application.pk])).status_code == 404
    assert logged_in(users["city"]).post(reverse("units:application_approve", args=[application.pk])).status_code == 302


def test_rejection_needs_a_reason_which_the_enterprise_then_reads(world):
    application = apply(world, elevator(world["unit"]))
    city = logged_in(world["users"]["city"])
    url = reverse("units:application_reject", args=[application.pk])
    response = city.post(url, {"reason": "   "})
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    assert 'data-field-error="reason"' in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED

    assert city.post(url, {"reason": "产品合格证与设备代码不符"}).status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    page = logged_in(world["users"]["enterprise"]).get(application.get_absolute_url())
    assert "产品合格证与设备代码不符" in page.content.decode()
    decision = logged_in(world["users"]["enterprise"]).get(reverse("units:application_decision", args=[application.pk]))
    text = pdf_text(decision.content)
    assert "不予特种设备使用登记决定书" in text and "产品合格证与设备代码不符" in text
    # A decided application offers no more actions, and a second decision is refused.
    assert city.post(reverse("units:application_accept", args=[application.pk])).context["form"].errors


def test_documents_are_downloaded_only_through_the_scoped_view(world, settings):
    application = apply(world, elevator(world["unit"]))
    document = application.documents.get(kind="form")
    url = reverse("units:application_document", args=[document.pk])
    users = world["users"]

    own = logged_in(users["enterprise"]).get(url)
    assert own.status_code == 200
    assert own["Content-Disposition"].startswith("attachment")
    assert b"".join(own.streaming_content) == PDF
    assert logged_in(users["city"]).get(url).status_code == 200
    for role in ("other_enterprise", "other_county", "other_city"):
        denied = logged_in(users[role]).get(url)
        missing = logged_in(users[role]).get(reverse("units:application_document", args=[2_000_000_000]))
        assert denied.status_code == missing.status_code == 404
        assert normalised(denied) == normalised(missing)
    assert Client().get(url).status_code == 302

    detail = logged_in(users["enterprise"]).get(application.get_absolute_url()).content.decode()
    assert url in detail and settings.MEDIA_URL not in detail and document.file.name not in detail


def test_upload_problems_are_shown_next_to_their_fields_and_nothing_is_saved(world):
    equipment = elevator(world["unit"])
    enterprise = logged_in(world["users"]["enterprise"])
    data = upload_data(equipment)
    data["doc_form"] = SimpleUploadedFile("使用登记表.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    del data["doc_product_certificate"]
    response = enterprise.post(reverse("units:application_create") + "?kind=register", data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "内容与扩展名不符" in errors["doc_form"][0]
    assert "doc_product_certificate" in errors
    body = response.content.decode()
    assert 'data-field-error="doc_form"' in body and 'data-field-error="doc_product_certificate"' in body
    assert not Application.objects.exists()


def test_service_errors_land_next_to_the_field_they_name(world, monkeypatch):
    equipment = elevator(world["unit"])

    def refuse(**kwargs):
        raise ValidationError({"equipment": "所选设备已有办理中的申请"})

    monkeypatch.setattr(services, "submit_application", refuse)
    response = logged_in(world["users"]["enterprise"]).post(reverse("units:application_create"), upload_data(equipment))
    assert response.status_code == 200
    assert 'data-field-error="equipment">所选设备已有办理中的申请' in response.content.decode()


def test_the_form_offers_only_equipment_in_a_state_the_kind_starts_from(world):
    unit, city = world["unit"], world["users"]["city"]
    new, registered = elevator(unit), elevator(unit, code="311023010202500002")
    application = services.submit_application(by=world["users"]["enterprise"], unit=unit, kind="register",
                                               equipment=[registered], documents=[
                                                   ("form", SimpleUploadedFile("a.pdf", PDF)),
                                                   ("product_certificate", SimpleUploadedFile("b.pdf", PDF))])
    enterprise = logged_in(world["users"]["enterprise"])
    offered = enterprise.get(reverse("units:application_create")).context["form"].fields["equipment"].queryset
    assert list(offered) == [new]  # ``registered`` is in an open application
    services.accept_application(by=city, application=application)
    services.approve_application(by=city, application=application)
    offered = enterprise.get(reverse("units:application_create") + "?kind=suspend").context["form"]
    assert list(offered.fields["equipment"].queryset) == [registered]
    assert not offered.fields["doc_form"].required
    # A tampered id (another unit's equipment) is not a valid choice.
    theirs = elevator(world["other_unit"], code="311023010202500003")
    response = enterprise.post(reverse("units:application_create"), upload_data(theirs))
    assert response.status_code == 200 and "equipment" in response.context["form"].errors


def test_regulators_cannot_open_the_application_form(world):
    for role in ("city", "county", "station", "province"):
        assert logged_in(world["users"][role]).get(reverse("units:application_create")).status_code == 404


def test_queue_puts_open_applications_first_by_due_date_with_warning_badges(world, settings):
    settings.REGISTRATION_DUE_WARNING_DAYS = 3
    unit, city = world["unit"], world["users"]["city"]
    today = timezone.localdate()
    made = {}
    for i, (name, due) in enumerate((("later", 10), ("decided", -5), ("soon", 2), ("overdue", -1))):
        made[name] = apply(world, elevator(unit, code=f"31102301020250{i:04d}"))
        Application.objects.filter(pk=made[name].pk).update(due_on=today + timedelta(days=due))
    services.reject_application(by=city, application=made["decided"], reason="重复申请")

    response = logged_in(city).get(reverse("units:application_queue"))
    assert [a.pk for a in response.context["table"].data] == [made[n].pk for n in ("overdue", "soon", "later",
                                                                                   "decided")]
    body = response.content.decode()
    assert body.count('data-testid="due-badge"') == 2
    assert "已超期 1 天" in body and "2 天内到期" in body
    detail = logged_in(city).get(made["soon"].get_absolute_url())
    assert detail.context["due"] == ("warning", "2 天内到期")


def test_navigation_shows_the_queue_only_to_the_authority(world):
    def labels(role):
        response = logged_in(world["users"][role]).get(reverse("dashboard:home"))
        return [str(item.label) for item in response.context["nav_items"]]

    assert "使用登记办理" in labels("city")
    assert "使用登记办理" not in labels("county")
    assert "使用登记申请" in labels("enterprise") and "使用登记办理" not in labels("enterprise")


def test_opening_the_action_pages_changes_nothing(world):
    application = apply(world, elevator(world["unit"]))
    city = logged_in(world["users"]["city"])
    for action in ("accept", "approve", "reject"):
        assert city.get(reverse(f"units:application_{action}", args=[application.pk])).status_code == 200
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED and application.version == 1


def test_queue_and_list_query_counts_do_not_grow_with_rows(world):
    unit = world["unit"]
    city, enterprise = logged_in(world["users"]["city"]), logged_in(world["users"]["enterprise"])

    def count(c, name):
        c.get(reverse(name))
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(reverse(name)).status_code == 200
        return len(ctx.captured_queries)

    apply(world, elevator(unit, code="311023010202590000"))
    few = {name: count(c, name) for c, name in ((city, "units:application_queue"),
                                                (enterprise, "units:application_list"))}
    for i in range(1, 8):
        apply(world, elevator(unit, code=f"31102301020259{i:04d}"))
    many = {name: count(c, name) for c, name in ((city, "units:application_queue"),
                                                 (enterprise, "units:application_list"))}
    assert many == few


# --- 审查意见, 受理编号, 撤回 (issue 8 item 14) ---------------------------------------------------------

def test_approval_takes_an_optional_review_opinion_shown_on_the_page_and_in_the_decision(world):
    application = apply(world, elevator(world["unit"]))
    city = logged_in(world["users"]["city"])
    services.accept_application(by=world["users"]["city"], application=application)
    url = reverse("units:application_approve", args=[application.pk])
    form = city.get(url)
    assert "opinion" in form.context["form"].fields and not form.context["form"].fields["opinion"].required
    assert city.post(url, {"opinion": "材料齐全，现场核查符合要求"}).status_code == 302
    application.refresh_from_db()
    assert (application.status, application.decision_note) == (ApplicationStatus.APPROVED, "材料齐全，现场核查符合要求")
    page = logged_in(world["users"]["enterprise"]).get(application.get_absolute_url()).content.decode()
    assert "审查意见" in page and "材料齐全，现场核查符合要求" in page
    decision = logged_in(world["users"]["enterprise"]).get(reverse("units:application_decision", args=[application.pk]))
    assert "审查意见：材料齐全，现场核查符合要求" in pdf_text(decision.content)
    event = AuditEvent.objects.filter(object_type="units.Application", object_id=str(application.pk),
                                      kind=AuditEvent.Kind.APPROVAL).latest("pk")
    assert event.detail["opinion"] == "材料齐全，现场核查符合要求"

    second = apply(world, elevator(world["unit"], code="311023010202500002"))
    services.accept_application(by=world["users"]["city"], application=second)
    assert city.post(reverse("units:application_approve", args=[second.pk]), {"opinion": ""}).status_code == 302
    second.refresh_from_db()
    assert second.status == ApplicationStatus.APPROVED and second.decision_note == ""


def test_rejection_form_asks_for_the_review_opinion(world):
    application = apply(world, elevator(world["unit"]))
    form = logged_in(world["users"]["city"]).get(reverse("units:application_reject", args=[application.pk]))
    field = form.context["form"].fields["reason"]
    assert field.label == "审查意见" and field.required


def test_each_application_gets_a_gap_free_acceptance_number_shown_instead_of_its_id(world):
    year = timezone.localdate().year
    first = apply(world, elevator(world["unit"]))
    second = apply(world, elevator(world["unit"], code="311023010202500002"))
    assert first.acceptance_number == f"（兰州）特设受〔{year}〕第1号"
    assert second.acceptance_number == f"（兰州）特设受〔{year}〕第2号"
    enterprise = logged_in(world["users"]["enterprise"])
    page = enterprise.get(first.get_absolute_url()).content.decode()
    assert first.acceptance_number in page and f"#{first.pk}" not in page
    listing = enterprise.get(reverse("units:application_list")).content.decode()
    assert first.acceptance_number in listing and second.acceptance_number in listing
    assert f">#{first.pk}<" not in listing
    assert str(first) == f"使用登记申请 {first.acceptance_number}（{world['unit'].name}）"
    # A busy piece of equipment is reported by the number the applicant knows.
    with pytest.raises(ValidationError) as caught:
        services.submit_application(by=world["users"]["enterprise"], unit=world["unit"], kind="register",
                                    equipment=list(first.equipment.all()), documents=[])
    assert first.acceptance_number in str(caught.value)
    # The decision quotes it too.
    services.accept_application(by=world["users"]["city"], application=first)
    services.approve_application(by=world["users"]["city"], application=first)
    decision = enterprise.get(reverse("units:application_decision", args=[first.pk]))
    assert f"受理编号：{first.acceptance_number}" in pdf_text(decision.content)


def test_a_failed_submission_uses_no_acceptance_number(world):
    year = timezone.localdate().year
    with pytest.raises(ValidationError):
        services.submit_application(by=world["users"]["enterprise"], unit=world["unit"], kind="register",
                                    equipment=[elevator(world["unit"])], documents=[])
    assert apply(world, elevator(world["unit"], code="311023010202500002")).acceptance_number == \
        f"（兰州）特设受〔{year}〕第1号"


def test_applicant_withdraws_before_acceptance_and_the_equipment_is_free_again(world):
    equipment = elevator(world["unit"])
    application = apply(world, equipment)
    enterprise = logged_in(world["users"]["enterprise"])
    url = reverse("units:application_withdraw", args=[application.pk])
    assert url in enterprise.get(application.get_absolute_url()).content.decode()
    confirm = enterprise.get(url)
    assert confirm.status_code == 200 and application.acceptance_number in confirm.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED  # GET changes nothing

    assert enterprise.post(url).status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN and application.withdrawn_at is not None
    page = enterprise.get(application.get_absolute_url()).content.decode()
    assert "已撤回" in page and "申请单位撤回" in page and url not in page
    event = AuditEvent.objects.get(object_type="units.Application", object_id=str(application.pk),
                                   detail__action="withdraw_application")
    assert event.user == world["users"]["enterprise"]
    # The authority can no longer act on it, and the equipment may be applied for again.
    assert logged_in(world["users"]["city"]).post(reverse("units:application_accept", args=[application.pk])) \
        .context["form"].errors
    assert apply(world, equipment).status == ApplicationStatus.SUBMITTED


def test_no_withdrawal_after_acceptance_and_none_by_anyone_else(world):
    application = apply(world, elevator(world["unit"]))
    url = reverse("units:application_withdraw", args=[application.pk])
    for role in ("other_enterprise", "city", "county", "station"):
        assert logged_in(world["users"][role]).post(url).status_code == 404
    services.accept_application(by=world["users"]["city"], application=application)
    enterprise = logged_in(world["users"]["enterprise"])
    assert url not in enterprise.get(application.get_absolute_url()).content.decode()
    assert enterprise.get(url).status_code == 404 and enterprise.post(url).status_code == 404
    with pytest.raises(ValidationError):
        services.withdraw_application(by=world["users"]["enterprise"], application=application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED
