from celery import shared_task

from units import importing


@shared_task(name="units.tasks.run_import", ignore_result=True)
def run_import(job_pk: int) -> None:
    """Save a large validated Excel import (units.importing); enqueued through the outbox."""
    importing.run_import(job_pk)
