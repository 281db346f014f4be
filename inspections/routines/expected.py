"""What is expected of a unit, day by day (docs/domain.md §Compliance): the one definition the filing
services, the enterprise's calendar and the nightly roll-up (which restates it in SQL) share.

A unit owes a daily check on a day when all of these hold (Order 74 Art. 142; seed 002 附件 6):
- the unit is under supervision (confirmed; not 待确认 or 已驳回) and was on the books that day (from the
  day it was confirmed, or created when it never went through confirmation);
- no unit-wide exemption covers the day (停产停业, or a 临时停用 of the whole unit);
- at least one piece of its equipment is in service that day: registered or in use, on the books by then,
  and neither 停用 nor temporarily stopped on that day.
A weekly report is owed for a week (Art. 143) and the minutes for a month (Art. 144) when at least one of
their days owes a daily check. Filing is judged by the server's clock: a record filed after its period's
deadline is 补录 (``late``), counted apart from on-time filing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from inspections.routines.models import DailyCheck, Exemption
from units.choices import EquipmentStatus, UnitStatus
from units.models import Equipment, Unit

# Equipment that can be in service: what is registered (or still awaiting its registration) and not gone.
LIVE_EQUIPMENT = (EquipmentStatus.UNREGISTERED, EquipmentStatus.IN_USE, EquipmentStatus.SUSPENDED)


class Day(enum.StrEnum):
    """A day of a unit's calendar."""

    NOT_DUE = "not_due"      # before the unit was on the books, or nothing of it in service
    EXEMPT = "exempt"        # an exemption covers it
    ON_TIME = "on_time"
    LATE = "late"            # 补录
    MISSING = "missing"
    TODAY = "today"          # due today, not filed yet
    FUTURE = "future"


@dataclass
class Ledger:
    """One unit's days over a range: ``states`` per day, and the exemptions that explain the exempt ones."""

    unit: Unit
    start: date
    end: date
    states: dict[date, Day]
    reasons: dict[date, Exemption]

    def count(self, *states: Day) -> int:
        return sum(1 for s in self.states.values() if s in states)

    @property
    def due(self) -> int:
        return self.count(Day.ON_TIME, Day.LATE, Day.MISSING)

    def owes_any(self) -> bool:
        return any(s in (Day.ON_TIME, Day.LATE, Day.MISSING, Day.TODAY) for s in self.states.values())


def days(start: date, end: date):
    for n in range((end - start).days + 1):
        yield start + timedelta(days=n)


def on_books_from(unit: Unit) -> date:
    moment = unit.reviewed_at or unit.created_at
    return timezone.localdate(moment)


def supervised(unit: Unit) -> bool:
    return unit.status not in (UnitStatus.PENDING, UnitStatus.REJECTED)


def exemptions(unit: Unit, start: date, end: date) -> list[Exemption]:
    return list(Exemption.objects.filter(unit=unit, starts_on__lte=end)
                .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=start))
                .select_related("equipment__equipment_type").order_by("starts_on", "id"))


def live_equipment(unit: Unit) -> list[Equipment]:
    return list(Equipment.objects.filter(unit=unit, status__in=LIVE_EQUIPMENT)
                .select_related("equipment_type").order_by("id"))


def in_service(equipment: list[Equipment], found: list[Exemption], day: date) -> list[Equipment]:
    """The unit's equipment in service on ``day``, given its live equipment and exemptions."""
    if any(e.equipment_id is None and e.covers(day) for e in found):
        return []
    stopped = {e.equipment_id for e in found if e.equipment_id is not None and e.covers(day)}
    return [q for q in equipment if timezone.localdate(q.created_at) <= day and q.pk not in stopped]


def equipment_in_service(unit: Unit, day: date) -> list[Equipment]:
    return in_service(live_equipment(unit), exemptions(unit, day, day), day)


def _reason(found: list[Exemption], equipment: list[Equipment], day: date) -> Exemption | None:
    unit_wide = [e for e in found if e.equipment_id is None and e.covers(day)]
    if unit_wide:
        return unit_wide[0]
    covering = [e for e in found if e.equipment_id is not None and e.covers(day)]
    return covering[0] if covering and equipment else None


def ledger(unit: Unit, start: date, end: date, today: date | None = None) -> Ledger:
    """Each day of ``start``–``end`` for ``unit``, as its calendar shows it (three queries)."""
    today = today or timezone.localdate()
    found, equipment = exemptions(unit, start, end), live_equipment(unit)
    filed: dict[date, bool] = {}
    for day, late in DailyCheck.objects.filter(unit=unit, day__range=(start, end)).values_list("day", "late"):
        filed[day] = filed.get(day, True) and late
    first = on_books_from(unit)
    states, reasons = {}, {}
    for day in days(start, end):
        if day > today:
            states[day] = Day.FUTURE
            continue
        if not supervised(unit) or day < first:
            states[day] = Day.NOT_DUE
            continue
        if not in_service(equipment, found, day):
            reason = _reason(found, equipment, day)
            states[day] = Day.EXEMPT if reason else Day.NOT_DUE
            if reason:
                reasons[day] = reason
            continue
        if day in filed:
            states[day] = Day.LATE if filed[day] else Day.ON_TIME
        else:
            states[day] = Day.TODAY if day == today else Day.MISSING
    return Ledger(unit, start, end, states, reasons)


# --- Periods and their deadlines ------------------------------------------------------------------

def week_of(day: date) -> tuple[date, date]:
    start = day - timedelta(days=day.weekday())
    return start, start + timedelta(days=6)


def month_of(day: date) -> tuple[date, date]:
    start = day.replace(day=1)
    following = (start + timedelta(days=32)).replace(day=1)
    return start, following - timedelta(days=1)


def weekly_deadline(week_start: date) -> date:
    """The last day a week's report is on time: the week's end plus ``ROUTINES_WEEKLY_GRACE_DAYS``."""
    return week_start + timedelta(days=6 + settings.ROUTINES_WEEKLY_GRACE_DAYS)


def monthly_deadline(month: date) -> date:
    """The last day a month's minutes are on time: the month's end plus ``ROUTINES_MONTHLY_GRACE_DAYS``."""
    return month_of(month)[1] + timedelta(days=settings.ROUTINES_MONTHLY_GRACE_DAYS)
