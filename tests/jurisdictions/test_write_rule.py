"""The one write rule (``duties.Write``), the named audiences and the system actor of ``jurisdictions.access``."""

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from jurisdictions import access
from jurisdictions.duties import Duty, Write
from jurisdictions.models import AuditEvent, Delegation
from jurisdictions.services import delegate, revoke_delegation
from tests import factories
from tests.factories import logged_in
from units import services as unit_services
from units.models import Equipment, EquipmentType, Unit


@pytest.mark.parametrize(("write", "enterprise_duty"), [
    (Write.UNIT, Duty.EDIT_UNIT), (Write.RECORDS, Duty.KEEP_RECORDS), (Write.UNIT_ACCOUNTS, Duty.MANAGE_UNIT_ACCOUNTS),
])
def test_a_write_is_the_enterprises_own_duty_for_an_enterprise_and_manage_units_for_a_regulator(
        world, write, enterprise_duty):
    enterprise, station = world["users"]["enterprise"], world["users"]["station"]

    assert access.resolve(enterprise, write) == enterprise_duty
    assert access.resolve(station, write) == Duty.MANAGE_UNITS
    assert access.can(enterprise, write, world["unit"]) and not access.can(enterprise, write, world["other_unit"])
    assert access.can(station, write, world["unit"]) and not access.can(station, write, world["other_unit"])


def test_a_write_scopes_a_list_like_the_duty_it_resolves_to(world):
    enterprise, city = world["users"]["enterprise"], world["users"]["city"]
    units = Unit.objects.all()

    assert set(access.scope(units, enterprise, Write.RECORDS)) == {world["unit"]}
    assert set(access.scope(units, city, Write.RECORDS)) == set(access.scope(units, city, Duty.MANAGE_UNITS))


def test_audiences_tell_regulators_from_enterprises(world):
    enterprise, county = world["users"]["enterprise"], world["users"]["county"]

    assert access.in_audience(enterprise, access.ENTERPRISES) and not access.in_audience(enterprise, access.REGULATORS)
    assert access.in_audience(county, access.REGULATORS) and not access.in_audience(county, access.ENTERPRISES)
    assert access.in_audience(county, None) and access.in_audience(enterprise, None)


def test_a_regulators_page_is_a_404_to_an_enterprise_holding_its_duty(world):
    enterprise = world["users"]["enterprise"]
    assert access.can(enterprise, Duty.VIEW)

    assert logged_in(enterprise).get(reverse("personnel:staffing")).status_code == 404
    assert logged_in(world["users"]["county"]).get(reverse("personnel:staffing")).status_code == 200


def test_the_system_acts_anywhere_and_the_audit_names_it(world):
    elevator = EquipmentType.objects.get(code="3110")

    equipment = unit_services.add_equipment(by=access.COMMAND_LINE, unit=world["other_unit"], equipment_type=elevator)

    event = AuditEvent.objects.filter(object_type=Equipment._meta.label, object_id=str(equipment.pk)).get()
    assert event.user is None and event.detail["system"] == "command_line"


def test_a_service_given_a_user_still_checks_the_users_scope(world):
    """No ``by=None`` door: a user of another unit is refused like any out-of-scope write."""
    elevator = EquipmentType.objects.get(code="3110")
    with pytest.raises(Http404):
        unit_services.add_equipment(by=world["users"]["other_enterprise"], unit=world["unit"], equipment_type=elevator)
    assert not Equipment.objects.filter(unit=world["unit"]).exists()


def test_the_schedule_revokes_an_expired_delegation_without_an_account(world):
    today = timezone.localdate()
    delegation = delegate(by=world["users"]["city"], grantee=factories.node("620102"), starts_on=today,
                          ends_on=today, note="")

    revoke_delegation(by=access.SCHEDULE, delegation=delegation, reason="期满")

    delegation = Delegation.objects.get(pk=delegation.pk)
    assert delegation.revoked_at is not None and delegation.revoked_by is None
    event = AuditEvent.objects.filter(kind=AuditEvent.Kind.DELEGATION_REVOKED).latest("at")
    assert event.detail["system"] == "schedule"
