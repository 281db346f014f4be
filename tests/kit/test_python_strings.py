"""Chinese wording in Python goes through Django i18n (issue 9): with ``LANGUAGE_CODE=en`` a string
left out shows up as Chinese in an English page.

Read from the source with ``ast``: every string literal holding Chinese that is not a docstring must
sit inside a ``gettext`` call (``_``, ``gettext_lazy``, ``ngettext``, ``pgettext``, ``gettext_noop``…),
unless it is data rather than wording — a key (``row["姓名"]``, a dict literal's key), a module that is
data (migrations, seeders, settings), or a constant or function named in ``DATA`` with the reason —
or a management command's ``help`` (argparse cannot take a lazy string; its messages are wrapped).
This is stricter than checking the usual call sites (``ValidationError``, ``messages``, ``verbose_name``,
``label``, ``__str__``), which it covers: a new site needs no new rule.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("jurisdictions", "units", "personnel", "inspections", "portal")
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy",
           "npgettext", "npgettext_lazy", "gettext_noop"}
DATA_MODULES = (  # matched against "/" + the path from the repository root
    re.compile(r"/migrations/"),
    re.compile(r"/management/commands/seed_[^/]+\.py$"),  # demo and benchmark data
    re.compile(r"^/portal/settings\.py$"),  # configuration: registration words, language names
    re.compile(r"^/portal/formats/"),  # each language's date formats (Django format modules)
)
# (module, top-level name) → why its Chinese is data, not wording.
DATA = {
    ("jurisdictions/duties.py", "TIER_DUTIES"): "citations of the seed notices' sections",
    ("jurisdictions/services.py", "STATION_SUFFIX"): "part of the stations' official names",
    ("personnel/documents.py", "NATIONAL_COLUMNS"): "SAMR platform's workbook layout (002 附件 11)",
    ("personnel/documents.py", "UNIT_KIND_WORDS"): "SAMR platform's workbook values (002 附件 11)",
    ("personnel/documents.py", "national_rows"): "SAMR platform's workbook values (002 附件 11)",
    ("personnel/documents.py", "_certificate_numbers"): "SAMR platform's workbook values (002 附件 11)",
    ("personnel/documents.py", "national_workbook"): "SAMR platform's workbook layout (002 附件 11)",
    ("personnel/rules.py", "CERTIFICATE_ITEMS"): "TSG Z6001-2019 附件 A catalogue",
    ("portal/kit/pdf.py", "CN_DIGITS"): "numerals",
    ("portal/kit/pdf.py", "document_number"): "an identifier's format (docs/domain.md §Identifiers)",
    ("portal/kit/models.py", "DocumentCounter"): "an identifier's prefix and year",
    ("units/services.py", "certificate_number"): "an identifier's format (TSG 08)",
    ("units/importing.py", "UNIT_COLUMNS"): "the import file's header row",
    ("units/importing.py", "EQUIPMENT_COLUMNS"): "the import file's header row",
    ("units/importing.py", "KIND_WORDS"): "the import file's values",
    ("units/importing.py", "KIND_SEPARATORS"): "the import file's values",
    ("personnel/importing.py", "COLUMNS"): "the import file's header row",
}
PENDING: set[tuple[str, str | None]] = set()


def modules():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if not any(pattern.search("/" + relative) for pattern in DATA_MODULES):
                yield relative


def _name(func) -> str | None:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _top_level_names(tree) -> dict[int, str]:
    """id(node) → the top-level definition (function, class, assigned name) it belongs to."""
    owners = {}
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            name = statement.name
        elif isinstance(statement, (ast.Assign, ast.AnnAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            name = next((t.id for t in targets if isinstance(t, ast.Name)), None)
        else:
            name = None
        for node in ast.walk(statement):
            owners[id(node)] = name
    return owners


def unwrapped(relative: str, source: str | None = None):
    """(line, owner, text) of each Chinese literal in ``relative`` that is wording outside gettext."""
    tree = ast.parse((ROOT / relative).read_text(encoding="utf-8") if source is None else source)
    exempt = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                exempt.add(id(first.value))
        keys = ()
        if isinstance(node, ast.Call) and _name(node.func) in GETTEXT:
            keys = [node]
        elif isinstance(node, ast.Subscript):
            keys = [node.slice]
        elif isinstance(node, ast.Dict):
            keys = [k for k in node.keys if k is not None]
        if (isinstance(node, ast.Assign) and "/management/commands/" in relative
                and [getattr(t, "id", None) for t in node.targets] == ["help"]):
            keys = [node.value]  # a command's description: argparse needs a str, not a lazy one
        for key in keys:
            exempt.update(id(n) for n in ast.walk(key))
    owners = _top_level_names(tree)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Constant) and isinstance(node.value, str) and CJK.search(node.value)
                and id(node) not in exempt and (relative, owners.get(id(node))) not in DATA
                and not {(relative, None), (relative, owners.get(id(node)))} & PENDING):
            yield node.lineno, owners.get(id(node)), node.value


@pytest.mark.parametrize("relative", list(modules()))
def test_chinese_wording_goes_through_gettext(relative):
    found = [f"{relative}:{line} ({owner}): {text!r}" for line, owner, text in unwrapped(relative)]
    assert not found, "Wrap in gettext / gettext_lazy (Chinese stays the msgid):\n" + "\n".join(found)


def test_the_check_sees_an_unwrapped_message():
    """The rule itself: a message outside gettext is found, the same message inside it is not."""
    bare = 'raise ValidationError("所选设备不属于本单位。")\n'
    wrapped = 'raise ValidationError(_("所选设备不属于本单位。"))\n'
    assert [text for _line, _owner, text in unwrapped("units/services.py", bare)] == ["所选设备不属于本单位。"]
    assert not list(unwrapped("units/services.py", wrapped))
