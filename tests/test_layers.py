"""Imports point down: each app may import only the layers below it (``ALLOWED``).

Read from the source with ``ast``, so a new module that reaches up fails here before it is reviewed.
Tests, migrations and the project's top layer (``portal.dashboard``) are outside the rule.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# ``inspections`` is a plain package of apps (docs/architecture.md §Layers): each of its apps is a layer of its own.
APPS = ("jurisdictions", "portal.inbox", "units", "personnel", "inspections.findings", "inspections.routines",
        "inspections.supervision", "portal.kit", "portal.dashboard")
# What each package may import among the project's own packages (besides itself).
ALLOWED = {
    "portal.kit": set(),
    "jurisdictions": {"portal.kit"},
    # The inbox sits just above the accounts: every app may feed it, it knows none of them (docs/architecture.md
    # §Inbox and reminders).
    "portal.inbox": {"portal.kit", "jurisdictions"},
    "units": {"portal.kit", "jurisdictions", "portal.inbox"},
    "personnel": {"portal.kit", "jurisdictions", "portal.inbox", "units"},
    "inspections.findings": {"portal.kit", "jurisdictions", "portal.inbox", "units", "personnel"},
    "inspections.routines": {"portal.kit", "jurisdictions", "portal.inbox", "units", "personnel",
                             "inspections.findings"},
    "inspections.supervision": {"portal.kit", "jurisdictions", "portal.inbox", "units", "personnel",
                                "inspections.findings", "inspections.routines"},
}


def owner(module: str) -> str | None:
    for app in APPS:
        if module == app or module.startswith(app + "."):
            return app
    return None


def imports_of(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def sources(package: str):
    for path in sorted((ROOT / package.replace(".", "/")).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_a_package_imports_only_the_layers_below_it(package):
    edges = {(path.relative_to(ROOT).as_posix(), module)
             for path in sources(package) for module in imports_of(path)
             if owner(module) not in (None, package) and owner(module) not in ALLOWED[package]}
    assert not edges, sorted(edges)


def test_nothing_below_reaches_the_inspection_apps(tmp_path):
    module = tmp_path / "bad.py"
    module.write_text("from inspections.findings.models import Finding\n", encoding="utf-8")
    assert {owner(m) for m in imports_of(module)} == {"inspections.findings"}
    assert not any("inspections.findings" in ALLOWED[app] for app in ("units", "personnel", "jurisdictions"))
    assert not any("inspections.routines" in ALLOWED[app]
                   for app in ("units", "personnel", "jurisdictions", "inspections.findings"))
    assert not any("inspections.supervision" in ALLOWED[app]
                   for app in ("units", "personnel", "jurisdictions", "inspections.findings", "inspections.routines"))


def test_the_rule_catches_an_upward_import(tmp_path):
    module = tmp_path / "bad.py"
    module.write_text("from units.models import Unit\nimport portal.dashboard.views\n", encoding="utf-8")
    assert {owner(m) for m in imports_of(module)} == {"units", "portal.dashboard"}
    assert owner("units") not in ALLOWED["jurisdictions"]
