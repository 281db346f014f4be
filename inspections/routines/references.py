"""The four reference documents of 日管控、周排查、月调度, blank, for units that still keep them on paper.

002 附件 5: the local regulator may hand units reference templates of the 安全风险管控清单, the daily check
record, the weekly report and the monthly minutes, which each unit adapts to itself. Titles follow
Order 74's per-kind wording (《电梯安全风险管控清单》, 《每日X安全检查记录》, 《每周X安全排查治理报告》,
《每月X安全调度会议纪要》), with 特种设备 for X when no kind is chosen; the fields follow the portal's own
records (docs/domain.md §Risk control list, §Self-check records).

A chosen equipment category (a key of ``data/risk_templates.json``) prefills the list with that template's
rows and the daily record with its daily rows, each followed by ruled rows for the unit's own. Without
one the list and the record are ruled rows only: a unit keeps one list per kind of equipment, and all nine
templates at once would be six pages of rows about equipment it does not have.

Each document is a PDF (through ``portal.kit.pdf``) and a print-ready workbook; both hold no data of any
unit, so they are the same for every reader.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from inspections.routines.choices import Frequency, RiskCategory
from inspections.routines.risk_templates import templates
from personnel.choices import Post
from portal.kit.pdf import render_pdf
from portal.kit.tables import escape_formula
from units.models import EquipmentType

RISK_BLANK_ROWS = 12  # one landscape page of ruled rows
RISK_EXTRA_ROWS = 3  # after a template's rows, for the unit's own
DAILY_MIN_ROWS = 12
DAILY_EXTRA_ROWS = 3
RESOLUTION_ROWS = 5
PREFILLED = {"risk-list", "daily-check"}  # the documents a chosen category fills in; the others only name it


@dataclass(frozen=True)
class Document:
    slug: str
    title_pattern: object  # a lazy msgid with %(kind)s
    template: str
    landscape: bool = False


DOCUMENTS = {d.slug: d for d in (
    Document("risk-list", gettext_lazy("%(kind)s安全风险管控清单"), "pdf/routines/blank_risk_list.html",
             landscape=True),
    Document("daily-check", gettext_lazy("每日%(kind)s安全检查记录"), "pdf/routines/blank_daily_check.html"),
    Document("weekly-report", gettext_lazy("每周%(kind)s安全排查治理报告"), "pdf/routines/blank_weekly_report.html"),
    Document("monthly-minutes", gettext_lazy("每月%(kind)s安全调度会议纪要"),
             "pdf/routines/blank_monthly_minutes.html"),
)}


def kinds() -> list[tuple[str, str]]:
    """(code, name) of every category with a template, named as the equipment catalogue names it."""
    names = dict(EquipmentType.objects.filter(code__in=templates()).values_list("code", "name"))
    return [(code, names.get(code) or template["name"]) for code, template in sorted(templates().items())]


def kind_name(kind: str | None) -> str:
    """The catalogue's name of ``kind``, or 特种设备 for none; an unknown code is the reader's mistake."""
    if not kind:
        return _("特种设备")
    name = dict(kinds()).get(kind)
    if name is None:
        raise ValidationError(_("没有设备类别代码为“%(kind)s”的参考模板，请从列表中选择设备类别。")
                              % {"kind": kind[:16]}, code="unknown_kind")
    return name


def title(doc: Document, kind: str | None = None) -> str:
    return str(doc.title_pattern) % {"kind": kind_name(kind)}


def risk_rows(kind: str | None) -> list[list[str]]:
    """The list's rows, numbered: the template's of ``kind`` covering all its equipment, then blank ones."""
    if not kind:
        return [[str(n)] + [""] * 7 for n in range(1, RISK_BLANK_ROWS + 1)]
    covers = _("全部%(kind)s") % {"kind": kind_name(kind)}
    filled = [[RiskCategory(r["category"]).label, r["risk_item"], r["check_content"], r["control_measure"],
               Post(r["post"]).label, Frequency(r["frequency"]).label, covers] for r in templates()[kind]["rows"]]
    rows = filled + [[""] * 7] * RISK_EXTRA_ROWS
    return [[str(n)] + [str(v) for v in row] for n, row in enumerate(rows, 1)]


def daily_rows(kind: str | None) -> list[list[str]]:
    """The record's items, numbered: the daily rows of ``kind``'s template (日管控 walks the daily ones),
    then blank ones, at least a page's worth."""
    filled = [[r["risk_item"], r["check_content"]] for r in (templates()[kind]["rows"] if kind else ())
              if r["frequency"] == Frequency.DAILY]
    count = max(DAILY_MIN_ROWS, len(filled) + DAILY_EXTRA_ROWS)
    rows = filled + [["", ""]] * (count - len(filled))
    return [[str(n), *row] for n, row in enumerate(rows, 1)]


