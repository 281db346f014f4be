from celery import shared_task

from inspections.routines import archives, compliance, reminders


@shared_task(name="inspections.routines.tasks.schedule_reminders", ignore_result=True)
def schedule_reminders() -> int:
    """Every ten minutes: schedule the self-check reminders now due (idempotent on each occasion's key; the
    inbox's minutely task delivers them)."""
    return reminders.schedule_due()


@shared_task(name="inspections.routines.tasks.refresh_compliance", ignore_result=True)
def refresh_compliance() -> int:
    """The nightly compliance roll-up (docs/architecture.md §Background work); idempotent, and concurrent runs
    queue on an advisory lock. Returns the unit-months written."""
    return compliance.refresh().units


@shared_task(name="inspections.routines.tasks.ensure_partitions", ignore_result=True)
def ensure_partitions() -> list[str]:
    """The daily checks' partitions of this month and the next three, made before any check needs them."""
    return compliance.ensure_partitions()


@shared_task(name="inspections.routines.tasks.build_archive", ignore_result=True)
def build_archive(job_pk: int) -> None:
    """Build one unit's monthly archive PDF (routines.archives); enqueued through the outbox."""
    archives.build(job_pk)


@shared_task(name="inspections.routines.tasks.purge_archives", ignore_result=True)
def purge_archives() -> int:
    return archives.purge()
