"""What a list page's filter form needs that a template loop makes slow.

A filter select may hold a hundred options (the equipment catalogue); written by the template, each
option costs a loop iteration and two filters, several milliseconds a page (docs/architecture.md §Lists).
"""

from django import template
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
