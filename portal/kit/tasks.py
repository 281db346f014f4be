from celery import shared_task

from portal.kit import outbox


@shared_task(name="portal.kit.tasks.relay_outbox", ignore_result=True)
def relay_outbox() -> int:
    return outbox.relay()
