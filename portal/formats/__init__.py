"""The portal's date formats, one module per language (``FORMAT_MODULE_PATH``).

Templates write ``|date`` (``DATE_FORMAT``) or ``|date:"DATETIME_FORMAT"``; Python writes
``django.utils.formats.date_format(value)`` or ``date_format(value, "DATETIME_FORMAT")``. No page or
message spells out a format of its own, so a date reads the same everywhere in one language.
"""
