"""What every list table shares: cheap rendering, columns a phone may drop, an export that reads like the page.

**Rendering.** The tables are declared with django-tables2 (columns, ordering, pagination, the header and
the export all come from those declarations), but their rows are not rendered by its template loop. That
loop works out, for every cell, what the column could do: ``inspect.signature`` of the render method, a
dictionary lookup that fails before each attribute lookup, the ``td`` attributes rebuilt into a new
dictionary, a ``Template`` compiled afresh for every date cell, a ``gettext`` for every choice label — about
85 % of a 50-row list page's CPU (issue 10). ``Table.body_html`` asks each visible column those questions
once per table and gets back a plain function of the record (``compile_cell``); the row loop is string
joins; the header's sort links and the page links are built once in Python too (``header_cells``,
``page_links``). A column it cannot compile (a template column, attributes computed per row, a render
method that wants the bound row) keeps django-tables2's own cell path, so the output is the same either
way: tests/conftest.py renders every table any test shows both ways and compares them
(docs/architecture.md §Lists).

A spreadsheet is read by the same people as the page, often in Excel or WPS on Chinese Windows, so a
cell says 是/否 rather than True/False, a time is local and to the minute, a choice is its label and a
date is written in the settings' format (``SHORT_DATE_FORMAT``, as django-tables2 renders it on the
page). Text that a spreadsheet would run as a formula is escaped (docs/security.md §Uploads).
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
from collections.abc import Callable

import django_tables2 as tables
from django.core.paginator import Paginator
from django.db import models
from django.http import QueryDict
from django.template import Context
from django.template.base import render_value_in_context
from django.utils import formats, timezone
from django.utils.functional import Promise, cached_property
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django_tables2.rows import BoundRow
from django_tables2.templatetags.django_tables2 import table_page_range
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


# --- Rendering -----------------------------------------------------------------------------------------

Cell = Callable[[object], str]  # record → the escaped HTML of one cell
# What a ``{{ cell }}`` in a template does to a value (local time, localisation, escaping), without a
# template: one context serves every cell.
_CELL_CONTEXT = Context(autoescape=True)
# The arguments a ``render_<name>`` method may ask for that a compiled cell can give it.
_RENDER_ARGUMENTS = {"value", "record", "column", "bound_column", "table"}
# DateColumn and DateTimeColumn keep their format only inside the template they would compile per cell.
_DATE_TEMPLATE = re.compile(r'^\{\{ value\|date:"(?P<format>[^"]+)"\|default:default \}\}$')


def _as_html(value) -> str:
    return render_value_in_context(value, _CELL_CONTEXT)


def _resolver(accessor: str) -> Callable[[object], object]:
    """``accessor`` (``a__b``, methods called as django-tables2 and templates call them) as a function of a
    model instance; a missing link in the chain gives None, as django-tables2's quiet lookup does."""
    bits = tables.A(accessor).bits

    def resolve(record):
        current = record
        try:
            for bit in bits:
                current = getattr(current, bit)
                if callable(current) and not getattr(current, "do_not_call_in_templates", False):
                    if getattr(current, "alters_data", False):
                        return None
                    current = current()
                if current is None:
                    return None
        except (AttributeError, TypeError, ValueError, models.ObjectDoesNotExist):
            return None
        return current

    return resolve


def _choice_labels(bound_column, model) -> dict | None:
    """The labels of a choice field under the column's accessor, in the active language, once."""
    field = bound_column.accessor.get_field(model) if model is not None else None
    if field is None or not getattr(field, "choices", None):
        return None
    return {value: str(label) for value, label in field.flatchoices}


def _static_attrs(attrs) -> bool:
    return not any(callable(v) for v in attrs.values())