def _labels() -> dict:
    """Every caption the forms print, shared by the PDF and the workbook so the two never disagree."""
    return {
        "risk_columns": [_("序号"), _("类别"), _("风险点"), _("检查内容和标准"), _("管控措施"), _("责任岗位"),
                         _("频次"), _("涉及设备")],
        "daily_columns": [_("序号"), _("检查项目"), _("检查内容和标准"), _("检查结果"), _("问题及处理")],
        "daily_results": [_("正常"), _("异常"), _("无此项")],
        "periods": [_("上午"), _("下午"), _("全天")],
        "conclusions": [_("正常"), _("有隐患"), _("零风险报告")],
        # (group, its columns): a group without columns is one column under a two-row heading.
        "weekly_stats": [(_("本周日管控情况"), [_("应检"), _("已检"), _("其中补录")]),
                         (_("隐患"), [_("发现"), _("已整改"), _("未整改"), _("逾期")])],
        "weekly_stats_label": _("本周情况"),
        "weekly_boxes": [_("排查情况"), _("总监评估意见"), _("下周工作重点")],
        "monthly_stats": [(_("日管控"), [_("应检"), _("已检")]), (_("周排查"), [_("应报"), _("已报")]),
                          (_("零风险报告次数"), []), (_("隐患"), [_("发现"), _("销号"), _("逾期")])],
        "monthly_stats_label": _("本月统计"),
        "monthly_boxes": [_("本月巡查主要问题"), _("整改方案落实情况"), _("未解决的问题"), _("月调度内容"),
                          _("其他安全事项"), _("会议研究采取的措施")],
        "resolution_columns": [_("序号"), _("事项"), _("责任人"), _("完成期限"), _("状态")],
        "date_blank": _("　　　　年　　月　　日"),
    }


def _note(doc: Document, kind: str | None) -> str:
    """The note printed under each form: how to fill it in, after the article it serves."""
    if doc.slug == "risk-list":
        if kind:
            return _("注：条目为%(kind)s的参考内容，单位应结合本单位实际增删修改。频次为每日的条目纳入日管控，"
                     "每周的纳入周排查，每月的纳入月调度。") % {"kind": kind_name(kind)}
        return _("注：单位应结合本单位设备和岗位实际逐项填写。频次为每日的条目纳入日管控，每周的纳入周排查，"
                 "每月的纳入月调度。")
    return {
        "daily-check": _("注：1. 对照本单位安全风险管控清单，逐项检查当日投入使用的设备，在相应结果栏内打“√”；"
                         "2. 发现异常的，在“问题及处理”栏写明问题、已采取的措施和整改责任人，并报告安全总监；"
                         "3. 未发现问题的也应记录，总体结论勾选“零风险报告”。"),
        "weekly-report": _("注：安全总监每周至少组织一次风险隐患排查；本周日管控情况和隐患情况据本周每日安全检查记录"
                           "和隐患整改台账填写。"),
        "monthly-minutes": _("注：主要负责人每月至少听取一次安全总监管理情况汇报；本月统计据本月每日安全检查记录、"
                             "每周安全排查治理报告和隐患整改台账填写；决议事项逐项明确责任人和完成期限，跟踪至完成。"),
    }[doc.slug]


def context(doc: Document, kind: str | None = None) -> dict:
    ctx = {"doc": doc.slug, "title": title(doc, kind), "kind": kind or "", "note": _note(doc, kind),
           "landscape": doc.landscape, **_labels()}
    if doc.slug == "risk-list":
        ctx["rows"] = risk_rows(kind)
    elif doc.slug == "daily-check":
        ctx["rows"] = daily_rows(kind)
    elif doc.slug == "monthly-minutes":
        ctx["resolution_rows"] = [str(n) for n in range(1, RESOLUTION_ROWS + 1)]
    return ctx


def pdf(doc: Document, kind: str | None = None) -> bytes:
    return render_pdf(doc.template, context(doc, kind))


# --- Workbooks -------------------------------------------------------------------------------------

THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
LEFT = Alignment(wrap_text=True, vertical="center")
CENTRE = Alignment(wrap_text=True, vertical="center", horizontal="center")
TOP = Alignment(wrap_text=True, vertical="top")
FONT = "SimSun"  # the face Chinese office suites print forms in


