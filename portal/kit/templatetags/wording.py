"""The punctuation between pieces of a page, translated like the wording (portal.kit.wording): a Chinese
page writes ``名称（代码）``, ``甲、乙`` and ``标签：值``, an English one ``name (code)``, ``a, b`` and
``label: value``."""

from django import template

from portal.kit import wording

register = template.Library()

register.simple_tag(wording.noted, name="noted")
register.simple_tag(wording.aside, name="aside")
register.simple_tag(wording.list_separator, name="list_sep")
register.simple_tag(wording.label_separator, name="colon")
register.filter("listing", wording.listing)
