"""seed_equipment: rows placed exactly like ``Placed.place_with(unit)``, category = top of the type, codes
unique, and a second run continues the serials."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Count

from units import services
from units.models import Equipment

pytestmark = pytest.mark.django_db


def test_seeded_equipment_sits_with_its_unit_and_reruns_stay_unique(tree):
    call_command("seed_scale", units=40, no_accounts=True, stdout=io.StringIO())
    call_command("seed_equipment", count=300, stdout=io.StringIO())
    call_command("seed_equipment", count=200, no_history=True, stdout=io.StringIO())

    rows = list(Equipment.objects.select_related("unit", "equipment_type", "category"))
    assert len(rows) == 500
    for e in rows:
        for column in ("jurisdiction_id", "province_id", "city_id", "county_id", "station_id"):
            assert getattr(e, column) == getattr(e.unit, column), column
        assert e.category == services.category_of(e.equipment_type)
        if e.code:
            assert services.validate_equipment_code(e.code, e.equipment_type) == e.code
    coded = Equipment.objects.exclude(code="")
    assert not coded.values("code").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert len({e.factory_number for e in rows}) == 500
    assert sum(e.status == "in_use" for e in rows) > 350


def test_a_city_top_up_puts_units_in_that_city_and_equipment_only_on_bare_units(tree):
    from units.models import Unit

    call_command("seed_scale", units=30, no_accounts=True, stdout=io.StringIO())
    call_command("seed_equipment", count=200, stdout=io.StringIO())
    equipped = set(Equipment.objects.values_list("unit_id", flat=True))
    before = set(Unit.objects.values_list("pk", flat=True))
    call_command("seed_scale", units=20, no_accounts=True, city="620400", stdout=io.StringIO())
    added = Unit.objects.exclude(pk__in=before)
    assert added.count() == 20
    assert set(added.values_list("city__code", flat=True)) == {"620400"}
    call_command("seed_equipment", count=100, city="620400", bare=True, stdout=io.StringIO())
    topped = set(Equipment.objects.exclude(unit_id__in=equipped).values_list("unit_id", flat=True))
    assert Equipment.objects.filter(unit_id__in=equipped).count() == 200  # nothing more on the equipped units
    assert topped and set(Unit.objects.filter(pk__in=topped).values_list("city__code", flat=True)) == {"620400"}
