"""The registry of Excel importers: each app registers its own, with its kind code and label.

The import job (``units.ImportJob``) and its runner (``units.importing``) know no kind but what is
registered here, so an app above units (personnel) adds an import without units knowing of it
(docs/architecture.md §Layers).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Importer:
    """One kind of import: its template columns, who may run it, the dry run and the save of a chunk.

    ``plan(user, rows)`` validates every row without writing and returns (errors, plans);
    ``save(job, plans)`` writes one chunk of plans inside the import's transaction and may raise
    ``RowsRefused`` when a row turns out to be invalid at save time.
    """

    kind: str
    label: str
    title: str
    columns: tuple[str, ...]
    duty: object  # what the importing user must hold over the rows: a duty, or a write the access backend resolves
    plan: Callable
    save: Callable
    upload_url_name: str
    note: str = ""
    hints: dict[str, str] = field(default_factory=dict)  # column → how to fill it, for the blank template


IMPORTERS: dict[str, Importer] = {}


def register(importer: Importer) -> None:
    IMPORTERS[importer.kind] = importer


def validate_kind(kind: str) -> None:
    if kind not in IMPORTERS:
        raise ValidationError(_("未知的导入类型“%(kind)s”。"), params={"kind": kind})


class RowsRefused(Exception):
    """Rows found invalid while saving: nothing of the import is saved, the job lists the reasons."""

    def __init__(self, errors):
        super().__init__("import refused")
        self.errors = errors
