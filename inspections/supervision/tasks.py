from celery import shared_task

from inspections.supervision import grading


@shared_task(name="inspections.supervision.tasks.regrade_units", ignore_result=True)
def regrade_units() -> int:
    """The nightly regrade at 02:30, after the compliance roll-up it reads (docs/architecture.md §Background work);
    idempotent, and concurrent runs queue on an advisory lock. Returns how many units it graded."""
    return grading.regrade().graded
