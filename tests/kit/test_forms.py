"""The kit's scope narrowing of form choices (docs/security.md §Authorisation; issue 8 item 1)."""

from django import forms

from jurisdictions import access
from jurisdictions.duties import Duty
from portal.kit.forms import narrow_choices
from tests import factories
from units import services as unit_services
from units.models import Equipment, EquipmentType


class Pick(forms.Form):
    equipment = forms.ModelMultipleChoiceField(queryset=Equipment.objects.none(), required=False)


def test_a_sliced_choice_queryset_is_narrowed_to_the_scope_keeping_its_rows_and_order(world):
    elevator = EquipmentType.objects.get(code="3110")
    mine = [unit_services.add_equipment(by=access.COMMAND_LINE,
                                        unit=world["unit"], equipment_type=elevator, factory_number=f"K{i}")
            for i in range(3)]
    theirs = unit_services.add_equipment(by=access.COMMAND_LINE, unit=world["other_unit"], equipment_type=elevator)
    form = Pick(data={"equipment": [mine[2].pk, theirs.pk]})
    form.fields["equipment"].queryset = Equipment.objects.order_by("-id")[:3]  # mine[1], mine[2], theirs

    narrow_choices(form, world["users"]["enterprise"], Duty.KEEP_RECORDS)

    assert [e.pk for e in form.fields["equipment"].queryset] == [mine[2].pk, mine[1].pk]
    assert not form.is_valid() and "equipment" in form.errors  # the other unit's one is not a choice


def test_a_station_sees_only_its_scope_in_a_sliced_queryset(world):
    elevator = EquipmentType.objects.get(code="3110")
    theirs = unit_services.add_equipment(by=access.COMMAND_LINE, unit=world["other_unit"], equipment_type=elevator)
    form = Pick()
    form.fields["equipment"].queryset = Equipment.objects.order_by("id")[:10]
    narrow_choices(form, factories.regulator("620102001", username="kit-station"), Duty.VIEW)
    assert theirs not in form.fields["equipment"].queryset