def _font(size: int = 11, bold: bool = False) -> Font:
    return Font(name=FONT, size=size, bold=bold)


class FormSheet:
    """A worksheet laid out as a printed form over columns of ``widths`` (Excel's character widths):
    a title, then rows of bordered cells, each cell (text, span); A4, one page wide, grid lines off."""

    def __init__(self, sheet, widths: list[float], *, landscape: bool):
        self.sheet, self.width, self.row = sheet, len(widths), 1
        for i, w in enumerate(widths, 1):
            sheet.column_dimensions[get_column_letter(i)].width = w
        setup = sheet.page_setup
        setup.paperSize = sheet.PAPERSIZE_A4
        setup.orientation = "landscape" if landscape else "portrait"
        setup.fitToWidth, setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.print_options.horizontalCentered = True
        sheet.page_margins.left = sheet.page_margins.right = 0.5
        sheet.page_margins.top = sheet.page_margins.bottom = 0.6
        sheet.oddFooter.center.text = _("第 &P 页，共 &N 页")
        sheet.sheet_view.showGridLines = False

    def title(self, text: str):
        self.cells([(text, self.width)], font=_font(16, bold=True), align=CENTRE, height=36, border=False)

    def line(self, text: str, *, height: float = 20):
        """A caption or note across the whole width, outside the form's ruling."""
        self.cells([(text, self.width)], height=height, border=False)

    def cells(self, cells, *, font=None, align=LEFT, height: float = 24, border: bool = True, centred=()):
        """One row; ``centred`` names the cells (by index) set centred, e.g. numbers and tick boxes."""
        column = 1
        for index, (text, span) in enumerate(cells):
            cell = self.sheet.cell(row=self.row, column=column, value=escape_formula(text) if text else None)
            cell.font, cell.alignment = font or _font(), CENTRE if index in centred else align
            if span > 1:
                self.sheet.merge_cells(start_row=self.row, start_column=column, end_row=self.row,
                                       end_column=column + span - 1)
            if border:
                for c in range(column, column + span):
                    self.sheet.cell(row=self.row, column=c).border = BOX
            column += span
        self.sheet.row_dimensions[self.row].height = height
        self.row += 1

    def heading(self, texts: list[str], spans=None, *, height: float = 24):
        spans = spans or [1] * len(texts)
        self.cells(list(zip(texts, spans, strict=True)), font=_font(bold=True), align=CENTRE, height=height)

    def labelled(self, cells, *, height: float = 28):
        """A row of captions and spaces: the even cells are captions (bold, centred), the odd ones blanks."""
        self.cells(cells, height=height, centred=range(0, len(cells), 2))
        column = 1
        for index, (_text, span) in enumerate(cells):
            if index % 2 == 0:
                self.sheet.cell(row=self.row - 1, column=column).font = _font(bold=True)
            column += span

    def merge_down(self, column: int, first: int, rows: int):
        self.sheet.merge_cells(start_row=first, start_column=column, end_row=first + rows - 1, end_column=column)

    def repeat_rows(self, first: int, last: int):
        self.sheet.print_title_rows = f"{first}:{last}"

    def stats(self, label: str, groups, *, label_span: int = 1):
        """A labelled block of figures to write in: group headings over their columns, then one empty row."""
        first = self.row
        widths = [max(1, len(columns)) for _group, columns in groups]
        self.heading([label, *(g for g, _c in groups)], [label_span, *widths])
        self.heading([""] * label_span + [c for _g, columns in groups for c in columns or [""]])
        self.cells([("", label_span)] + [("", 1)] * sum(widths), height=30)
        self.sheet.merge_cells(start_row=first, start_column=1, end_row=first + 2, end_column=label_span)
        column = label_span + 1
        for (_group, columns), width in zip(groups, widths, strict=True):
            if not columns:
                self.merge_down(column, first, 2)
            column += width

    def box(self, label: str, *, height: float, label_span: int = 1):
        """A captioned space to write in."""
        self.labelled([(label, label_span), ("", self.width - label_span)], height=height)
        self.sheet.cell(row=self.row - 1, column=label_span + 1).alignment = TOP


def _ticks(words) -> str:
    return "   ".join(f"□{w}" for w in words)


