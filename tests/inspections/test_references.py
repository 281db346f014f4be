"""The blank reference documents of 日管控、周排查、月调度 (seed 002 附件 5; inspections/routines/references.py):
each as a PDF whose text reads back with every heading (WeasyPrint drops a glyph its fonts lack, so a heading found is a
heading drawn) and as a workbook with its heading row; the risk control list and the daily record prefilled
from one category's template; an unknown category answered in words, never a 500."""

import io
from urllib.parse import unquote

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell
from pypdf import PdfReader

from inspections.routines import references
from inspections.routines.risk_templates import templates
from tests.factories import logged_in

TITLES = {"risk-list": "特种设备安全风险管控清单", "daily-check": "每日特种设备安全检查记录",
          "weekly-report": "每周特种设备安全排查治理报告", "monthly-minutes": "每月特种设备安全调度会议纪要"}
HEADINGS = {
    "risk-list": ("单位名称", "序号", "类别", "风险点", "检查内容和标准", "管控措施", "责任岗位", "频次", "涉及设备",
                  "批准人（主要负责人）"),
    "daily-check": ("单位名称", "设备", "日期", "时段", "上午", "下午", "全天", "检查项目", "检查内容和标准", "正常",
                    "异常", "无此项", "问题及处理", "总体结论", "有隐患", "零风险报告", "安全员签字"),
    "weekly-report": ("单位", "周期", "本周日管控情况", "应检", "已检", "其中补录", "隐患", "发现", "已整改", "未整改",
                      "逾期", "排查情况", "总监评估意见", "下周工作重点", "安全总监签字"),
    "monthly-minutes": ("会议时间", "地点", "主持人（主要负责人）", "记录人", "参会人员", "本月统计", "日管控",
                        "周排查", "应报", "已报", "零风险报告次数", "销号", "逾期", "本月巡查主要问题",
                        "整改方案落实情况", "未解决的问题", "月调度内容", "其他安全事项", "会议研究采取的措施",
                        "决议事项", "责任人", "完成期限", "状态", "主要负责人签字"),
}
# What a spreadsheet's heading row holds: the first row of bordered, bold cells under the title.
SHEET_HEADINGS = {
    "risk-list": ["序号", "类别", "风险点", "检查内容和标准", "管控措施", "责任岗位", "频次", "涉及设备"],
    "daily-check": ["序号", "检查项目", "检查内容和标准", "检查结果", "问题及处理"],
    "weekly-report": ["本周情况", "本周日管控情况", "隐患"],
    "monthly-minutes": ["本月统计", "日管控", "周排查", "零风险报告次数", "隐患"],
}
MAX_PAGES = {"risk-list": 1, "daily-check": 1, "weekly-report": 1, "monthly-minutes": 2}
ELEVATOR = "3000"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def pdf_text(content: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(content))
    text = "".join(page.extract_text() for page in reader.pages)
    return text.replace(" ", "").replace("\n", ""), len(reader.pages)


def sheet_rows(content: bytes) -> list[list[str]]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [[str(v) for v in row if v is not None] for row in sheet.iter_rows(values_only=True)]


def heading_row(content: bytes) -> list[str]:
    """The first ruled row whose cells are all bold (a row of captions and blanks to fill has plain blanks)."""
    sheet = load_workbook(io.BytesIO(content)).active
    for row in sheet.iter_rows(min_row=2):
        ruled = [c for c in row if not isinstance(c, MergedCell) and c.border.top.style]
        if ruled and all(c.font.b for c in ruled):
            return [str(c.value) for c in ruled if c.value is not None]
    return []


@pytest.fixture
def client(world):
    return logged_in(world["users"]["county"])


@pytest.mark.parametrize("doc", list(references.DOCUMENTS))
def test_each_blank_pdf_reads_back_with_its_title_and_headings(client, doc):
    response = client.get(reverse("routines:reference_pdf", args=[doc]))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert unquote(response["Content-Disposition"]).endswith(f"{TITLES[doc]}.pdf")
    text, pages = pdf_text(response.content)
    assert TITLES[doc] in text
    missing = [h for h in HEADINGS[doc] if h not in text]
    assert missing == []
    assert "\ufffd" not in text
    assert 1 <= pages <= MAX_PAGES[doc]


@pytest.mark.parametrize("doc", list(references.DOCUMENTS))
def test_each_blank_workbook_opens_with_its_title_and_heading_row(client, doc):
    response = client.get(reverse("routines:reference_xlsx", args=[doc]))

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert unquote(response["Content-Disposition"]).endswith(f"{TITLES[doc]}.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert sheet["A1"].value == TITLES[doc]
    assert heading_row(response.content) == SHEET_HEADINGS[doc]
    assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4
    assert sheet.page_setup.orientation == ("landscape" if doc == "risk-list" else "portrait")
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1
    assert all(sheet.column_dimensions[c].width > 5 for c in "ABCDE")
    cells = "\n".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)
    assert [h for h in HEADINGS[doc] if h not in cells] == []


