"""The transactional outbox (docs/security.md §Reliability, docs/architecture.md §Background work): a task that must not
be lost is a row written with the business data, relayed to Celery later, delivered once.

The last test runs a real Celery worker (in a thread) against the real Redis broker.
"""

import time
import uuid
from contextlib import contextmanager

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.db import connection, transaction

from portal import celery_app
from portal.kit import outbox
from portal.kit.models import OutboxMessage
from tests.kit.test_resilience import HungServer, broker_at, free_port

pytestmark = pytest.mark.xdist_group("celery")

TEST_BROKER = "redis://127.0.0.1:6379/13"
MARKER_TABLE = "test_outbox_marker"
TASK = "tests.kit.test_outbox.record_delivery"


@celery_app.task(name=TASK, ignore_result=True)
def record_delivery(key: str) -> None:
    """An idempotent consumer: one marker row per key (the side effect's unique key); ``deliveries``
    counts how often the task really ran, so a duplicate delivery would show."""
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {MARKER_TABLE} (key, deliveries) VALUES (%s, 1) "  # noqa: S608 (constant)
                f"ON CONFLICT (key) DO UPDATE SET deliveries = {MARKER_TABLE}.deliveries + 1",
                [key],
            )
    finally:
        connection.close()  # the worker thread's own connection; do not leave it open after the test


class Boom(Exception):
    pass


# --- enqueue ----------------------------------------------------------------------------------------

