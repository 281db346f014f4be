"""One helper renders every notice and certificate to PDF (docs/architecture.md §Documents).

Layout after GB/T 9704-2012 lives in ``templates/pdf/base.html``. Fonts come from the system
(``fonts-noto-cjk``, installed by setup) through an explicit font stack: WeasyPrint silently drops
glyphs a font lacks, so ``assert_glyphs`` lets tests prove nothing was lost. The fetcher serves
only our own static files and the bytes the caller hands ``render_pdf`` (a record's photos, read from storage
by the app that owns them): on a closed government network a document must never reach out, and a
user-supplied URL in a template must not become a server-side request.
"""

from __future__ import annotations

import mimetypes
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import formats
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

BASE_URL = "portal-static://pdf/"
RESOURCE_SCHEME = "portal-resource"
CN_DIGITS = "〇一二三四五六七八九"
# GB/T 9704-2012 §5.2: the 版心 is 156 mm wide; the red header (发文机关标志) must fit it on one line.
TYPE_AREA_WIDTH_PT = 156 / 25.4 * 72
ISSUER_MAX_PT = 30
ISSUER_LETTER_SPACING_PT = 2


class StaticOnlyFetcher(URLFetcher):
    """Resolves ``/static/...`` (and relative) URLs to files found by staticfiles, and
    ``portal-resource:<name>`` to the ``resources`` given; refuses the rest."""

    def __init__(self, *args, resources: dict[str, bytes] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.resources = resources or {}

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        path = unquote(parts.path)
        if parts.scheme == RESOURCE_SCHEME:
            if path not in self.resources:
                raise ValueError(f"resource not given to the PDF: {path}")
            mime, _encoding = mimetypes.guess_type(path)
            return URLFetcherResponse(url, self.resources[path], {"Content-Type": mime or "application/octet-stream"})
        if parts.scheme == "portal-static":
            path = path.lstrip("/")
        elif path.startswith(settings.STATIC_URL):
            path = path[len(settings.STATIC_URL):]
        else:
            raise ValueError(f"external resource refused in PDF: {url}")
        found = finders.find(path)
        if not found:
            raise ValueError(f"static file not found for PDF: {path}")
        mime, _encoding = mimetypes.guess_type(found)
        return URLFetcherResponse(url, Path(found).read_bytes(), {"Content-Type": mime or "application/octet-stream"})


def issuer_size(issuer: str) -> float:
    """Font size (pt) of the red header: 30 pt, smaller for a name too long for the 版心 at that size
    (``临夏回族自治州市场监督管理局``, a unit's full registered name), leaving a tenth of the width free."""
    if not issuer:
        return ISSUER_MAX_PT
    fitted = TYPE_AREA_WIDTH_PT * 0.9 / len(issuer) - ISSUER_LETTER_SPACING_PT
    return round(min(ISSUER_MAX_PT, fitted), 1)


def _width_em(text: str) -> float:
    return sum(0.5 if ord(ch) < 0x2E80 else 1 for ch in text)


def closing_indent(issuer: str, issued_on: str) -> float:
    """Right indent (em) of the 成文日期: four characters (GB/T 9704-2012 §7.3.5.1), more when the 署名
    centred over the date is so much longer that it would pass the right edge of the type area."""
    overhang = (_width_em(issuer) - _width_em(issued_on)) / 2
    return max(4.0, overhang)


def resource_url(name: str) -> str:
    """The URL a template uses for ``resources[name]`` (an ``<img src>``)."""
    return f"{RESOURCE_SCHEME}:{name}"


def render_pdf(template: str, context: dict, resources: dict[str, bytes] | None = None) -> bytes:
    """``template`` as a PDF; ``resources`` are in-memory files (images) its ``resource_url`` names."""
    layout = {"issuer_pt": issuer_size(context.get("issuer", "")),
              "closing_indent": closing_indent(context.get("issuer", ""), context.get("issued_on", ""))}
    html = render_to_string(template, {**layout, **context})
    fetcher = StaticOnlyFetcher(resources=resources)
    return HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf()


def document_date(value: date) -> str:
    """``2026年11月24日`` — the date line of an official document, in the language's ``DATE_FORMAT``."""
    return formats.date_format(value, "DATE_FORMAT")


def document_number(issuer_short: str, word: str, year: int, serial: int) -> str:
    """``（兰）市监特令〔2026〕第12号`` style numbers (docs/domain.md §Identifiers, [P])."""
    return f"（{issuer_short}）{word}〔{year}〕第{serial}号"