def test_the_list_prefilled_by_kind_holds_that_kinds_template_rows(client):
    row = templates()[ELEVATOR]["rows"][0]

    text, _pages = pdf_text(client.get(reverse("routines:reference_pdf", args=["risk-list"]),
                                       {"kind": ELEVATOR}).content)
    rows = sheet_rows(client.get(reverse("routines:reference_xlsx", args=["risk-list"]), {"kind": ELEVATOR}).content)

    assert "电梯安全风险管控清单" in text
    assert row["risk_item"] in text and row["check_content"].replace(" ", "") in text
    assert "全部电梯" in text
    filled = [r for r in rows if row["risk_item"] in r]
    assert filled and filled[0][0] == "1" and "全部电梯" in filled[0]
    boiler_item = templates()["1000"]["rows"][0]["risk_item"]
    assert boiler_item not in text and not any(boiler_item in r for r in rows)
    numbered = [r for r in rows if r and r[0].isdigit()]
    assert len(numbered) == len(templates()[ELEVATOR]["rows"]) + references.RISK_EXTRA_ROWS


def test_the_blank_list_without_kind_is_ruled_rows_only(client):
    rows = sheet_rows(client.get(reverse("routines:reference_xlsx", args=["risk-list"])).content)

    numbered = [r for r in rows if r and r[0].isdigit()]
    assert len(numbered) == references.RISK_BLANK_ROWS and all(len(r) == 1 for r in numbered)


def test_the_daily_record_by_kind_lists_that_kinds_daily_rows_only(client):
    rows = templates()[ELEVATOR]["rows"]
    daily = [r["risk_item"] for r in rows if r["frequency"] == "daily"]
    other = [r["risk_item"] for r in rows if r["frequency"] != "daily"]

    text, pages = pdf_text(client.get(reverse("routines:reference_pdf", args=["daily-check"]),
                                      {"kind": ELEVATOR}).content)

    assert "每日电梯安全检查记录" in text and pages == 1
    assert daily and all(item in text for item in daily)
    assert not any(item in text for item in other)


@pytest.mark.parametrize("code", sorted(templates()))
def test_every_kind_fits_its_list_and_daily_record_on_one_page(tree, code):
    for doc in ("risk-list", "daily-check"):
        _text, pages = pdf_text(references.pdf(references.DOCUMENTS[doc], code))
        assert pages == 1, (code, doc)


@pytest.mark.parametrize("fmt", ["reference_pdf", "reference_xlsx"])
@pytest.mark.parametrize("kind", ["9999", "<script>", "x" * 300])
def test_an_unknown_kind_is_a_404_not_a_500(client, fmt, kind):
    assert client.get(reverse(f"routines:{fmt}", args=["risk-list"]), {"kind": kind}).status_code == 404


def test_an_unknown_document_is_a_404(client):
    assert client.get(reverse("routines:reference_pdf", args=["annual-report"])).status_code == 404


def test_the_page_lists_the_four_documents_and_says_when_a_kind_is_unknown(client):
    page = client.get(reverse("routines:references"))
    html = page.content.decode()
    assert page.status_code == 200
    for doc, title in TITLES.items():
        assert title in html
        assert reverse("routines:reference_pdf", args=[doc]) in html
        assert reverse("routines:reference_xlsx", args=[doc]) in html
    assert f'value="{ELEVATOR}"' in html

    chosen = client.get(reverse("routines:references"), {"kind": ELEVATOR}).content.decode()
    assert "电梯安全风险管控清单" in chosen and f"?kind={ELEVATOR}" in chosen

    unknown = client.get(reverse("routines:references"), {"kind": "9999"})
    assert unknown.status_code == 200
    assert "没有设备类别代码为“9999”的参考模板" in unknown.content.decode()
    assert "?kind=" not in unknown.content.decode()


def test_the_enterprise_sees_its_own_categories_first(world):
    from tests.inspections.test_risk_list import equip

    equip(world["unit"], "3110")
    kinds = logged_in(world["users"]["enterprise"]).get(reverse("routines:references")).context["kinds"]
    assert kinds[0][0] == ELEVATOR


def test_the_documents_are_issued_in_chinese_whatever_the_page_language(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text, _pages = pdf_text(client.get(reverse("routines:reference_pdf", args=["weekly-report"])).content)
    assert TITLES["weekly-report"] in text
