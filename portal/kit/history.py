"""A tracked row's data-change history as a person reads it (docs/security.md §Audit).

pghistory stores each change as the row's column values (``pgh_data``) and the difference from the row
before (``pgh_diff``), keyed by column (``reviewed_by_id``), in JSON, with UTC timestamps, under a
context whose metadata carries the acting username (``portal.kit.middleware.HistoryContextMiddleware``).
This module turns that into field labels, choice labels, related objects' names, local time to the
minute and the name of who acted. Bookkeeping columns are left out; a sealed value (ciphertext, blind
index) is never shown, and its masked copy only says that it changed; a stored file's generated path
is shown as 已上传 / 已更换 / 已删除.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

from portal.kit.masking import mask_text
from portal.kit.tables import NO, YES
from portal.kit.wording import listing, noted

# Columns that only count or order rows: optimistic-lock counters, MPTT bounds, and the creation and
# save times that the event's own time already gives.
TECHNICAL = frozenset({"id", "version", "lft", "rght", "tree_id", "level", "created_at", "updated_at"})
SEALED_SUFFIXES = ("_cipher", "_digest")
MASKED_SUFFIX = "_masked"
ACTIONS = {"insert": _("新建"), "update": _("修改"), "delete": _("删除")}
EMPTY = _("（空）")
CHANGED = _("已修改")
FILLED = _("已填写")
SYSTEM = _("系统")
UPLOADED = _("已上传")
REPLACED = _("已更换")
REMOVED = _("已删除")


@dataclass
class Change:
    label: str
    before: str | None  # None on the event that created the row
    after: str


@dataclass
class Entry:
    at: object
    action: str
    actor: str
    changes: list[Change] = field(default_factory=list)


def _is_sealed(f: models.Field) -> bool:
    return isinstance(f, models.BinaryField) or f.name.endswith(SEALED_SUFFIXES)


def _shown_fields(model, hidden) -> dict[str, models.Field]:
    """Column name → field for the columns a reader is shown, in the model's order."""
    return {
        f.attname: f for f in model._meta.concrete_fields
        if f.name not in TECHNICAL and f.name not in hidden and not _is_sealed(f)
    }


def _values(events):
    """Every (column, value) the entries will show: a new row's values, a change's both sides."""
    for e in events:
        if e.pgh_diff is None:
            yield from (e.pgh_data or {}).items()
        else:
            for column, (before, after) in e.pgh_diff.items():
                yield column, before
                yield column, after


def _names(fields: dict[str, models.Field], values) -> dict[tuple, str]:
    """(related model, pk) → its name, one query per related model over every event shown."""
    wanted = defaultdict(set)
    for column, value in values:
        f = fields.get(column)
        if f is not None and f.is_relation and value is not None:
            wanted[f.related_model].add(value)
    names = {}
    for related, pks in wanted.items():
        for pk, obj in related._base_manager.in_bulk(pks).items():
            names[related, pk] = str(obj)
    return names


def _label(choices, value) -> str:
    return str(dict(choices).get(value, value))


def _value(f: models.Field, value, names) -> str:
    if value is None or value == "" or value == []:
        return str(EMPTY)
    if f.is_relation:
        return names.get((f.related_model, value), f"#{value}")
    if f.choices:
        return _label(f.flatchoices, value)
    base = getattr(f, "base_field", None)
    if isinstance(value, list):
        choices = base.flatchoices if base is not None and base.choices else ()
        return listing(_label(choices, v) for v in value)
    if isinstance(f, models.BooleanField):
        return str(YES if value else NO)
    if isinstance(f, models.DateTimeField):
        moment = parse_datetime(str(value))
        return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else str(value)
    if isinstance(f, models.DateField):
        day = parse_date(str(value))
        return formats.date_format(day, "DATE_FORMAT") if day else str(value)
    return mask_text(str(value))


def _file_change(before, after) -> str:
    """What a reader learns of a stored file: that it was uploaded, replaced or removed. Its value is the
    path the upload handler generated (``licences/2026/12/<uuid>.png``), meaningless and not to be shown."""
    if not after:
        return str(REMOVED)
    return str(REPLACED if before else UPLOADED)


def _actors(events) -> dict[str, str]:
    """Username snapshot → how to name them now: 姓名（用户名）, or the username of a removed account."""
    usernames = {(e.pgh_context or {}).get("username") for e in events} - {None, ""}
    users = get_user_model()._base_manager.filter(username__in=usernames)
    return {u.username: noted(u.display_name, u.username) if getattr(u, "display_name", "") else u.username
            for u in users}


def describe(events, model, *, hidden=()) -> list[Entry]:
    """``events`` (pghistory ``Events`` of one ``model`` row, newest first) as entries to show."""
    events = list(events)
    fields = _shown_fields(model, hidden)
    names = _names(fields, _values(events))
    actors = _actors(events)
    entries = []
    for e in events:
        username = (e.pgh_context or {}).get("username") or ""
        entry = Entry(at=timezone.localtime(e.pgh_created_at), action=str(ACTIONS.get(e.pgh_label, e.pgh_label)),
                      actor=actors.get(username, username) or str(SYSTEM))
        created = e.pgh_diff is None
        pairs = {c: (None, v) for c, v in (e.pgh_data or {}).items()} if created else e.pgh_diff
        for column, f in fields.items():
            before, after = pairs.get(column, (None, None))
            if column not in pairs or (created and after in (None, "", [])):
                continue
            label = str(f.verbose_name)
            if isinstance(f, models.FileField):
                entry.changes.append(Change(label, None, _file_change(before, after)))
            elif column.endswith(MASKED_SUFFIX):
                entry.changes.append(Change(label, None, str(FILLED if created else CHANGED)))
            else:
                entry.changes.append(Change(label, None if created else _value(f, before, names),
                                            _value(f, after, names)))
        entries.append(entry)
    return entries
