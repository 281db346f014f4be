"""The punctuation between pieces of a page, translated like the wording (portal.kit.wording): a Chinese
page writes ``名称（代码）``, ``甲、乙`` and ``标签：值``, an English one ``name (code)``, ``a, b`` and
``label: value``."""

from django import template
from django.utils.translation import pgettext

from portal.kit import wording

register = template.Library()


@register.simple_tag
def noted(text, note):
    return wording.noted(text, note)


@register.simple_tag
def list_sep():
    return pgettext("list separator", "、")


@register.simple_tag
def colon():
    return pgettext("label separator", "：")


@register.filter
def listing(items):
    return wording.listing(items)