def _link(table, bound_column) -> Callable[[object, str], str] | None:
    """``linkify=True``: the cell's target (the value when it has a URL, else the record) wrapped round the
    content; None when the link needs django-tables2 (a URL callable, reverse arguments, computed attrs)."""
    link = bound_column.link
    if link.url is not None or link.reverse_args or not _static_attrs(link.attrs or {}):
        return None
    target = _resolver(link.accessor if link.accessor is not None else bound_column.name)
    attrs = tables.utils.AttributeDict({k: v for k, v in (link.attrs or {}).items() if k != "href"}).as_html()
    opening = f"<a {attrs} href=\"" if attrs else '<a href="'

    def wrap(record, content: str) -> str:
        context = target(record)
        url = (context if hasattr(context, "get_absolute_url") else record).get_absolute_url()
        return f'{opening}{escape(url)}">{content}</a>'

    return wrap


def _renderer(table, bound_column) -> Callable[[object, object], object] | None:
    """What the column makes of a non-empty value: ``(value, record) → content``; None if only
    django-tables2 can tell."""
    column, render = bound_column.column, bound_column.render
    if render != column.render:  # the table's render_<name>
        parameters = inspect.signature(render).parameters.values()
        if any(p.kind == p.VAR_KEYWORD for p in parameters):
            return None
        names = [p.name for p in parameters if p.kind != p.VAR_POSITIONAL]
        if not set(names) <= _RENDER_ARGUMENTS:
            return None
        fixed = {"column": column, "bound_column": bound_column, "table": table}
        wants_value, wants_record = "value" in names, "record" in names
        extra = {name: fixed[name] for name in names if name in fixed}

        def call(value, record):
            kwargs = dict(extra)
            if wants_value:
                kwargs["value"] = value
            if wants_record:
                kwargs["record"] = record
            return render(**kwargs)

        return call
    kind = type(column)
    if kind is tables.Column:
        return lambda value, record: value
    if kind in (tables.DateColumn, tables.DateTimeColumn):
        match = _DATE_TEMPLATE.match(column.template_code or "")
        if match is None:
            return None
        fmt, default = match["format"], bound_column.default

        def date(value, record):
            if isinstance(value, dt.datetime) and timezone.is_aware(value):
                value = timezone.localtime(value)
            try:
                text = formats.date_format(value, fmt)
            except (AttributeError, TypeError, ValueError):
                text = ""
            return text or default

        return date
    if kind is tables.BooleanColumn and "span" not in column.attrs:
        yes, no = (format_bool(True, column.yesno[0]), format_bool(False, column.yesno[1]))
        return lambda value, record: yes if value else no
    return None


def format_bool(value: bool, text) -> SafeString:
    return mark_safe(f'<span class="{str(value).lower()}">{escape(text)}</span>')  # noqa: S308 - escaped


def compile_cell(table, bound_column, model=None) -> Cell | None:
    """One column's cell as a function of the record, or None where only django-tables2 can render it.

    Mirrors ``BoundRow.get_cell``: the value under the accessor (a choice field's label), the default for
    an empty value, the column's or table's render, the link, then what ``{{ cell }}`` does to it.
    """
    column = bound_column.column
    if model is None or column.localize is not None or isinstance(column, tables.ManyToManyColumn):
        return None
    render = _renderer(table, bound_column)
    if render is None:
        return None
    link = None
    if bound_column.link:
        link = _link(table, bound_column)
        if link is None:
            return None
    resolve = _resolver(bound_column.accessor)
    labels = _choice_labels(bound_column, model)
    empty, default = column.empty_values, _as_html(bound_column.default)
    if isinstance(column, tables.BooleanColumn) and labels:
        return None  # a boolean stored as choices: django-tables2 maps labels back to values

    def cell(record) -> str:
        value = resolve(record)
        if labels is not None and not isinstance(value, (list, tuple)):
            value = labels.get(value, value)
        if value in empty:
            return default
        content = _as_html(render(value, record))
        return link(record, content) if link else content

    return cell


