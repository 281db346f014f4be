"""Use registration (000 §二(二)): the enterprise applies, the city — or a county while delegated —
accepts and approves, and the equipment gets a gap-free certificate number."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jurisdictions import access
from jurisdictions import services as jservices
from units import services
from units.choices import ApplicationKind, ApplicationStatus, DocumentKind, EquipmentStatus
from units.models import Application, Equipment, EquipmentType

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def documents():
    return [
        (DocumentKind.FORM, SimpleUploadedFile("登记表.pdf", PDF, content_type="application/pdf")),
        (DocumentKind.PRODUCT_CERTIFICATE, SimpleUploadedFile("合格证.pdf", PDF, content_type="application/pdf")),
    ]


def elevator(unit, code="311023010202500001"):
    return services.add_equipment(by=access.COMMAND_LINE,
                                  unit=unit, equipment_type=EquipmentType.objects.get(code="3110"),
                                  code=code, location="1号楼")


def apply(world, *equipment, kind=ApplicationKind.REGISTER):
    return services.submit_application(by=world["users"]["enterprise"], unit=world["unit"], kind=kind,
                                       equipment=list(equipment), documents=documents() if kind == "register" else [])


def test_city_registers_an_elevator_with_an_official_certificate_number(world):
    equipment = elevator(world["unit"])
    application = apply(world, equipment)
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.authority.code == "620100"
    city = world["users"]["city"]
    services.accept_application(by=city, application=application)
    services.approve_application(by=city, application=application)
    equipment.refresh_from_db()
    application.refresh_from_db()
    year = timezone.localdate().year
    assert equipment.status == EquipmentStatus.IN_USE
    assert equipment.registration_number == f"梯11甘A00001({year % 100:02d})"
    assert application.decision_number == f"（兰州）特设登〔{year}〕第1号"


def test_county_cannot_decide_without_a_delegation(world):
    application = apply(world, elevator(world["unit"]))
    with pytest.raises(Http404):
        services.accept_application(by=world["users"]["county"], application=application)


def test_delegated_county_decides_and_loses_the_power_when_revoked(world):
    users = world["users"]
    today = timezone.localdate()
    delegation = jservices.delegate(by=users["city"], grantee=users["county"].jurisdiction, starts_on=today,
                                    ends_on=today + timedelta(days=365))
    first = apply(world, elevator(world["unit"]))
    county = type(users["county"]).objects.get(pk=users["county"].pk)
    services.accept_application(by=county, application=first)
    services.approve_application(by=county, application=first)
    first.refresh_from_db()
    assert first.status == ApplicationStatus.APPROVED
    assert first.decided_by_authority.code == "620102"

    jservices.revoke_delegation(by=users["city"], delegation=delegation, reason="到期收回")
    second = apply(world, elevator(world["unit"], code="311023010202500002"))
    county = type(users["county"]).objects.get(pk=users["county"].pk)
    with pytest.raises(Http404):
        services.accept_application(by=county, application=second)
    other_county = users["other_county"]
    with pytest.raises(Http404):
        services.accept_application(by=other_county, application=second)


def test_rejection_needs_a_reason_and_leaves_equipment_unregistered(world):
    equipment = elevator(world["unit"])
    application = apply(world, equipment)
    with pytest.raises(ValidationError):
        services.reject_application(by=world["users"]["city"], application=application, reason=" ")
    services.reject_application(by=world["users"]["city"], application=application, reason="材料不全")
    equipment.refresh_from_db()
    assert equipment.status == EquipmentStatus.UNREGISTERED and equipment.registration_number == ""


def test_missing_documents_and_wrong_file_types_are_refused(world):
    equipment = elevator(world["unit"])
    with pytest.raises(ValidationError, match="缺少申请材料"):
        services.submit_application(by=world["users"]["enterprise"], unit=world["unit"], kind="register",
                                    equipment=[equipment], documents=documents()[:1])
    fake = [(DocumentKind.FORM, SimpleUploadedFile("登记表.pdf", b"MZ\x90\x00", content_type="application/pdf")),
            documents()[1]]
    with pytest.raises(ValidationError, match="内容与扩展名不符"):
        services.submit_application(by=world["users"]["enterprise"], unit=world["unit"], kind="register",
                                    equipment=[equipment], documents=fake)
    assert not Application.objects.exists()


def test_suspension_and_deregistration_follow_the_same_path(world):
    city = world["users"]["city"]
    equipment = elevator(world["unit"])
    for kind, status in ((ApplicationKind.REGISTER, EquipmentStatus.IN_USE),
                         (ApplicationKind.SUSPEND, EquipmentStatus.SUSPENDED),
                         (ApplicationKind.RESUME, EquipmentStatus.IN_USE),
                         (ApplicationKind.DEREGISTER, EquipmentStatus.DEREGISTERED)):
        application = apply(world, equipment, kind=kind)
        services.accept_application(by=city, application=application)
        services.approve_application(by=city, application=application)
        equipment.refresh_from_db()
        assert equipment.status == status
    with pytest.raises(ValidationError, match="当前状态不能申请"):
        apply(world, equipment, kind=ApplicationKind.SUSPEND)


def test_enterprise_cannot_apply_for_another_units_equipment(world):
    theirs = elevator(world["other_unit"])
    with pytest.raises(ValidationError, match="不属于本单位"):
        apply(world, theirs)


@pytest.mark.django_db(transaction=True)
@pytest.mark.xdist_group("registration-concurrency")
def test_concurrent_approvals_get_distinct_certificate_numbers(world):
    city_user = world["users"]["city"]
    applications = []
    for i in range(6):
        applications.append(apply(world, elevator(world["unit"], code=f"3110230102025{i:05d}")))
        services.accept_application(by=city_user, application=applications[-1])
    barrier = threading.Barrier(len(applications))
    errors = []

    def approve(application):
        try:
            barrier.wait(timeout=10)
            user = type(city_user).objects.get(pk=city_user.pk)
            services.approve_application(by=user, application=application)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(a,)) for a in applications]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    numbers = sorted(Equipment.objects.filter(unit=world["unit"]).values_list("registration_number", flat=True))
    year = timezone.localdate().year % 100
    assert numbers == [f"梯11甘A{n:05d}({year:02d})" for n in range(1, 7)]
    decisions = set(Application.objects.values_list("decision_number", flat=True))
    assert len(decisions) == 6


def test_equipment_code_must_match_its_variety(world):
    with pytest.raises(ValidationError, match="不一致"):
        elevator(world["unit"], code="215023010201500098")
    with pytest.raises(ValidationError, match="18 位"):
        elevator(world["unit"], code="12345")


def _listed(user, url_name, **params):
    client = Client()
    client.force_login(user)
    response = client.get(reverse(url_name), params)
    assert response.status_code == 200
    return {row.record.pk for row in response.context["table"].page.object_list}


def test_suspension_and_deregistration_take_equipment_off_the_in_use_lists(world):
    """停用/注销 equipment is exempt from periodic inspection reminders and leaves the in-use lists
    (docs/domain.md §Use registration, §Periodic inspection); it stays on the registry under its new status (records are
    kept, never deleted)."""
    city, county = world["users"]["city"], world["users"]["county"]
    equipment = elevator(world["unit"])
    Equipment.objects.filter(pk=equipment.pk).update(next_inspection_on=timezone.localdate() + timedelta(days=10))

    def decide(kind):
        application = apply(world, equipment, kind=kind)
        services.accept_application(by=city, application=application)
        services.approve_application(by=city, application=application)

    decide(ApplicationKind.REGISTER)
    assert equipment.pk in _listed(county, "units:inspection_due_list")
    assert equipment.pk in _listed(county, "units:equipment_list", status=EquipmentStatus.IN_USE)

    decide(ApplicationKind.SUSPEND)
    assert equipment.pk not in _listed(county, "units:inspection_due_list")
    assert equipment.pk not in _listed(county, "units:equipment_list", status=EquipmentStatus.IN_USE)
    assert equipment.pk in _listed(county, "units:equipment_list", status=EquipmentStatus.SUSPENDED)

    decide(ApplicationKind.RESUME)
    assert equipment.pk in _listed(county, "units:inspection_due_list")

    decide(ApplicationKind.DEREGISTER)
    assert equipment.pk not in _listed(county, "units:inspection_due_list")
    assert equipment.pk in _listed(county, "units:equipment_list", status=EquipmentStatus.DEREGISTERED)
