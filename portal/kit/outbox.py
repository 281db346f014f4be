"""Transactional outbox: ``enqueue`` inside the business transaction, ``relay`` hands rows to Celery."""

import logging

from celery import current_app
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.kit.models import OutboxMessage

logger = logging.getLogger(__name__)


def enqueue(task: str, *args, dedup_key: str | None = None, **kwargs) -> OutboxMessage | None:
    """Record that ``task(*args, **kwargs)`` must run once the surrounding transaction commits.

    Arguments must be primary keys and plain values (docs/architecture.md §Background work). Returns None when
    ``dedup_key`` was already enqueued.
    """
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(task=task, args=list(args), kwargs=kwargs, dedup_key=dedup_key)
    except IntegrityError:
        if dedup_key is None:
            raise
        return None
    if settings.CELERY_TASK_ALWAYS_EAGER:
        transaction.on_commit(relay)
    return message


def task_named(name: str):
    """The registered task ``name``. A worker imports every app's ``tasks`` module when it starts; the
    web process running tasks inline (no ``REDIS_URL``) must do the same before its first lookup."""
    if name not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks[name]


def _dispatch(message: OutboxMessage) -> None:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        task_named(message.task).apply(args=message.args, kwargs=message.kwargs, throw=True)
    else:
        current_app.send_task(message.task, args=message.args, kwargs=message.kwargs)


def relay(batch: int = 100) -> int:
    """Send pending messages; stop at the first broker failure and leave the rest for the next run."""
    sent = 0
    while True:
        with transaction.atomic():
            pending = list(
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(sent_at__isnull=True)
                .order_by("created_at", "id")[:batch]
            )
            if not pending:
                return sent
            for message in pending:
                try:
                    _dispatch(message)
                except Exception as exc:
                    logger.warning("outbox relay stopped at message %s: %s", message.pk, exc.__class__.__name__)
                    OutboxMessage.objects.filter(pk=message.pk).update(
                        attempts=message.attempts + 1, last_error=str(exc)[:2000]
                    )
                    return sent
                OutboxMessage.objects.filter(pk=message.pk).update(
                    sent_at=timezone.now(), attempts=message.attempts + 1
                )
                sent += 1
