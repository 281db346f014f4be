"""django-tables2's own rendering of a table body, cell by cell, as its template loop does it.

The yardstick for ``portal.kit.tables.Table.body_html``: tests/conftest.py compares the two on every table
any test renders, tests/kit/test_tables.py on the edge cases.
"""

from django.template import Context
from django.template.base import render_value_in_context

_CONTEXT = Context(autoescape=True)


def reference_body_html(table) -> str:
    """``{% for row in table.paginated_rows %}<tr {{ row.attrs.as_html }}>{% for column, cell in row.items %}
    <td {{ column.attrs.td.as_html }}>{{ cell }}</td>…`` without the template's whitespace."""
    rows = []
    for i, row in enumerate(table.paginated_rows):
        # django-tables2 numbers rows with a counter shared by every row object the table ever made, so
        # its even/odd depends on what ran before; the kit's counts the page's rows.
        parts = [f'<tr class="{"odd" if i % 2 else "even"}">']
        for column, cell in row.items():
            attrs = column.attrs["td"].as_html()
            parts.append(f"<td {attrs}>" if attrs else "<td>")
            parts.append(f"{render_value_in_context(cell, _CONTEXT)}</td>")
        parts.append("</tr>")
        rows.append("".join(parts))
    return "\n".join(rows)


def first_difference(ours: str, theirs: str) -> str:
    for i, (a, b) in enumerate(zip(ours.split("\n"), theirs.split("\n"), strict=False)):
        if a != b:
            return f"row {i}:\n  kit:           {a}\n  django-tables2: {b}"
    return f"{len(ours.splitlines())} rows vs {len(theirs.splitlines())}"
