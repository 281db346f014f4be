import io
import logging
from datetime import date

import pytest
from pypdf import PdfReader

from portal.kit.pdf import StaticOnlyFetcher, document_date, document_number, render_pdf, resource_url
from tests import pdflayout
from tests.pdflayout import PAGE_CENTRE, TYPE_LEFT, TYPE_RIGHT

CONTEXT = {
    "issuer": "兰州市市场监督管理局",
    "document_number": document_number("兰", "市监特令", 2026, 12),
    "title": "关于特种设备安全的通知",
    "issued_on": document_date(date(2026, 11, 24)),
}
# A subset of the few dozen glyphs one page uses weighs tens of kB; the whole Noto CJK face is ~20 MB.
SUBSET_FONT_BYTES = 1_000_000


def _text(pdf: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(pdf))
    return "".join(page.extract_text() for page in reader.pages), len(reader.pages)


def _embedded_font_sizes(pdf: bytes) -> list[int]:
    sizes = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            for descendant in font.get_object().get("/DescendantFonts") or [font]:
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                    if key in descriptor:
                        sizes.append(len(descriptor[key].get_object().get_data()))
    return sizes


def test_official_document_renders_chinese_text_without_losing_glyphs():
    pdf = render_pdf("pdf/base.html", CONTEXT)
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


def test_fonts_are_subset_by_harfbuzz(caplog):
    """Without libharfbuzz-subset0 WeasyPrint falls back to fontTools, which takes ~13 s a page on the CJK
    face (docs/architecture.md §Documents). The fallback announces itself in a warning; a missing subset shows in the
    size."""
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = render_pdf("pdf/base.html", CONTEXT)
    assert not [r for r in caplog.records if "HarfBuzz" in r.getMessage()], "is libharfbuzz-subset0 installed?"
    sizes = _embedded_font_sizes(pdf)
    assert sizes and max(sizes) < SUBSET_FONT_BYTES, sizes


def test_red_header_and_number_are_centred_and_the_closing_right_aligned_with_a_seal():
    """GB/T 9704-2012 §7.2.4–7.2.5: 发文机关标志 and 发文字号 centred; §7.3.5.1: the date four characters from the
    right, the 署名 centred over it, the seal pressing on both."""
    found = pdflayout.lines(render_pdf("pdf/base.html", CONTEXT))
    header = pdflayout.first(found, "兰州市市场监督管理局")
    number = pdflayout.first(found, "〔2026〕第12号")
    assert abs(header.centre - PAGE_CENTRE) <= 2, f"header centred at {header.centre:.1f} mm"
    assert abs(number.centre - PAGE_CENTRE) <= 2, f"number centred at {number.centre:.1f} mm"
    name, issued = pdflayout.signature(found, CONTEXT["issuer"], CONTEXT["issued_on"])
    four_characters = 4 * 16 * pdflayout.MM_PER_PT
    assert abs((TYPE_RIGHT - issued.x1) - four_characters) <= 2, f"date ends at {issued.x1:.1f} mm"
    assert abs(name.centre - issued.centre) <= 1
    seal = pdflayout.last(found, "（盖章）")
    assert seal.page == name.page and 0 < name.top - seal.top < 25 and abs(seal.centre - name.centre) <= 2


def test_a_long_authority_name_stays_inside_the_type_area():
    context = {**CONTEXT, "issuer": "临夏回族自治州市场监督管理局"}
    pdf = render_pdf("pdf/base.html", context)
    header = pdflayout.first(pdflayout.lines(pdf), context["issuer"])
    assert header.x0 >= TYPE_LEFT - 0.5 and header.x1 <= TYPE_RIGHT + 0.5, (header.x0, header.x1)
    assert abs(header.centre - PAGE_CENTRE) <= 2
    assert pdflayout.chars_right_edge(pdf) <= TYPE_RIGHT + 0.5


def test_pdf_fetcher_refuses_external_resources():
    fetcher = StaticOnlyFetcher()
    with pytest.raises(ValueError):
        fetcher.fetch("http://127.0.0.1:1/evil.css")
    with pytest.raises(ValueError):
        fetcher.fetch("file:///etc/passwd")
    assert fetcher.fetch("/static/portal/portal.css").status == 200


def test_pdf_fetcher_serves_only_the_resources_it_was_given():
    fetcher = StaticOnlyFetcher(resources={"photo-1.jpg": b"jpeg"})
    response = fetcher.fetch(resource_url("photo-1.jpg"))
    assert response.status == 200 and response.read() == b"jpeg"
    with pytest.raises(ValueError):
        fetcher.fetch(resource_url("photo-2.jpg"))
    with pytest.raises(ValueError):
        StaticOnlyFetcher().fetch(resource_url("photo-1.jpg"))


def test_document_date_has_no_leading_zeros():
    assert document_date(date(2026, 1, 5)) == "2026年1月5日"
