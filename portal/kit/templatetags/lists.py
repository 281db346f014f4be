"""What a list page's filter form needs that a template loop makes slow.

A filter select may hold a hundred options (the equipment catalogue); written by the template, each
option costs a loop iteration and two filters, several milliseconds a page (docs/architecture.md §Lists).
"""

from django import template
from django.conf import settings
from django.utils.html import format_html_join

register = template.Library()


@register.simple_tag
def select_options(field):
    """The ``<option>`` elements of a bound select field, the current value selected."""
    current = field.value()
    current = "" if current is None else str(current)

    def rows():
        for value, label in field.field.widget.choices:
            value = "" if value is None else str(value)
            yield value, " selected" if value == current else "", label

    return format_html_join("", '<option value="{}"{}>{}</option>', rows())


@register.simple_tag(takes_context=True)
def table(context, table):
    """``table`` written by ``kit/table.html`` inside the page's own context.

    django-tables2's ``render_table`` renders its template with the request, which runs every context
    processor (the navigation among them) a second time for each table on the page. A template column
    still finds the page's context on ``table.context``, as it does under ``render_table``.
    """
    template = context.template.engine.get_template(settings.DJANGO_TABLES2_TEMPLATE)
    table.context = context
    try:
        with context.push(table=table):
            return template.render(context)
    finally:
        del table.context
