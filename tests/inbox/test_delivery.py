"""Reminder delivery under concurrency (docs/architecture.md §Inbox and reminders): two runs at once, on two
database connections, deliver each reminder once; and the beat task on a real Celery worker against the real
Redis, run three times, delivers once."""

import threading
import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connections
from django.utils import timezone

from jurisdictions.models import User
from portal import celery_app
from portal.inbox import services
from portal.inbox.models import Notification, Reminder
from tests.kit.test_outbox import isolated_broker
from tests.personnel.conftest import wait_for, worker_closes_its_connections  # noqa: F401  (a fixture)

TASK = "portal.inbox.tasks.deliver_reminders"


def make_reminders(n: int) -> list[User]:
    users = [User.objects.create_user(f"concurrent{i}", email=f"u{i}@example.com" if i % 2 else "", password=None)
             for i in range(4)]
    now = timezone.now() - timedelta(seconds=1)
    for i in range(n):
        services.schedule(users[i % 4], "test", f"race:{i}", now, f"提醒{i}", "正文", "/")
    return users


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_deliver_each_reminder_once(outbox, monkeypatch):
    make_reminders(40)
    # Hold each batch's row locks a little, so the two runs overlap for certain.
    original = Notification.objects.bulk_create

    def slow(*args, **kwargs):
        time.sleep(0.05)
        return original(*args, **kwargs)

    monkeypatch.setattr(Notification.objects, "bulk_create", slow)
    start = threading.Barrier(2)
    delivered, errors = [], []

    def run():
        try:
            start.wait()
            delivered.append(services.deliver_due(batch=4))
        except Exception as exc:  # surfaced below: an exception in a thread would pass silently
            errors.append(exc)
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []
    assert sum(delivered) == 40
    assert Notification.objects.count() == 40
    assert not Reminder.objects.filter(delivered_at__isnull=True).exists()
    assert len(outbox) == 20  # the two accounts with an address, ten reminders each, one mail each
    assert len({(m.to[0], m.subject) for m in outbox}) == 20


@pytest.mark.redis
@pytest.mark.xdist_group("celery")
@pytest.mark.django_db(transaction=True)
def test_the_beat_task_delivers_once_on_a_real_worker(outbox, settings, worker_closes_its_connections):  # noqa: F811
    settings.CELERY_TASK_ALWAYS_EAGER = False
    make_reminders(4)
    with isolated_broker(), start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        celery_app.send_task(TASK)  # as beat sends it: through the broker
        wait_for(lambda: not Reminder.objects.filter(delivered_at__isnull=True).exists())
        celery_app.send_task(TASK)
        celery_app.send_task(TASK)
        time.sleep(1.0)  # let the reruns, were they to deliver again, do so
    assert Notification.objects.count() == 4
    assert sorted(m.to[0] for m in outbox) == ["u1@example.com", "u3@example.com"]


def test_the_beat_schedule_runs_the_task_every_minute():
    from django.conf import settings

    (entry,) = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == TASK]
    assert entry["schedule"] == 60.0
    celery_app.loader.import_default_modules()
    assert TASK in celery_app.tasks