def _risk_sheet(form_sheet, ctx):
    form = FormSheet(form_sheet, [6, 12, 18, 38, 34, 11, 8, 14], landscape=True)
    form.title(ctx["title"])
    form.line(_("单位名称：　　　　　　　　　　　　　　　　制定（修订）日期：%(date)s") % {"date": ctx["date_blank"]})
    form.heading(ctx["risk_columns"])
    form.repeat_rows(form.row - 1, form.row - 1)
    for row in ctx["rows"]:
        form.cells([(v, 1) for v in row], height=40, centred=(0, 1, 5, 6))
    form.line(_("编制人：　　　　　　　审核人：　　　　　　　批准人（主要负责人）：　　　　　　　日期：%(date)s")
              % {"date": ctx["date_blank"]}, height=32)
    form.line(ctx["note"], height=32)


def _daily_sheet(sheet, ctx):
    form = FormSheet(sheet, [6, 18, 34, 7, 7, 7, 26], landscape=False)
    form.title(ctx["title"])
    form.labelled([(_("单位名称"), 2), ("", 2), (_("设备"), 1), ("", 2)])
    form.labelled([(_("日期"), 2), (ctx["date_blank"], 2), (_("时段"), 1), (_ticks(ctx["periods"]), 2)])
    number, item, content, result, problem = ctx["daily_columns"]
    first = form.row
    form.heading([number, item, content, result, problem], [1, 1, 1, 3, 1])
    form.heading(["", "", ""] + ctx["daily_results"] + [""])
    for column in (1, 2, 3, 7):
        form.merge_down(column, first, 2)
    form.repeat_rows(first, first + 1)
    for n, check_item, check_content in ctx["rows"]:
        form.cells([(n, 1), (check_item, 1), (check_content, 1), ("□", 1), ("□", 1), ("□", 1), ("", 1)], height=36,
                   centred=(0, 3, 4, 5))
    form.labelled([(_("总体结论"), 2), (_ticks(ctx["conclusions"]), 5)])
    form.labelled([(_("安全员签字"), 2), ("", 2), (_("日期"), 1), (ctx["date_blank"], 2)], height=32)
    form.line(ctx["note"], height=48)


def _weekly_sheet(sheet, ctx):
    form = FormSheet(sheet, [16] + [10] * 7, landscape=False)
    form.title(ctx["title"])
    form.labelled([(_("单位"), 1), ("", 7)])
    form.labelled([(_("周期"), 1), (_("%(start)s　至　%(end)s") % {"start": ctx["date_blank"],
                                                                  "end": ctx["date_blank"]}, 7)])
    form.stats(ctx["weekly_stats_label"], ctx["weekly_stats"])
    for label in ctx["weekly_boxes"]:
        form.box(label, height=150)
    form.labelled([(_("安全总监签字"), 1), ("", 3), (_("日期"), 1), (ctx["date_blank"], 3)], height=32)
    form.line(ctx["note"], height=32)


def _monthly_sheet(sheet, ctx):
    form = FormSheet(sheet, [16] + [9] * 8, landscape=False)
    form.title(ctx["title"])
    form.labelled([(_("单位名称"), 1), ("", 8)])
    form.labelled([(_("会议时间"), 1), ("", 4), (_("地点"), 1), ("", 3)])
    form.labelled([(_("主持人（主要负责人）"), 1), ("", 4), (_("记录人"), 1), ("", 3)], height=32)
    form.labelled([(_("参会人员"), 1), ("", 8)], height=44)
    form.stats(ctx["monthly_stats_label"], ctx["monthly_stats"])
    for label in ctx["monthly_boxes"]:
        form.box(label, height=80)
    number, matter, owner, due, state = ctx["resolution_columns"]
    form.cells([(_("决议事项"), 9)], font=_font(bold=True), align=CENTRE)
    form.heading([number, matter, owner, due, state], [1, 4, 1, 2, 1])
    for n in ctx["resolution_rows"]:
        form.cells([(n, 1), ("", 4), ("", 1), ("", 2), ("", 1)], height=30, centred=(0,))
    form.labelled([(_("主要负责人签字"), 1), ("", 4), (_("日期"), 1), (ctx["date_blank"], 3)], height=32)
    form.line(ctx["note"], height=32)


SHEETS = {"risk-list": (_risk_sheet, gettext_lazy("风险管控清单")),
          "daily-check": (_daily_sheet, gettext_lazy("每日检查记录")),
          "weekly-report": (_weekly_sheet, gettext_lazy("每周排查报告")),
          "monthly-minutes": (_monthly_sheet, gettext_lazy("每月调度纪要"))}


def workbook(doc: Document, kind: str | None = None) -> bytes:
    build, sheet_name = SHEETS[doc.slug]
    ctx = context(doc, kind)
    book = Workbook()
    sheet = book.active
    sheet.title = str(sheet_name)
    build(sheet, ctx)
    book.properties.title = ctx["title"]
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
