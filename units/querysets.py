"""Reusable reads of the units app. Scoping is not done here: callers pass the result through
``jurisdictions.access.scope``."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import models
from django.utils import timezone

from units.choices import EquipmentStatus
from units.models import Equipment

# docs/domain.md §Periodic inspection [C]: the unit applies to the inspection body one month before the validity ends.
INSPECTION_DUE_WINDOW_DAYS = 30


def equipment_in_use() -> models.QuerySet:
    """Equipment that must be periodically inspected: only what is in use (停用 is exempt,
    docs/domain.md §Periodic inspection)."""
    return Equipment.objects.filter(status=EquipmentStatus.IN_USE)


def inspection_due(today: date | None = None, days: int = INSPECTION_DUE_WINDOW_DAYS) -> models.QuerySet:
    """In use and due from today up to and including ``today + days`` (the next_inspection_on indexes)."""
    today = today or timezone.localdate()
    return equipment_in_use().filter(next_inspection_on__gte=today, next_inspection_on__lte=today + timedelta(days))


def inspection_overdue(today: date | None = None) -> models.QuerySet:
    """Past its next periodic inspection date, in use or not yet registered: neither may be used (Safety Law
    Art. 40), and equipment entered but never registered must not drop out of sight (lists mark it 未登记).
    停用 and what left service are exempt (docs/domain.md §Periodic inspection)."""
    return Equipment.objects.filter(status__in=(EquipmentStatus.IN_USE, EquipmentStatus.UNREGISTERED),
                                    next_inspection_on__lt=today or timezone.localdate())