class CappedPaginator(Paginator):
    """Counts at most ``cap`` rows: the daily checks of a province run to tens of millions, and a pager needs to
    know there are more, not how many (the compliance pages give the figures). Beyond the cap the pager says
    超过 ``cap`` 条 and its last page is the one after the cap."""

    cap = 10_000

    @cached_property
    def count(self) -> int:
        rows = getattr(getattr(self.object_list, "data", None), "data", None)  # the table's queryset
        if rows is None:
            return super().count
        # Whether a row exists is all a count needs: without the page's joins and order it stops at the cap
        # on whichever index the filter reads.
        return rows.select_related(None).order_by().values("pk")[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap


class Table(tables.Table):
    """A django-tables2 table whose rows render through ``compile_cell`` (the module docstring says why).

    ``kit/table.html`` writes it: the header from ``header_cells``, the body from ``body_html``, the
    page links from ``page_links``, each worked out here once rather than by a template tag per link.
    """

    def _query(self, **replace) -> str:
        """The current query string with ``replace`` applied (a None value removes the key)."""
        params = self.request.GET.copy() if getattr(self, "request", None) is not None else QueryDict(mutable=True)
        for key, value in replace.items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = value
        return "?" + params.urlencode()

    def attrs_html(self) -> SafeString:
        attrs = tables.utils.AttributeDict(self.attrs)
        attrs["class"] = attrs.get("class") or "table"
        return attrs.as_html()

    def header_cells(self) -> list[dict]:
        """Each visible column's ``th`` attributes, header and sort link. A new order starts at page 1."""
        cells = []
        for bound_column in self.columns:
            url = None
            if bound_column.orderable:
                url = self._query(**{self.prefixed_order_by_field: str(bound_column.order_by_alias.next),
                                     self.prefixed_page_field: None})
            cells.append({"name": bound_column.name, "attrs": bound_column.attrs["th"].as_html(),
                          "header": bound_column.header, "url": url})
        return cells

    def page_links(self) -> dict | None:
        """Previous, numbered (with ``…`` gaps) and next links of a paginated table with several pages."""
        page = getattr(self, "page", None)
        if page is None or self.paginator.num_pages <= 1:
            return None
        field = self.prefixed_page_field
        numbers = [{"number": n, "url": None if n == "..." else self._query(**{field: n}),
                    "active": n == page.number} for n in table_page_range(page, self.paginator)]
        return {
            "previous": self._query(**{field: page.previous_page_number()}) if page.has_previous() else None,
            "numbers": numbers if page.has_previous() or page.has_next() else [],
            "next": self._query(**{field: page.next_page_number()}) if page.has_next() else None,
        }

    def compiled_cells(self) -> list[Cell]:
        """Each visible column's whole ``<td …>…</td>`` as a function of the record, worked out once per
        table; a column ``compile_cell`` leaves alone, or whose ``td`` attributes are computed per row, keeps
        django-tables2's cell and attributes."""
        model = getattr(self.data, "model", None)  # None for a list: its records may be dicts
        cells = []
        for bound_column in self.columns:
            attrs = {**self.attrs, **bound_column.column.attrs}  # as BoundColumn.attrs merges them
            cell = None
            if _static_attrs(attrs.get("td", attrs.get("cell", {}))):
                cell = compile_cell(self, bound_column, model)
            cells.append(self._dynamic_cell(bound_column) if cell is None else
                         self._static_cell(bound_column.attrs["td"].as_html(), cell))
        return cells

    @staticmethod
    def _static_cell(attrs: str, cell: Cell) -> Cell:
        opening = f"<td {attrs}>" if attrs else "<td>"
        return lambda record: f"{opening}{cell(record)}</td>"

    def _dynamic_cell(self, bound_column) -> Cell:
        """Cell and attributes as django-tables2's template computes them, per row."""
        def cell(record):
            content = BoundRow(record, table=self).get_cell(bound_column.name)
            bound_column.current_value, bound_column.current_record = content, record
            attrs = bound_column.attrs["td"].as_html()
            return f"<td {attrs}>{_as_html(content)}</td>" if attrs else f"<td>{_as_html(content)}</td>"
        return cell

    def body_html(self) -> SafeString:
        """The ``<tr>`` rows of the current page (all rows when not paginated)."""
        cells = self.compiled_cells()
        rows = []
        for counter, row in enumerate(self.paginated_rows):
            record = row.record
            row_cells = "".join(cell(record) for cell in cells)
            rows.append(f'<tr class="{"odd" if counter % 2 else "even"}">{row_cells}</tr>')
        return mark_safe("\n".join(rows))  # noqa: S308 - every cell is escaped by _as_html or a render method
