"""变更登记 (issue 8 item 4; docs/domain.md §Use registration): once registered, the place of use changes only through a
change application that carries the new value and that the registering authority approves; refusal or withdrawal
changes nothing, and the form refuses what a change does not cover."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from jurisdictions.models import AuditEvent
from tests.factories import logged_in
from tests.units.test_registration_views import elevator, pdf_text, upload_data
from units import services
from units.choices import ApplicationKind, ApplicationStatus, EquipmentStatus
from units.models import Application, Equipment

NEW_PLACE = "3号楼西侧电梯井"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def registered(world):
    """An elevator at 1号楼东侧, registered and 在用."""
    equipment = elevator(world["unit"])
    response = logged_in(world["users"]["enterprise"]).post(
        reverse("units:application_create") + "?kind=register", upload_data(equipment))
    assert response.status_code == 302
    application = Application.objects.latest("pk")
    city = world["users"]["city"]
    services.accept_application(by=city, application=application)
    services.approve_application(by=city, application=application)
    equipment.refresh_from_db()
    assert equipment.status == EquipmentStatus.IN_USE
    return equipment


def change_url(equipment=None) -> str:
    return reverse("units:application_create") + "?kind=change" + (f"&equipment={equipment.pk}" if equipment else "")


def ask_to_move(world, equipment, **data):
    return logged_in(world["users"]["enterprise"]).post(
        change_url(), {"equipment": equipment.pk, "reason": "设备移装", "location": NEW_PLACE, **data})


def field_errors(response, field) -> list[str]:
    html = response.content.decode()
    return [re.sub(r"<[^>]+>", "", e).strip()
            for e in re.findall(rf'data-field-error="{field}">(.*?)</div>', html, re.S)]


def test_city_approves_a_move_and_the_equipment_and_its_certificate_show_the_new_place(world, registered):
    enterprise, city = logged_in(world["users"]["enterprise"]), logged_in(world["users"]["city"])
    form = enterprise.get(change_url(registered))
    assert 'name="location"' in form.content.decode()
    assert "下次定期检验日期以检验记录为准" in form.content.decode()

    response = ask_to_move(world, registered)
    assert response.status_code == 302, response.context["form"].errors
    application = Application.objects.latest("pk")
    assert application.kind == ApplicationKind.CHANGE
    assert application.changes == {"location": {"old": "1号楼东侧", "new": NEW_PLACE}}
    registered.refresh_from_db()
    assert registered.location == "1号楼东侧"  # nothing moves before the decision

    page = enterprise.get(application.get_absolute_url()).content.decode()
    row = re.search(r'data-testid="change-location">(.*?)</tr>', page, re.S).group(1)
    assert "安装使用地点" in row and "1号楼东侧" in row and NEW_PLACE in row

    assert city.post(reverse("units:application_accept", args=[application.pk])).status_code == 302
    assert city.post(reverse("units:application_approve", args=[application.pk]), {"opinion": ""}).status_code == 302
    registered.refresh_from_db()
    assert registered.location == NEW_PLACE
    assert registered.status == EquipmentStatus.IN_USE

    certificate = enterprise.get(reverse("units:equipment_certificate", args=[registered.pk]))
    assert NEW_PLACE in pdf_text(b"".join(certificate.streaming_content) if certificate.streaming else
                                 certificate.content)
    decision = enterprise.get(reverse("units:application_decision", args=[application.pk]))
    assert f"由“1号楼东侧”变更为“{NEW_PLACE}”" in pdf_text(decision.content)

    history = enterprise.get(reverse("units:unit_history", args=[world["unit"].pk])).content.decode()
    rows = re.findall(r'<tr data-testid="equipment-history-entry">(.*?)</tr>', history, re.S)
    texts = [re.sub(r"<[^>]+>", "", row) for row in rows]
    moved = [text for text in texts if "安装使用地点：1号楼东侧 → " + NEW_PLACE in text]
    assert len(moved) == 1, texts
    assert "测试人员（city）" in moved[0] and str(registered) in moved[0]

    event = AuditEvent.objects.filter(detail__action="change_registration").get()
    assert event.detail["changed"] == {"location": ["1号楼东侧", NEW_PLACE]}
    assert event.user == world["users"]["city"]


def test_a_refused_or_withdrawn_change_leaves_the_equipment_where_it_was(world, registered):
    assert ask_to_move(world, registered).status_code == 302
    refused = Application.objects.latest("pk")
    assert refused.changes["location"]["new"] == NEW_PLACE  # it asked for the move; refusal applies none of it
    city = world["users"]["city"]
    services.accept_application(by=city, application=refused)
    services.reject_application(by=city, application=refused, reason="移装后未经检验")
    registered.refresh_from_db()
    assert registered.location == "1号楼东侧"

    assert ask_to_move(world, registered).status_code == 302
    withdrawn = Application.objects.latest("pk")
    withdrawn = services.withdraw_application(by=world["users"]["enterprise"], application=withdrawn)
    registered.refresh_from_db()
    assert registered.location == "1号楼东侧"
    assert withdrawn.status == ApplicationStatus.WITHDRAWN
    assert not AuditEvent.objects.filter(detail__action="change_registration").exists()


def test_a_fact_a_change_does_not_cover_is_refused_beside_its_field(world, registered):
    response = ask_to_move(world, registered, next_inspection_on="2035-01-01")
    assert response.status_code == 200
    assert field_errors(response, "next_inspection_on") == [
        "下次定期检验日期以检验记录为准，由监管部门录入，不通过变更登记修改。"]
    assert not Application.objects.filter(kind=ApplicationKind.CHANGE).exists()
    with pytest.raises(ValidationError) as caught:
        services.submit_application(by=world["users"]["enterprise"], unit=world["unit"], kind="change",
                                    equipment=[registered], changes={"location": NEW_PLACE,
                                                                     "next_inspection_on": "2035-01-01"})
    assert list(caught.value.error_dict) == ["next_inspection_on"]
    assert not Application.objects.filter(kind=ApplicationKind.CHANGE).exists()


def test_an_empty_or_unchanged_place_is_refused_beside_the_field(world, registered):
    response = ask_to_move(world, registered, location="  ")
    assert field_errors(response, "location") == ["请填写变更后的安装使用地点。"]
    response = ask_to_move(world, registered, location="1号楼东侧")
    assert field_errors(response, "location") == ["与现登记内容相同，请填写变更后的内容。"]
    response = ask_to_move(world, registered, location="长" * 201)
    assert field_errors(response, "location")
    assert not Application.objects.filter(kind=ApplicationKind.CHANGE).exists()


def test_a_change_names_one_piece_and_is_applied_only_to_equipment_still_registered(world, registered):
    other = elevator(world["unit"], code="311023010202500002")
    Equipment.objects.filter(pk=other.pk).update(status=EquipmentStatus.IN_USE)
    with pytest.raises(ValidationError, match="每次申请一台设备"):
        services.submit_application(by=world["users"]["enterprise"], unit=world["unit"], kind="change",
                                    equipment=[registered, other], changes={"location": NEW_PLACE})
    with pytest.raises(ValidationError, match="只有变更登记"):
        services.submit_application(by=world["users"]["enterprise"], unit=world["unit"], kind="suspend",
                                    equipment=[other], changes={"location": NEW_PLACE})

    assert ask_to_move(world, registered).status_code == 302
    application = Application.objects.latest("pk")
    city = world["users"]["city"]
    services.accept_application(by=city, application=application)
    Equipment.objects.filter(pk=registered.pk).update(status=EquipmentStatus.SCRAPPED)
    with pytest.raises(ValidationError, match="当前状态不能办理变更登记"):
        services.approve_application(by=city, application=application)
    registered.refresh_from_db()
    application.refresh_from_db()
    assert registered.location == "1号楼东侧" and application.status == ApplicationStatus.ACCEPTED
