"""Bulk work: loading with PostgreSQL COPY for the data generators (benchmarks at Gansu ×3 scale), and the beat's
runs over rows claimed a batch at a time."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Callable

import pgtrigger
from django.db import connection, transaction


def copy_value(value) -> str:
    """One field in COPY's text format."""
    if value is None:
        return r"\N"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def copy_rows(table: str, columns: tuple[str, ...], rows, *, context_id: uuid.UUID, metadata: dict,
              history_trigger: str | None = None) -> None:
    """COPY ``rows`` into ``table`` inside the caller's transaction; COPY fires triggers.

    pghistory's and pgtrigger's trigger helpers read ``pghistory.context_id`` and ``pgtrigger.ignore``
    inside an exception block. While those are unset every row raises and rolls back a
    subtransaction, and each rollback scans the whole pending after-trigger queue (the history and
    foreign-key events of this COPY): quadratic, 130 s for 60k units. Setting both variables first
    (transaction-local; COPY bypasses the Django execute wrappers that usually set them) keeps the
    load linear and files every history event under one context described by ``metadata``.
    ``history_trigger`` (e.g. ``"units.Unit:insert_insert"``) skips history for this load instead.
    """
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(copy_value(v) for v in row))
        buffer.write("\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pghistory.context_id', %s, true), "
            "set_config('pghistory.context_metadata', %s, true), set_config('pgtrigger.ignore', '{}', true)",
            [str(context_id), json.dumps(metadata)],
        )
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        if history_trigger is None:
            cursor.copy_expert(sql, buffer)
        else:
            with pgtrigger.ignore(history_trigger):
                cursor.execute("SELECT 1")  # lets pgtrigger's execute wrapper set pgtrigger.ignore
                cursor.copy_expert(sql, buffer)


class _Chunks:
    """A read-only file over an iterator of text chunks, as ``copy_expert`` reads it: nothing is held but the
    chunk being read, so a load of tens of millions of rows streams from its generator."""

    def __init__(self, chunks):
        self._chunks, self._rest = iter(chunks), ""

    def read(self, size: int = -1) -> str:
        parts, length = [self._rest], len(self._rest)
        for chunk in self._chunks:
            parts.append(chunk)
            length += len(chunk)
            if 0 <= size <= length:
                break
        text = "".join(parts)
        if size < 0 or len(text) <= size:
            self._rest = ""
            return text
        self._rest = text[size:]
        return text[:size]


def copy_stream(table: str, columns: tuple[str, ...], chunks) -> None:
    """COPY into ``table`` the lines ``chunks`` yields, already in COPY's text format (``copy_value`` per
    field, tab-separated, newline-terminated), streamed rather than built in memory. For tables without
    pghistory or insert triggers (see ``copy_rows`` for those)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pgtrigger.ignore', '{}', true)")
        cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", _Chunks(chunks), 1 << 20)


def each_claimed_batch(queryset, handle: Callable[[list], object], *, size: int) -> int:
    """Hand ``handle`` the rows of ``queryset`` (ordered, filtered to what is still to do) ``size`` at a time, each
    batch claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` and handled in the same transaction. ``handle`` must
    mark its rows done, so two runs at once share the rows instead of both taking them and a rerun finds none.
    Call it outside a transaction. Returns how many rows were handled."""
    handled = 0
    while True:
        with transaction.atomic():
            rows = list(queryset.select_for_update(skip_locked=True, of=("self",))[:size])
            handle(rows)
        handled += len(rows)
        if len(rows) < size:
            return handled
