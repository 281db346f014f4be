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
