from celery import shared_task

from personnel import exports, rollup, services


@shared_task(name="personnel.tasks.certificate_reminders", ignore_result=True)
def certificate_reminders() -> int:
    """The hourly beat task (docs/architecture.md §Background work); idempotent, since a reminder is one row per
    threshold."""
    return services.certificate_reminders()


@shared_task(name="personnel.tasks.build_national_export", ignore_result=True)
def build_national_export(job_pk: int) -> None:
    """Build one national-platform workbook (personnel.exports); enqueued through the outbox."""
    exports.build(job_pk)


@shared_task(name="personnel.tasks.purge_exports", ignore_result=True)
def purge_exports() -> int:
    return exports.purge()


@shared_task(name="personnel.tasks.refresh_staffing_rollup", ignore_result=True)
def refresh_staffing_rollup() -> int:
    """The staffed-rate roll-up, every ``STAFFING_ROLLUP_MINUTES`` (docs/architecture.md §Background work);
    idempotent, and concurrent runs queue on an advisory lock."""
    return rollup.refresh()
