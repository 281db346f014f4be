"""Top a benchmark database up to a row count with the project's COPY-based generators."""

import io
import time

from django.core.management import call_command


def top_up(model, target: int, command: str, amount_option: str, **options) -> tuple[int, float]:
    """Run ``command`` for the rows ``model`` lacks to reach ``target``; returns (rows added, seconds)."""
    missing = target - model.objects.count()
    if missing <= 0:
        return 0, 0.0
    out = io.StringIO()
    started = time.perf_counter()
    call_command(command, **{amount_option: missing}, **options, stdout=out)
    seconds = time.perf_counter() - started
    print("\n" + out.getvalue().strip())
    return missing, seconds


def top_up_units_and_equipment(seeding: dict, units: int, equipment: int) -> None:
    """Units (``seed_scale``) up to ``units``, then equipment (``seed_equipment --no-history``) up to
    ``equipment``, both vacuumed; what this session added goes into ``seeding`` (``units`` / ``unit_seconds``,
    ``equipment`` / ``equipment_seconds``) for the report."""
    from django.db import connection

    from units.models import Equipment, Unit

    added, seconds = top_up(Unit, units, "seed_scale", "units")
    if added:
        seeding.update(units=added, unit_seconds=seconds)
    added, seconds = top_up(Equipment, equipment, "seed_equipment", "count", no_history=True)
    if added:
        seeding.update(equipment=added, equipment_seconds=seconds)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) units_unit")
        cursor.execute("VACUUM (ANALYZE) units_equipment")


def top_up_city(seeding: dict, code: str, units: int, equipment_per_unit: int) -> None:
    """Units of the city ``code`` up to ``units`` (``seed_scale --city``, placed over its stations only), then
    ``equipment_per_unit`` pieces for each unit added, on the city's units without equipment (``seed_equipment
    --city --bare``), so the new units are in the plan's pool like the others; both vacuumed. What this session
    added goes into ``seeding`` (``city_units`` / ``city_unit_seconds``, ``city_equipment`` /
    ``city_equipment_seconds``)."""
    from django.db import connection

    from units.models import Unit

    missing = units - Unit.objects.filter(city__code=code).count()
    if missing <= 0:
        return
    out = io.StringIO()
    started = time.perf_counter()
    call_command("seed_scale", units=missing, city=code, stdout=out)
    seeding.update(city_units=missing, city_unit_seconds=time.perf_counter() - started)
    started = time.perf_counter()
    call_command("seed_equipment", count=missing * equipment_per_unit, city=code, bare=True, no_history=True,
                 stdout=out)
    seeding.update(city_equipment=missing * equipment_per_unit, city_equipment_seconds=time.perf_counter() - started)
    print("\n" + out.getvalue().strip())
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) units_unit")
        cursor.execute("VACUUM (ANALYZE) units_equipment")
