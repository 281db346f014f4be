"""The inspection checklists per unit kind, shipped as data (``data/inspection_checklists.json``), and the lines
the unit's own records prefill (docs/domain.md §Inspection record; 002 附件 8: staffing and the 日管控/周排查/月调度
mechanism are checked at every inspection).

``common`` applies to every unit; ``usage``, ``production`` and ``filling`` are added for each kind the unit
has. Where the items come from is stated in the file itself (``_source``) and on each item (``source``).
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from inspections.findings.choices import PENDING
from inspections.findings.models import Finding
from inspections.routines.models import RiskList, UnitMonthCompliance
from personnel.models import Appointment
from personnel.querysets import in_office_on
from personnel.rules import posts_for
from portal.kit.wording import listing
from units.choices import UnitKind
from units.models import Unit

PATH = Path(__file__).resolve().parent / "data" / "inspection_checklists.json"
ITEM_FIELDS = ("key", "section", "text", "source")
PREFILLS = {"", "staffing", "risk_list", "daily", "weekly", "monthly", "hazards"}
COMPLIANCE_MONTHS = 3
STAFFING_KEYS = {"principal": ("principal",), "director": ("safety_director", "quality_safety_director"),
                 "officer": ("safety_officer", "quality_safety_officer")}


@cache
def checklists() -> dict[str, list[dict]]:
    """kind → items, every item checked complete, so a broken file fails on first use."""
    data = json.loads(PATH.read_text(encoding="utf-8"))["kinds"]
    for kind, items in data.items():
        if kind != "common" and kind not in UnitKind.values:
            raise ValueError(f"inspection checklist: unknown unit kind {kind}")
        for n, item in enumerate(items, 1):
            missing = [f for f in ITEM_FIELDS if not str(item.get(f, "")).strip()]
            if missing or item.get("prefill", "") not in PREFILLS:
                raise ValueError(f"inspection checklist {kind} item {n}: missing {missing} or unknown prefill")
    return data


def items_for(kinds) -> list[dict]:
    """The unit's checklist: the common items, then each kind's in the catalogue's order, without repeats."""
    found, seen = [], set()
    for kind in ("common", *[k for k in UnitKind.values if k in kinds]):
        for item in checklists().get(kind, []):
            if item["key"] not in seen:
                seen.add(item["key"])
                found.append(item)
    return found


def _months_back(day: date, n: int) -> date:
    month = day.replace(day=1)
    for _i in range(n):
        month = (month.replace(day=1) - date.resolution).replace(day=1)
    return month


class Prefill:
    """What the unit's records say about each prefilled item, read once per record opened (a handful of queries
    whatever the number of items)."""

    def __init__(self, unit: Unit, day: date):
        self.unit, self.day = unit, day
        self.posts: dict[str, list[str]] = {}
        for post, name in (Appointment.objects.filter(in_office_on(day), unit=unit)
                           .order_by("post", "started_on").values_list("post", "person__name")):
            self.posts.setdefault(post, []).append(name)
        since = _months_back(day, COMPLIANCE_MONTHS)
        self.compliance = UnitMonthCompliance.objects.filter(unit=unit, month__gte=since, month__lt=day.replace(
            day=1)).aggregate(days_due=Sum("days_due"), days_on_time=Sum("days_on_time"), days_late=Sum("days_late"),
                              weeks_due=Sum("weeks_due"), weeks_on_time=Sum("weeks_on_time"),
                              weeks_late=Sum("weeks_late"), months=Count("pk", filter=Q(month_due=True)),
                              months_on_time=Count("pk", filter=Q(month_on_time=True)),
                              months_late=Count("pk", filter=Q(month_late=True)))
        self.since = since

    def safety_manager(self) -> str:
        for post in ("safety_director", "quality_safety_director", "principal"):
            if self.posts.get(post):
                return self.posts[post][0]
        return ""

    def staffing(self, key: str) -> str:
        wanted = [p for p in STAFFING_KEYS[key] if p in posts_for(self.unit.kinds)] or list(STAFFING_KEYS[key][:1])
        names = [name for post in wanted for name in self.posts.get(post, [])]
        return _("在岗：%(names)s") % {"names": listing(names)} if names else _("系统中无在岗人员")

    def _figures(self, due: str, on_time: str, late: str) -> str:
        c = self.compliance
        if not c[due]:
            return _("近 %(n)d 个月无应填记录") % {"n": COMPLIANCE_MONTHS}
        return _("近 %(n)d 个月：应 %(due)d，按时 %(on_time)d，补录 %(late)d，缺 %(missing)d") % {
            "n": COMPLIANCE_MONTHS, "due": c[due], "on_time": c[on_time] or 0, "late": c[late] or 0,
            "missing": c[due] - (c[on_time] or 0) - (c[late] or 0)}

    def text(self, item: dict) -> str:
        kind = item.get("prefill", "")
        if kind == "staffing":
            return self.staffing(item["key"])
        if kind == "daily":
            return self._figures("days_due", "days_on_time", "days_late")
        if kind == "weekly":
            return self._figures("weeks_due", "weeks_on_time", "weeks_late")
        if kind == "monthly":
            return self._figures("months", "months_on_time", "months_late")
        if kind == "risk_list":
            current = RiskList.objects.filter(unit=self.unit).values_list("current__number", flat=True).first()
            return _("现行清单第 %(n)s 版") % {"n": current} if current else _("系统中无风险管控清单")
        if kind == "hazards":
            pending = Finding.objects.filter(unit=self.unit, status__in=PENDING)
            return _("未销号隐患 %(open)d 项，其中逾期 %(overdue)d 项") % {
                "open": pending.count(), "overdue": pending.filter(due_on__lt=self.day).count()}
        return ""
