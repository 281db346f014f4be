"""Work notifications 告知 (000 §二(二)): a production unit notifies the city before installing, altering
or repairing equipment at a usage unit; the city acknowledges, the county sees, the notifier follows."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jurisdictions.models import AuditEvent
from tests import factories
from tests.factories import logged_in
from units import services
from units.choices import NotificationStatus, UnitKind, UnitStatus
from units.models import EquipmentType, WorkNotification


@pytest.fixture
def installer(world):
    """An elevator installer in 城关区; it works at ``other_unit`` in 七里河区."""
    unit = factories.unit("620102001", name="兰州测试电梯安装有限公司", kinds=(UnitKind.PRODUCTION,))
    return {"unit": unit, "user": factories.enterprise_user(unit, username="installer")}


def form_data(site, **extra):
    return {"kind": "install", "site_uscc": site.uscc, "equipment_type": EquipmentType.objects.get(code="3110").pk,
            "site_address": "七里河区西津西路 16 号 2 号楼", "description": "新装乘客电梯 2 台",
            "planned_start": (timezone.localdate() + timedelta(days=3)).isoformat(), **extra}


def notify(world, installer, **extra) -> WorkNotification:
    data = form_data(world["other_unit"], **extra)
    return services.submit_notification(
        by=installer["user"], notifier=installer["unit"], kind=data["kind"], site_uscc=data["site_uscc"],
        equipment_type=EquipmentType.objects.get(pk=data["equipment_type"]), site_address=data["site_address"],
        planned_start=timezone.localdate() + timedelta(days=3), description=data["description"])


def test_production_unit_notifies_through_the_form_and_the_notice_sits_where_the_work_is(world, installer):
    site = world["other_unit"]
    page = logged_in(installer["user"]).get(reverse("units:notification_create"))
    assert page.status_code == 200
    response = logged_in(installer["user"]).post(reverse("units:notification_create"), form_data(site))
    notification = WorkNotification.objects.get()
    assert response.status_code == 302 and response["Location"] == notification.get_absolute_url()
    assert notification.notifier == installer["unit"] and notification.site_unit == site
    assert notification.status == NotificationStatus.SUBMITTED
    placed = ("jurisdiction_id", "province_id", "city_id", "county_id", "station_id")
    assert [getattr(notification, c) for c in placed] == [getattr(site, c) for c in placed]
    assert AuditEvent.objects.filter(object_type="units.WorkNotification", object_id=str(notification.pk),
                                     detail__action="submit_notification").exists()


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"site_uscc": "91620103MA00000000"}, "site_uscc", None),
    ({"site_uscc": "916201036000373410"}, "site_uscc", None),
    ({"planned_start": "2020-01-01"}, "planned_start", "不能早于今天"),
    ({"site_address": "   "}, "site_address", None),
])
def test_bad_notifications_are_refused_next_to_the_field(world, installer, change, field, message):
    response = logged_in(installer["user"]).post(reverse("units:notification_create"), form_data(world["other_unit"],
                                                                                                 **change))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    if message:
        assert message in errors[field][0]
    assert f'data-field-error="{field}"' in response.content.decode()
    assert not WorkNotification.objects.exists()


def test_site_unit_must_exist_and_be_active(world, installer):
    unknown = factories.unit("620103001")
    unknown_uscc = unknown.uscc
    unknown.delete()
    with pytest.raises(ValidationError, match="未找到"):
        notify(world, installer, site_uscc=unknown_uscc)
    site = world["other_unit"]
    type(site).objects.filter(pk=site.pk).update(status=UnitStatus.PENDING)
    response = logged_in(installer["user"]).post(reverse("units:notification_create"), form_data(site))
    assert "未找到" in response.context["form"].errors["site_uscc"][0]


def test_only_production_units_may_notify(world, installer):
    assert logged_in(world["users"]["enterprise"]).get(reverse("units:notification_create")).status_code == 404
    assert logged_in(world["users"]["city"]).get(reverse("units:notification_create")).status_code == 404
    with pytest.raises(ValidationError, match="只有生产单位"):
        services.submit_notification(
            by=world["users"]["enterprise"], notifier=world["unit"], kind="repair", site_uscc=world["other_unit"].uscc,
            equipment_type=EquipmentType.objects.get(code="3110"), site_address="x",
            planned_start=timezone.localdate())
    listing = logged_in(installer["user"]).get(reverse("units:notification_list"))
    assert listing.context["create_url_name"] == "units:notification_create"
    assert "create_url_name" not in logged_in(world["users"]["enterprise"]).get(
        reverse("units:notification_list")).context


def test_city_acknowledges_county_reads_notifier_follows(world, installer):
    notification = notify(world, installer)
    users = world["users"]
    ack_url = reverse("units:notification_acknowledge", args=[notification.pk])

    def listed(user):
        return [n.pk for n in logged_in(user).get(reverse("units:notification_list")).context["table"].data]

    # 七里河区 is where the work is: its county lists it; 城关区 (the installer's own county) does not.
    assert listed(users["city"]) == listed(users["other_county"]) == listed(installer["user"]) == [notification.pk]
    assert listed(users["county"]) == listed(users["other_city"]) == listed(users["other_enterprise"]) == []

    county_page = logged_in(users["other_county"]).get(reverse("units:notification_list")).content.decode()
    assert ack_url not in county_page
    assert logged_in(users["other_county"]).get(notification.get_absolute_url()).status_code == 200
    assert logged_in(users["other_county"]).post(ack_url).status_code == 404
    assert logged_in(installer["user"]).post(ack_url).status_code == 404
    assert logged_in(users["county"]).get(notification.get_absolute_url()).status_code == 404

    city = logged_in(users["city"])
    assert ack_url in city.get(reverse("units:notification_list")).content.decode()
    assert city.get(notification.get_absolute_url()).context["can_acknowledge"]
    assert city.post(ack_url).status_code == 302
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.ACKNOWLEDGED
    assert notification.acknowledged_by == users["city"] and notification.acknowledged_at
    assert AuditEvent.objects.filter(object_type="units.WorkNotification", object_id=str(notification.pk),
                                     detail__action="acknowledge_notification").exists()
    assert logged_in(installer["user"]).get(notification.get_absolute_url()).context["object"].status == "acknowledged"


def test_acknowledgement_needs_the_city_and_happens_once(world, installer):
    notification = notify(world, installer)
    for role in ("other_county", "province", "other_city", "station"):
        with pytest.raises(Http404):
            services.acknowledge_notification(by=world["users"][role], notification=notification)
    services.acknowledge_notification(by=world["users"]["city"], notification=notification)
    with pytest.raises(ValidationError, match="已确认"):
        services.acknowledge_notification(by=world["users"]["city"], notification=notification)


def test_unacknowledged_notices_come_first(world, installer):
    first, second = notify(world, installer), notify(world, installer)
    services.acknowledge_notification(by=world["users"]["city"], notification=second)
    third = notify(world, installer)
    rows = logged_in(world["users"]["city"]).get(reverse("units:notification_list")).context["table"].data
    assert [n.pk for n in rows] == [third.pk, first.pk, second.pk]


def test_opening_the_acknowledge_page_changes_nothing(world, installer):
    notification = notify(world, installer)
    assert logged_in(world["users"]["city"]).get(
        reverse("units:notification_acknowledge", args=[notification.pk])).status_code == 200
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SUBMITTED


def test_list_query_count_does_not_grow_with_rows(world, installer):
    city = logged_in(world["users"]["city"])

    def count():
        city.get(reverse("units:notification_list"))
        with CaptureQueriesContext(connection) as ctx:
            assert city.get(reverse("units:notification_list")).status_code == 200
        return len(ctx.captured_queries)

    notify(world, installer)
    few = count()
    for _ in range(6):
        notify(world, installer)
    assert count() == few
