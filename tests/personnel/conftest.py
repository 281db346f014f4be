"""Shared by the tests that run a real Celery worker (reminders, the national export)."""

import time

import pytest
from celery import signals
from django.db import connections


@pytest.fixture
def worker_closes_its_connections():
    """The worker thread opens its own database connection; close it after each task so the test
    database can be flushed and dropped."""
    def close(**_kwargs):
        connections.close_all()

    signals.task_postrun.connect(close, weak=False)
    yield
    signals.task_postrun.disconnect(close)


def wait_for(condition, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"not reached within {timeout}s")
