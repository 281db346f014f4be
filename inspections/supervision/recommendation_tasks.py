from celery import shared_task

from inspections.supervision import recommendation_services


@shared_task(name="inspections.supervision.recommendation_tasks.escalate_overdue", ignore_result=True)
def escalate_overdue() -> int:
    """Every ten minutes: mark the 三书一函 whose reply is overdue and tell the leaders, once each (idempotent;
    concurrent runs share the rows through SKIP LOCKED; the inbox's minutely task delivers the reminders)."""
    return recommendation_services.escalate_overdue()
