from datetime import timedelta

import pgtrigger
from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jurisdictions import services
from jurisdictions.models import AuditEvent


@shared_task(name="jurisdictions.tasks.expire_delegations", ignore_result=True)
def expire_delegations() -> int:
    return services.expire_delegations()


@shared_task(name="jurisdictions.tasks.purge_expired_audit", ignore_result=True)
def purge_expired_audit() -> int:
    """The only deletion the append-only log allows: rows older than the retention period."""
    cutoff = timezone.now() - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    with transaction.atomic(), pgtrigger.ignore("jurisdictions.AuditEvent:audit_append_only"):
        deleted, _detail = AuditEvent.objects.filter(at__lt=cutoff).delete()
    return deleted
