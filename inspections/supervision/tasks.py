from celery import shared_task

from inspections.supervision import directive_services, grading, plan_documents, recommendation_services


@shared_task(name="inspections.supervision.tasks.regrade_units", ignore_result=True)
def regrade_units() -> int:
    """The nightly regrade at 02:30, after the compliance roll-up it reads (docs/architecture.md §Background work);
    idempotent, and concurrent runs queue on an advisory lock. Returns how many units it graded."""
    return grading.regrade().graded


@shared_task(name="inspections.supervision.tasks.escalate_overdue_recommendations", ignore_result=True)
def escalate_overdue_recommendations() -> int:
    """Every ten minutes: mark the 三书一函 whose reply is overdue and tell the leaders, once each (idempotent;
    concurrent runs share the rows through SKIP LOCKED; the inbox's minutely task delivers the reminders)."""
    return recommendation_services.escalate_overdue()


@shared_task(name="inspections.supervision.tasks.mark_overdue_directives", ignore_result=True)
def mark_overdue_directives() -> int:
    """Every ten minutes: 安全监察指令书 past their deadline without a rectification report turn overdue and become
    penalty referrals, once each (idempotent; concurrent runs share the rows through SKIP LOCKED)."""
    return directive_services.mark_overdue()


@shared_task(name=plan_documents.STORE_TASK, ignore_result=True, autoretry_for=(Exception,), retry_backoff=True,
             max_retries=5)
def store_plan_document(plan_pk: int) -> bool:
    """After publication: the plan's PDF, rendered once and kept (idempotent; a rerun finds it stored)."""
    return plan_documents.store(plan_pk)
