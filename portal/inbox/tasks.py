from celery import shared_task

from portal.inbox import services


@shared_task(name="portal.inbox.tasks.deliver_reminders", ignore_result=True)
def deliver_reminders() -> int:
    """Every minute (docs/architecture.md §Inbox and reminders): idempotent, and concurrent runs share the due
    reminders through SKIP LOCKED instead of both delivering them."""
    return services.deliver_due()
