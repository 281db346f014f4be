"""Benchmark: a 10,000-row unit import, dry run and save (run with ``make bench``; not part of ``make test``).

Moved here from tests/units/test_import.py: it times the import rather than checking what it does, which
the unit tests there cover on small files.
"""

import time

from tests.units.test_import import unit_rows, upload
from units import importing
from units.models import ImportJob


def test_ten_thousand_unit_rows_wall_time(world):
    county = world["users"]["county"]
    data = upload(unit_rows(10_000, seed=5))
    started = time.perf_counter()
    job = importing.start_import(by=county, kind="units", upload=data)
    dry = time.perf_counter() - started
    assert job.status == ImportJob.Status.VALIDATED, job.errors[:3]
    importing.confirm_import(by=county, job=job)
    importing.run_import(job.pk)
    total = time.perf_counter() - started
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.done == 10_000
    print(f"\n10k-row unit import: dry run {dry:.2f} s, dry run + save {total:.2f} s")
