"""What every list table shares: columns a phone may drop, and an export that reads like the page.

A spreadsheet is read by the same people as the page, often in Excel or WPS on Chinese Windows, so a
cell says 是/否 rather than True/False, a time is local and to the minute, a choice is its label and a
date is written in the settings' format (``SHORT_DATE_FORMAT``, as django-tables2 renders it on the
page). Text that a spreadsheet would run as a formula is escaped (docs/security.md §Uploads).
"""

from __future__ import annotations

import datetime as dt

import django_tables2 as tables
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.html import strip_tags
from django.utils.safestring import SafeData
from django.utils.translation import gettext_lazy as _
from tablib import Dataset

# Declared on a table's column (``attrs=SECONDARY``): shown from the ``md`` breakpoint up, hidden on a
# phone, where the first, linked column leads to the full record. portal.css holds the breakpoint.
SECONDARY = {"th": {"class": "col-secondary"}, "td": {"class": "col-secondary"}}

YES, NO = _("是"), _("否")
# A cell starting with one of these is a formula to Excel/WPS (CSV injection); docs/security.md §Uploads.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Columns whose export is the record's value itself; any other column (a template, a custom class)
# and any column with a table's ``render_<name>``/``value_<name>`` exports what it renders.
PLAIN_COLUMNS = (tables.Column, tables.BooleanColumn, tables.DateColumn, tables.DateTimeColumn)
SHEET_TITLE_MAX = 31  # Excel's limit on a worksheet name


def escape_formula(value):
    """Prefix a formula-looking text cell with an apostrophe so spreadsheets show it as text."""
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) else value


def display(value):
    """``value`` as the page writes it; numbers stay numbers so a spreadsheet can sum them."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(YES if value else NO)
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return formats.date_format(value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, SafeData):
        return strip_tags(value).strip()
    if isinstance(value, Promise):
        return str(value)
    return value


def _record_value(record, bound_column):
    """The value under the column's accessor, a choice field's value replaced by its label."""
    accessor = bound_column.accessor
    value = accessor.resolve(record, quiet=True)
    field = accessor.get_field(record)
    if field is not None and field.choices and not isinstance(value, (list, tuple)):
        value = dict(field.flatchoices).get(value, value)
    if isinstance(bound_column.column, tables.BooleanColumn) and value is not None:
        value = bool(value)
    return value


def export_cell(row, bound_column):
    table, name = row.table, bound_column.name
    custom = hasattr(table, f"value_{name}") or hasattr(table, f"render_{name}")
    if custom or type(bound_column.column) not in PLAIN_COLUMNS:
        value = row.get_cell_value(name)
    else:
        value = _record_value(row.record, bound_column)
    return escape_formula(display(value))


def export_dataset(table, title: str, exclude=()) -> Dataset:
    """The table's rows as the page shows them, without the columns marked for the page only."""
    columns = [column for column in table.columns.iterall()
               if not (column.column.exclude_from_export or column.name in exclude)]
    dataset = Dataset(title=str(title)[:SHEET_TITLE_MAX], headers=[str(column.header) for column in columns])
    for row in table.rows:
        dataset.append([export_cell(row, column) for column in columns])
    return dataset