def test_enqueue_in_a_rolled_back_transaction_leaves_no_row(db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with pytest.raises(Boom), transaction.atomic():
        assert outbox.enqueue(TASK, "rolled-back") is not None
        assert OutboxMessage.objects.filter(args=["rolled-back"]).exists()
        raise Boom
    assert not OutboxMessage.objects.filter(args=["rolled-back"]).exists()


def test_enqueue_in_a_committed_transaction_leaves_a_pending_row(db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with transaction.atomic():
        message = outbox.enqueue(TASK, "committed", dedup_key="k-committed", flavour="plain")
    row = OutboxMessage.objects.get(pk=message.pk)
    assert (row.task, row.args, row.kwargs) == (TASK, ["committed"], {"flavour": "plain"})
    assert row.sent_at is None and row.attempts == 0 and row.last_error == ""


def test_dedup_key_makes_a_second_enqueue_a_no_op(db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with transaction.atomic():
        first = outbox.enqueue(TASK, "once", dedup_key="reminder:42:2026-03")
        second = outbox.enqueue(TASK, "once", dedup_key="reminder:42:2026-03")
        # The duplicate did not poison the surrounding transaction: it can still write.
        assert OutboxMessage.objects.filter(dedup_key="reminder:42:2026-03").count() == 1
    assert first is not None and second is None
    assert OutboxMessage.objects.filter(dedup_key="reminder:42:2026-03").count() == 1
    # Without a key, two enqueues are two messages.
    outbox.enqueue(TASK, "twice")
    outbox.enqueue(TASK, "twice")
    assert OutboxMessage.objects.filter(args=["twice"]).count() == 2


# --- relay with a dead broker ---------------------------------------------------------------------

def test_relay_with_a_dead_broker_keeps_rows_pending(db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    first = outbox.enqueue(TASK, "dead-1")
    second = outbox.enqueue(TASK, "dead-2")
    with broker_at(f"redis://127.0.0.1:{free_port()}/0"):
        started = time.monotonic()
        assert outbox.relay() == 0
        assert outbox.relay() == 0
        elapsed = time.monotonic() - started
    # Connection refused answers at once (measured 0.1 s for both relays).
    assert elapsed < 10, f"two relays against a dead broker took {elapsed:.1f}s"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.sent_at is None and second.sent_at is None
    assert first.attempts == 2  # each relay stopped at the first (oldest) message
    assert first.last_error
    assert second.attempts == 0  # untouched, still pending for the next run


# The relay against a hung broker pays one broker socket timeout (2 s in settings; measured 2.0 s): the
# bound is five times that, so it fails on a relay stuck on the broker, not on a busy machine.
HUNG_RELAY_BUDGET = 5 * 2.0 + 2


def test_relay_with_a_hung_broker_gives_up_within_the_broker_timeout(db, settings):
    """A broker that accepts connections and never answers costs one ~2 s timeout, not a stuck relay."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    message = outbox.enqueue(TASK, "hung")
    server = HungServer()
    try:
        with broker_at(f"redis://127.0.0.1:{server.port}/0"):
            started = time.monotonic()
            assert outbox.relay() == 0
            elapsed = time.monotonic() - started
        assert server.accepted, "the relay never reached the hung broker: the test would prove nothing"
    finally:
        server.close()
    assert elapsed < HUNG_RELAY_BUDGET, f"relay against a hung broker took {elapsed:.1f}s"
    message.refresh_from_db()
    # It gave up on the one message it tried and left it pending for the next run.
    assert message.sent_at is None and message.attempts == 1 and message.last_error


# --- a real worker ------------------------------------------------------------------------------------

@pytest.fixture
def marker_table(transactional_db):
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (key text PRIMARY KEY, deliveries int NOT NULL)")
        cursor.execute(f"TRUNCATE {MARKER_TABLE}")
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {MARKER_TABLE}")


@contextmanager
def isolated_broker():
    """The real Redis, in its own database and under a key prefix unique to this run, so workers
    of concurrent test runs never take each other's messages."""
    conf = celery_app.conf
    saved = (conf.broker_transport_options, conf.worker_hijack_root_logger)
    prefix = f"portal-test-{uuid.uuid4().hex[:12]}:"
    conf.broker_transport_options = {**saved[0], "global_keyprefix": prefix}
    conf.worker_hijack_root_logger = False
    try:
        with broker_at(TEST_BROKER):
            yield
    finally:
        conf.broker_transport_options, conf.worker_hijack_root_logger = saved
        client = redis.Redis.from_url(TEST_BROKER)
        for key in client.scan_iter(match=f"{prefix}*"):
            client.delete(key)
        client.close()


def deliveries(key: str) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT deliveries FROM {MARKER_TABLE} WHERE key = %s", [key])  # noqa: S608 (constant)
        row = cursor.fetchone()
    return row[0] if row else None


def wait_for_delivery(key: str, timeout: float = 10.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        count = deliveries(key)
        if count:
            return count
        time.sleep(0.05)
    raise AssertionError(f"message {key} was not delivered within {timeout}s")


def test_committed_message_is_delivered_exactly_once_by_a_real_worker(marker_table, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    key = uuid.uuid4().hex
    with isolated_broker(), start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        with transaction.atomic():
            message = outbox.enqueue(TASK, key, dedup_key=f"delivery:{key}")
            # Nothing reaches the broker before the commit.
        rolled_back_key = uuid.uuid4().hex
        with pytest.raises(Boom), transaction.atomic():
            outbox.enqueue(TASK, rolled_back_key)
            raise Boom

        assert outbox.relay() == 1
        assert outbox.relay() == 0  # the second relay finds nothing pending: no second send
        assert wait_for_delivery(key) == 1

        message.refresh_from_db()
        assert message.sent_at is not None and message.attempts == 1 and message.last_error == ""

        # Enqueueing the same side effect again is refused, and a third relay sends nothing.
        assert outbox.enqueue(TASK, key, dedup_key=f"delivery:{key}") is None
        assert outbox.relay() == 0
        time.sleep(0.5)  # give a duplicate, were there one, time to arrive
        assert deliveries(key) == 1
        assert deliveries(rolled_back_key) is None


def test_a_fresh_web_process_finds_every_app_task_for_inline_runs():
    """Without REDIS_URL the web process runs outbox tasks inline; unlike a worker it has not imported
    the apps' tasks modules, and the first lookup must still find them (it failed with NotRegistered)."""
    import subprocess
    import sys
    from pathlib import Path

    code = ("import django; django.setup(); from celery import current_app; from portal.kit import outbox; "
            "names = ['personnel.tasks.build_national_export', 'units.tasks.run_import']; "
            "assert not any(n in current_app.tasks for n in names), 'already imported: the test proves nothing'; "
            "print([outbox.task_named(n).name for n in names])")
    result = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[2], capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert "build_national_export" in result.stdout and "run_import" in result.stdout
