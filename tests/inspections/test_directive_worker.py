"""Deadline → overdue → referral on a real Celery worker against the real Redis (issue 12 item 6): sent as beat
sends it, three times, a directive past its deadline without a report turns overdue once, becomes one referral,
and the county leader gets one notification once the inbox's task has run; the beat schedule names the task."""

from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings
from django.utils import timezone

from inspections.supervision.inspection_choices import DirectiveStatus, DirectiveStep
from inspections.supervision.models import Directive, DirectiveStepRecord, Referral
from portal import celery_app
from portal.inbox import services as inbox
from portal.inbox.models import Notification, Reminder
from tests.inspections.supervision_world import TODAY, issued_directive
from tests.kit.test_outbox import isolated_broker
from tests.personnel.conftest import wait_for, worker_closes_its_connections  # noqa: F401  (a fixture)

TASK = "inspections.supervision.tasks.mark_overdue_directives"
DELIVER = "portal.inbox.tasks.deliver_reminders"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.redis
@pytest.mark.xdist_group("celery")
@pytest.mark.django_db(transaction=True)
def test_an_overdue_directive_is_referred_once_on_a_real_worker(inspectors, settings,
                                                                 worker_closes_its_connections):  # noqa: F811
    settings.CELERY_TASK_ALWAYS_EAGER = False
    county = inspectors["users"]["county"]
    directive = issued_directive(inspectors)
    Directive.objects.filter(pk=directive.pk).update(deadline=TODAY - timedelta(days=1))

    with isolated_broker(), start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        for _ in range(3):
            celery_app.send_task(TASK)
        wait_for(lambda: Referral.objects.filter(directive=directive).exists(), timeout=30)
        celery_app.send_task(DELIVER)
        wait_for(lambda: Notification.objects.filter(kind="directive_overdue").count() == 1, timeout=30)
        # One more run, then a sentinel reminder delivered after it: the solo worker takes messages in order.
        celery_app.send_task(TASK)
        sentinel = inbox.schedule(county, "test", "sentinel", timezone.now(), "sentinel")
        celery_app.send_task(DELIVER)
        wait_for(lambda: Reminder.objects.filter(pk=sentinel.pk, delivered_at__isnull=False).exists(), timeout=30)

    directive.refresh_from_db()
    assert directive.status == DirectiveStatus.OVERDUE
    assert Referral.objects.filter(directive=directive).count() == 1
    assert DirectiveStepRecord.objects.filter(directive=directive, step=DirectiveStep.OVERDUE).count() == 1
    assert list(Notification.objects.filter(kind="directive_overdue").values_list("recipient_id", flat=True)) == [
        county.pk]


def test_the_beat_schedule_runs_the_overdue_task_often():
    entries = {e["task"]: e for e in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert entries[TASK]["schedule"] <= 600
    celery_app.loader.import_default_modules()
    assert TASK in celery_app.tasks
