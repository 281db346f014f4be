"""The punctuation that joins wording, translated like the wording: Chinese writes ``甲、乙`` and
``名称（代码）``, English ``a, b`` and ``name (code)`` (issue 9)."""

from django.utils.translation import gettext, pgettext


def listing(items) -> str:
    """``甲、乙、丙``: items named one after another in a sentence or a cell."""
    return pgettext("list separator", "、").join(str(item) for item in items)


def clauses(items) -> str:
    """``甲；乙``: reasons or errors given one after another."""
    return pgettext("clause separator", "；").join(str(item) for item in items)


def noted(text, note) -> str:
    """``兰州市（620100）``: a name followed by what tells it apart."""
    return gettext("%(text)s（%(note)s）") % {"text": text, "note": note}
