"""What pages outside the app show of a unit's self-check records without importing the app: the months its
archive PDF exists for (``{% archive_months unit as months %}``, on the unit's page)."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.urls import reverse
from django.utils import formats, timezone

from inspections.routines import expected

register = template.Library()
ARCHIVE_MONTHS = 12


@register.simple_tag
def archive_months(unit, count: int = ARCHIVE_MONTHS) -> list[dict]:
    """The latest ``count`` months since the unit came onto the books, newest first, each with its archive's URL."""
    first = expected.on_books_from(unit).replace(day=1)
    month, months = timezone.localdate().replace(day=1), []
    while month >= first and len(months) < count:
        months.append({"label": formats.date_format(month, "YEAR_MONTH_FORMAT"),
                       "url": reverse("routines:unit_archive_pdf", args=[unit.pk, f"{month:%Y-%m}"])})
        month = (month - timedelta(days=1)).replace(day=1)
    return months
