"""Where things stand on a rendered PDF page, in millimetres, for layout tests after GB/T 9704-2012:
A4 210 × 297 mm, 订口 (left margin) 28 mm, 版心 156 mm wide, so the type area runs from 28 to 184 mm."""

import io
from dataclasses import dataclass

import pdfplumber

MM_PER_PT = 25.4 / 72
PAGE_CENTRE = 105.0
TYPE_LEFT, TYPE_RIGHT = 28.0, 184.0


@dataclass(frozen=True)
class Line:
    page: int  # 1-based
    top: float
    x0: float
    x1: float
    text: str

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def flat(self) -> str:
        return self.text.replace(" ", "")


def lines(pdf: bytes) -> list[Line]:
    """Every text line of every page, top to bottom."""
    found = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for number, page in enumerate(document.pages, start=1):
            found += [Line(number, line["top"] * MM_PER_PT, line["x0"] * MM_PER_PT, line["x1"] * MM_PER_PT,
                           line["text"]) for line in page.extract_text_lines()]
    return found


def page_count(pdf: bytes) -> int:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return len(document.pages)


def chars_right_edge(pdf: bytes) -> float:
    """The rightmost extent of any character on any page (mm): beyond 184 mm text left the type area."""
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return max(c["x1"] for page in document.pages for c in page.chars) * MM_PER_PT


def first(found: list[Line], text: str) -> Line:
    return next(line for line in found if text in line.flat)


def last(found: list[Line], text: str) -> Line:
    return next(line for line in reversed(found) if text in line.flat)


def signature(found: list[Line], issuer: str, issued_on: str) -> tuple[Line, Line]:
    """The closing 发文机关署名 and 成文日期: the last line naming the issuer, and the date line under it."""
    name = next(line for line in reversed(found) if line.flat == issuer)
    date = next(line for line in found if line.page == name.page and line.top > name.top and line.flat == issued_on)
    return name, date
