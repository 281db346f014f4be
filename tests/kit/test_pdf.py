import io
import time
from datetime import date

import pytest
from pypdf import PdfReader

from portal.kit.pdf import StaticOnlyFetcher, chinese_date, document_number, render_pdf


def _text(pdf: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(pdf))
    return "".join(page.extract_text() for page in reader.pages), len(reader.pages)


def test_official_document_renders_chinese_text_without_losing_glyphs():
    context = {
        "issuer": "兰州市市场监督管理局",
        "document_number": document_number("兰", "市监特令", 2026, 12),
        "title": "关于特种设备安全的通知",
        "issued_on": chinese_date(date(2026, 11, 24)),
    }
    started = time.perf_counter()
    pdf = render_pdf("pdf/base.html", context)
    elapsed = time.perf_counter() - started
    text, pages = _text(pdf)
    flat = text.replace(" ", "").replace("\n", "")
    expected_lines = (
        "兰州市市场监督管理局",
        "（兰）市监特令〔2026〕第12号",
        "关于特种设备安全的通知",
        "2026年11月24日",
    )
    for expected in expected_lines:
        assert expected in flat
    assert pages == 1
    assert "\ufffd" not in text and "□" not in text
    assert elapsed < 5, f"one page took {elapsed:.1f}s: is libharfbuzz-subset0 installed?"


def test_pdf_fetcher_refuses_external_resources():
    fetcher = StaticOnlyFetcher()
    with pytest.raises(ValueError):
        fetcher.fetch("http://127.0.0.1:1/evil.css")
    with pytest.raises(ValueError):
        fetcher.fetch("file:///etc/passwd")
    assert fetcher.fetch("/static/portal/portal.css").status == 200


def test_chinese_date_has_no_leading_zeros():
    assert chinese_date(date(2026, 1, 5)) == "2026年1月5日"
