"""The punctuation that joins wording, translated like the wording: Chinese writes ``甲、乙`` and
``名称（代码）``, English ``a, b`` and ``name (code)`` (issue 9)."""

from django.utils.translation import pgettext


def list_separator() -> str:
    return pgettext("list separator", "、")


def label_separator() -> str:
    """Between a label and its value: ``状态：已完成``."""
    return pgettext("label separator", "：")


def listing(items) -> str:
    """``甲、乙、丙``: items named one after another in a sentence or a cell."""
    return list_separator().join(str(item) for item in items)


def clauses(items) -> str:
    """``甲；乙``: reasons or errors given one after another."""
    return pgettext("clause separator", "；").join(str(item) for item in items)


def aside(note) -> str:
    """``（620100）``: what tells the thing before it apart, in brackets — also after a link or a badge."""
    return pgettext("parenthesised note", "（%(note)s）") % {"note": note}


def noted(text, note) -> str:
    """``兰州市（620100）``: a name followed by what tells it apart."""
    return f"{text}{aside(note)}"
