"""A unit moved to another jurisdiction takes its people along (units.signals.unit_moved)."""

from datetime import date

from django.test import Client
from django.urls import reverse

from jurisdictions import access
from personnel import services
from personnel.models import Appointment
from portal.kit.samples import make_id_number
from tests.factories import node
from units import services as unit_services
from units.models import Equipment, EquipmentType, Unit


def people_seen_by(user) -> set[str]:
    client = Client()
    client.force_login(user)
    return {p.name for p in client.get(reverse("personnel:person_list")).context["table"].data.data}


def test_people_and_equipment_move_with_their_unit_so_the_new_county_sees_them(world):
    """Regulators scope by the unit's ancestor columns copied onto each row; a move must carry them."""
    unit = world["unit"]
    Unit.objects.filter(pk=unit.pk).update(kinds=["usage"])
    services.appoint_new_person(by=world["users"]["enterprise"], unit=unit, name="随迁人员",
                                id_number=make_id_number("620102", date(1970, 3, 3), 21), phone="13600136000",
                                post="principal", started_on=date(2025, 1, 1))
    elevator = unit_services.add_equipment(by=access.COMMAND_LINE,
                                           unit=unit, equipment_type=EquipmentType.objects.get(code="3110"))
    assert "随迁人员" in people_seen_by(world["users"]["county"])

    unit_services.update_unit(by=world["users"]["city"], unit=unit, jurisdiction=node("620103001"))

    assert "随迁人员" in people_seen_by(world["users"]["other_county"])
    assert "随迁人员" not in people_seen_by(world["users"]["county"])
    assert Appointment.objects.get(unit=unit).county_id == node("620103").pk
    assert Equipment.objects.get(pk=elevator.pk).county_id == node("620103").pk
