"""Writing and reading the security-event log (docs/security.md §Audit)."""

from django.db import models

from jurisdictions.access import System
from jurisdictions.models import AuditEvent
from portal.kit import context
from portal.kit.masking import mask_text


def _snapshot_jurisdiction(user):
    node = getattr(user, "jurisdiction", None) if user is not None else None
    if node is None:
        return None, {}
    return node, node.ancestor_ids()


def record(kind, *, user=None, success=True, obj: models.Model | None = None, detail=None, username=None):
    ctx = context.current()
    actor = user if user is not None and getattr(user, "is_authenticated", False) else None
    if isinstance(user, System):
        detail = {**(detail or {}), "system": user.name}
    node, ancestors = _snapshot_jurisdiction(actor)
    event = AuditEvent(
        kind=kind,
        success=success,
        user=actor,
        username=(actor.username if actor else (username or ""))[:150],
        role=getattr(actor, "role", "") if actor else "",
        jurisdiction_name=node.name if node else "",
        client_ip=ctx.client_ip if ctx else None,
        request_id=ctx.request_id if ctx else "",
        detail=detail or {},
    )
    if node is not None:
        event.place(node, ancestors)
    if obj is not None:
        event.object_type = obj._meta.label
        event.object_id = str(obj.pk)
        event.object_repr = mask_text(str(obj))[:200]
    event.save(force_insert=True)
    return event
