from celery import shared_task

from personnel import services


@shared_task(name="personnel.tasks.certificate_reminders", ignore_result=True)
def certificate_reminders() -> int:
    """The hourly beat task (DESIGN §3.5); idempotent, since a reminder is one row per threshold."""
    return services.certificate_reminders()
