"""Smaller ones seen on day one (issue 8 item 14, personnel): an assessment whose result contradicts
its score, a known ID number typed under another name, and a missing certificate named by its code."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from personnel import services
from personnel.models import Appointment, Person, SpotAssessment
from tests import factories
from tests.factories import logged_in

TODAY = timezone.localdate()
LI_MING = factories.new_id_number()


@pytest.fixture
def staffed(world):
    """李明 is the unit's safety officer (entered by its enterprise); no certificate yet."""
    appointment = services.appoint_new_person(by=world["users"]["enterprise"], unit=world["unit"], name="李明",
                                              id_number=LI_MING, phone="13912340000", post="safety_officer",
                                              started_on=TODAY - timedelta(days=10))
    return {**world, "person": appointment.person, "appointment": appointment}


def field_errors(response, field) -> list[str]:
    html = response.content.decode()
    marker = f'data-field-error="{field}">'
    return [chunk.split("</div>")[0] for chunk in html.split(marker)[1:]]


# --- (a) the pass mark ------------------------------------------------------------------------------

def assess(staffed, score, result):
    url = reverse("personnel:assessment_create", args=[staffed["person"].pk])
    return logged_in(staffed["users"]["county"]).post(url, {"assessed_on": TODAY.isoformat(), "score": score,
                                                            "result": result, "note": ""})


def test_95_points_marked_failed_is_refused_beside_the_result(staffed):
    response = assess(staffed, 95, "failed")
    assert response.status_code == 200
    assert field_errors(response, "result") == ["得分 95 分，达到合格分数线 60 分，结果应为“合格”。"]
    assert not SpotAssessment.objects.exists()
    assert not Person.objects.get(pk=staffed["person"].pk).assessment_failed


def test_40_points_marked_passed_is_refused_too(staffed):
    response = assess(staffed, 40, "passed")
    assert field_errors(response, "result") == ["得分 40 分，低于合格分数线 60 分，结果应为“不合格”。"]
    assert not SpotAssessment.objects.exists()


@pytest.mark.parametrize(("score", "result"), [(60, "passed"), (59, "failed"), (95, "passed"), (0, "failed")])
def test_a_result_agreeing_with_the_pass_mark_is_recorded(staffed, score, result):
    assert assess(staffed, score, result).status_code == 302
    assert SpotAssessment.objects.get().result == result


def test_the_pass_mark_is_a_setting_and_the_form_says_it(staffed, settings):
    settings.PERSONNEL_ASSESSMENT_PASS_MARK = 96
    url = reverse("personnel:assessment_create", args=[staffed["person"].pk])
    assert "96 分及以上为合格" in logged_in(staffed["users"]["county"]).get(url).content.decode()
    assert assess(staffed, 95, "failed").status_code == 302


# --- (b) a known number under another name ------------------------------------------------------------

def test_a_number_on_the_books_under_another_name_is_said_at_the_number(staffed):
    url = reverse("personnel:appointment_new", args=[staffed["unit"].pk])
    response = logged_in(staffed["users"]["enterprise"]).post(url, {
        "post": "safety_officer", "name": "王强", "id_number": LI_MING, "phone": "13700000000",
        "started_on": TODAY.isoformat(), "covers": "", "education": "", "title": ""})
    assert response.status_code == 200
    (error,) = field_errors(response, "id_number")
    masked = f"{LI_MING[:6]}********{LI_MING[-4:]}"
    assert "李明" in error and masked in error and "王强" in error
    assert LI_MING not in error
    assert field_errors(response, "post") == []
    assert Appointment.objects.filter(unit=staffed["unit"]).count() == 1
    assert not Person.objects.filter(name="王强").exists()


def test_the_same_person_typed_again_still_takes_a_further_post(staffed):
    url = reverse("personnel:appointment_new", args=[staffed["unit"].pk])
    response = logged_in(staffed["users"]["enterprise"]).post(url, {
        "post": "safety_director", "name": "李明", "id_number": LI_MING, "phone": "13912340000",
        "started_on": TODAY.isoformat(), "covers": "", "education": "", "title": ""})
    assert response.status_code == 302
    assert set(staffed["person"].appointments.values_list("post", flat=True)) == {"safety_officer", "safety_director"}


# --- (c) the missing certificate named ----------------------------------------------------------------

def test_a_missing_certificate_is_named_on_the_staff_page_and_the_person_page(staffed):
    client = logged_in(staffed["users"]["station"])
    staff = client.get(reverse("personnel:unit_staff", args=[staffed["unit"].pk])).content.decode()
    assert "缺少特种设备安全管理（A）证书" in staff and "缺少持证：A" not in staff
    person = client.get(staffed["person"].get_absolute_url()).content.decode()
    assert "缺少特种设备安全管理（A）证书" in person


def test_the_certificate_form_offers_the_catalogue_and_the_lists_name_the_item(staffed):
    client = logged_in(staffed["users"]["enterprise"])
    url = reverse("personnel:certificate_create", args=[staffed["person"].pk])
    assert '<option value="T">T 电梯修理</option>' in client.get(url).content.decode()
    assert client.post(url, {"item_code": "A", "number": "TZ-A-1", "issued_by": "兰州市市场监督管理局",
                             "issued_on": "2024-01-01", "expires_on": "2028-01-01"}).status_code == 302
    listed = client.get(reverse("personnel:certificate_list")).content.decode()
    assert "特种设备安全管理（A）" in listed
    staff = client.get(reverse("personnel:unit_staff", args=[staffed["unit"].pk])).content.decode()
    assert "缺少特种设备安全管理" not in staff


def test_the_contradiction_is_said_with_the_other_errors_and_the_service_refuses_it_alone(staffed):
    url = reverse("personnel:assessment_create", args=[staffed["person"].pk])
    response = logged_in(staffed["users"]["county"]).post(url, {"assessed_on": "", "score": 95, "result": "failed"})
    assert field_errors(response, "assessed_on") and field_errors(response, "result")
    with pytest.raises(ValidationError) as refused:
        services.record_assessment(by=staffed["users"]["county"], person=staffed["person"], assessed_on=TODAY,
                                   score=95, result="failed")
    assert refused.value.message_dict == {"result": ["得分 95 分，达到合格分数线 60 分，结果应为“合格”。"]}
