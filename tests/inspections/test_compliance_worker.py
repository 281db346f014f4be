"""The nightly roll-up on a real Celery worker against the real Redis (issue 11, Must show): sent as beat sends it,
twice, it writes the same figures; two concurrent runs (two beat processes) queue on the advisory lock and leave
the same figures; after a late filing the next run corrects them. And the beat schedule names both tasks."""

import threading
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from celery.schedules import crontab
from django.conf import settings as django_settings
from django.db import connections
from django.utils import timezone

from inspections.routines import compliance
from inspections.routines.models import ComplianceRefresh, UnitMonthCompliance
from portal import celery_app
from tests.inspections.test_compliance import BEFORE, LAST, _snapshot, varied  # noqa: F401  (a fixture)
from tests.kit.test_outbox import isolated_broker
from tests.personnel.conftest import wait_for, worker_closes_its_connections  # noqa: F401  (a fixture)

TASK = "inspections.routines.tasks.refresh_compliance"


@pytest.mark.redis
@pytest.mark.xdist_group("celery")
@pytest.mark.django_db(transaction=True)
def test_the_nightly_task_is_idempotent_on_a_real_worker_and_a_rerun_corrects_a_late_filing(
        varied, settings, worker_closes_its_connections):  # noqa: F811
    settings.CELERY_TASK_ALWAYS_EAGER = False
    stopped = varied["units"]["stopped"]
    with isolated_broker(), start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        celery_app.send_task(TASK)
        wait_for(lambda: ComplianceRefresh.objects.count() == 1, timeout=30)
        first = _snapshot()
        assert UnitMonthCompliance.objects.get(unit=stopped, month=LAST).days_due == 0
        celery_app.send_task(TASK)
        wait_for(lambda: ComplianceRefresh.objects.count() == 2, timeout=30)
        assert _snapshot() == first

        # A check two months back, filed late now: the next night's run finds it by filed_at and recounts.
        compliance.refresh([BEFORE])
        missed = UnitMonthCompliance.objects.get(unit=stopped, month=BEFORE)
        varied["book"].check(stopped, BEFORE + timedelta(days=2), late=True, filed_at=timezone.now())
        celery_app.send_task(TASK)
        wait_for(lambda: ComplianceRefresh.objects.count() == 4, timeout=30)
    corrected = UnitMonthCompliance.objects.get(unit=stopped, month=BEFORE)
    assert (corrected.days_missing, corrected.days_late) == (missed.days_missing - 1, missed.days_late + 1)
    assert BEFORE in ComplianceRefresh.objects.order_by("-started_at").first().months


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_queue_on_the_lock_and_agree(varied):  # noqa: F811
    """Two beat processes firing together: the second waits for the first's commit, then writes the same rows."""
    start, errors = threading.Barrier(2), []

    def run():
        try:
            start.wait()
            compliance.refresh([LAST])
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    runs = list(ComplianceRefresh.objects.order_by("started_at"))
    assert len(runs) == 2 and runs[1].started_at >= runs[0].finished_at
    once = _snapshot()
    compliance.refresh([LAST])
    assert _snapshot() == once


def test_the_beat_schedule_runs_the_roll_up_nightly_and_the_partitions_daily():
    entries = {e["task"]: e for e in django_settings.CELERY_BEAT_SCHEDULE.values()}
    nightly = entries[TASK]["schedule"]
    assert isinstance(nightly, crontab) and nightly.hour == {1} and nightly.minute == {30}
    assert "inspections.routines.tasks.ensure_partitions" in entries
    celery_app.loader.import_default_modules()
    assert {TASK, "inspections.routines.tasks.ensure_partitions"} <= set(celery_app.tasks)
