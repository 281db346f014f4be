from celery import shared_task

from inspections.routines import reminders


@shared_task(name="inspections.routines.tasks.schedule_reminders", ignore_result=True)
def schedule_reminders() -> int:
    """Every ten minutes: schedule the self-check reminders now due (idempotent on each occasion's key; the
    inbox's minutely task delivers them)."""
    return reminders.schedule_due()
