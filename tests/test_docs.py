"""The repository explains itself: every document the code cites is in it (docs/).

Code, templates, tests and docs cite pages such as ``docs/access.md §Scoping``. Each cited ``.md`` file
must exist, and each cited section must be a heading of that page. The team's working brief (the
design, domain, security and style notes kept outside the repository) must not be cited: a reader of
the repository cannot open it. Read from the files themselves, so a new citation fails here before it
is reviewed.
"""

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {".git", ".venv", "var", "static", "node_modules", "locale", "__pycache__", ".pytest_cache",
             ".ruff_cache", "media"}
SUFFIXES = {".py", ".html", ".txt", ".md", ".yml", ".yaml", ".toml", ".sh", ".cfg", ".ini", ".example"}
NAMES = {"Makefile", "Dockerfile"}
# Assembled so that this file does not cite them itself.
BRIEF = tuple(word + ".md" for word in ("DES" + "IGN", "DOM" + "AIN", "SECUR" + "ITY", "STY" + "LE"))
BRIEF_CITATION = re.compile(r"\b(?:" + "|".join(re.escape(b[:-3]) for b in BRIEF) + r")(?:\.md\b| ?§)")
MD_PATH = re.compile(r"(?<![\w./-])((?:\.\./|[\w-]+/)*[\w.-]+\.md)\b")
# ``docs/access.md §Scoping`` or ``access.md §Scoping, §Grants``: the page and the sections it names.
SECTION_CITATION = re.compile(r"((?:docs/)?[\w-]+\.md)((?:,? ?§[^),;:.`'\"\]\n]+)+)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*$", re.MULTILINE)


def cited_files():
    for directory, dirs, files in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in sorted(files):
            path = Path(directory) / name
            if path.suffix in SUFFIXES or name in NAMES:
                yield path


def text_of(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return ""


def resolve(reference: str, source: Path) -> Path | None:
    """The file ``reference`` names, read from the repository root, beside the citing file, or in docs/."""
    for base in (ROOT, source.parent, ROOT / "docs"):
        candidate = (base / reference).resolve()
        if candidate.is_file():
            return candidate
    return None


def headings(page: Path) -> list[str]:
    return [re.sub(r"[`*]", "", h) for h in HEADING.findall(text_of(page))]


def names_a_heading(section: str, page: Path) -> bool:
    """``§Uploads`` names "Uploads and Excel"; ``§Responsibility system reads …`` names "Responsibility system"."""
    section = section.strip()
    return bool(section) and any(h.startswith(section) or section.startswith(h) for h in headings(page))


def citations():
    for path in cited_files():
        if path == Path(__file__).resolve():
            continue
        text = text_of(path)
        for number, line in enumerate(text.splitlines(), 1):
            yield path.relative_to(ROOT).as_posix(), number, line


def test_no_file_cites_the_brief_outside_the_repository():
    found = [f"{name}:{number}: {line.strip()}" for name, number, line in citations() if BRIEF_CITATION.search(line)
             and not any((ROOT / brief).is_file() for brief in BRIEF if brief[:-3] in line)]
    assert not found, "cite docs/*.md instead:\n" + "\n".join(found)


def test_every_cited_markdown_file_exists():
    missing = []
    for name, number, line in citations():
        for reference in MD_PATH.findall(line):
            if reference in BRIEF or "://" in line.split(reference)[0][-12:]:
                continue
            if resolve(reference, ROOT / name) is None:
                missing.append(f"{name}:{number}: {reference}")
    assert not missing, "\n".join(missing)


def test_every_cited_section_is_a_heading_of_its_page():
    wrong = []
    for name, number, line in citations():
        for reference, sections in SECTION_CITATION.findall(line):
            page = resolve(reference, ROOT / name)
            if page is None or page.parent != ROOT / "docs":
                continue
            for section in re.findall(r"§([^§]+)", sections):
                section = section.strip().rstrip(",").strip()
                if not names_a_heading(section, page):
                    wrong.append(f"{name}:{number}: {reference} §{section}")
    assert not wrong, "\n".join(wrong)


TOP = ("jurisdictions", "units", "personnel", "inspections", "portal", "templates", "tests", ".ci")
REPO_PATH = re.compile(r"`((?:" + "|".join(re.escape(top) for top in TOP) + r")/[\w./-]*\w)`")
TEST_NAME = re.compile(r"`(test_\w+?)(…)?`")


def doc_pages():
    return sorted((ROOT / "docs").glob("*.md"))


def test_every_file_the_docs_name_is_in_the_repository():
    missing = [f"{page.name}: {path}" for page in doc_pages() for path in REPO_PATH.findall(text_of(page))
               if not (ROOT / path).exists()]
    assert not missing, "\n".join(missing)


def test_every_test_the_docs_name_exists():
    """docs/security.md names the tests that prove each promise; a renamed or removed test fails here."""
    defined = {m for path in (ROOT / "tests").rglob("test_*.py")
               for m in re.findall(r"^\s*def (test_\w+)", text_of(path), re.MULTILINE)}
    missing = [f"{page.name}: {name}" for page in doc_pages() for name, cut in TEST_NAME.findall(text_of(page))
               if not (any(d.startswith(name) for d in defined) if cut else name in defined)]
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("page", sorted(p.name for p in (ROOT / "docs").glob("*.md")))
def test_the_readme_links_every_page_of_docs(page):
    assert f"docs/{page}" in text_of(ROOT / "README.md")


def test_the_rules_catch_a_stale_citation(tmp_path):
    brief = BRIEF[0][:-3]
    assert BRIEF_CITATION.search(f"scoping is one indexed equality ({brief} §3.1)")
    assert BRIEF_CITATION.search(f"see {BRIEF[2]} §Audit")
    assert not BRIEF_CITATION.search("CONTENT_SECURITY_POLICY = {}")
    assert MD_PATH.findall("sizing in docs/operations.md and [accounts](accounts.md)") == [
        "docs/operations.md", "accounts.md"]
    page = tmp_path / "page.md"
    page.write_text("# Title\n\n## Uploads and Excel\n\n## 404, not 403\n", encoding="utf-8")
    assert names_a_heading("Uploads", page)
    assert names_a_heading("404", page)
    assert not names_a_heading("Backups", page)
    [(_page, sections)] = SECTION_CITATION.findall("(docs/architecture.md §Background work, §Documents)")
    assert re.findall(r"§([^§]+)", sections) == ["Background work, ", "Documents"]
