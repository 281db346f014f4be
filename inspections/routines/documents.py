"""The filed records of 日管控、周排查、月调度 as PDFs, one by one and as a unit's monthly archive (issue 11 item 10;
002 §二(二): "客观、真实地记录和保存…确保责任落实有记录、可核实").

A record prints as it reads now — each amendable field with its amendments applied (``filing.current_values``) —
and lists every amendment with its time, signer, reason and the old and new text, so what was filed first stays
on the page. The signer's name stands as the 签字 with the server's filing time, 补录 is marked, and the seal with
its place in the unit's chain closes each record: a reader compares it with the portal's 核验记录.

The layout is the blank forms' (``references``, 002 附件 5) filled in, through ``portal.kit.pdf``. Photos of 异常
items print as thumbnails (``portal.kit.images.thumbnail``) handed to the renderer in memory; nothing is fetched.

The archive (``archive_pdf``) is the month's cover with ``filing.month_figures``, every day of the month in one
table (a row per check, its exceptions written out; a missed or exempt day says so), the full item table of each
check that had exceptions, then the weekly reports and the minutes, each as its own PDF shows it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from inspections.findings.models import Finding
from inspections.routines import expected, filing, references
from inspections.routines.choices import CheckResult, ItemResult
from inspections.routines.models import (
    Amendment,
    CheckPhoto,
    DailyCheck,
    MinutesAction,
    MonthlyMinutes,
    RiskItem,
    WeeklyReport,
)
from inspections.routines.models.records import MINUTES_TEXTS
from portal.kit import images
from portal.kit.pdf import document_date, render_pdf, resource_url
from portal.kit.wording import aside, clauses, listing
from units.models import Unit

THUMBNAIL_PX = 360
SEAL_SHORT = 12  # the archive's day table prints the seal's first 12 hex digits; each record prints it whole


def when(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def short_when(moment) -> str:
    """``11月30日 17:05``: a filing time inside the month's archive, whose year the cover gives."""
    local = timezone.localtime(moment)
    return f"{formats.date_format(local, 'MONTH_DAY_FORMAT')} {formats.time_format(local, 'TIME_FORMAT')}"


def titles() -> dict[str, str]:
    """The four documents' titles, as the blank forms print them (特种设备 for the kind)."""
    return {slug: references.title(doc) for slug, doc in references.DOCUMENTS.items()}


@dataclass
class Resources:
    """The images one PDF embeds, by the name its template asks for."""

    files: dict[str, bytes] = field(default_factory=dict)

    def add(self, name: str, content: bytes) -> str:
        self.files[name] = content
        return resource_url(name)


# --- What every filed record prints ------------------------------------------------------------------

def amendment_rows(record, amendments: list[Amendment]) -> list[dict]:
    meta = type(record)._meta
    return [{"at": when(a.filed_at), "signer": a.signer.name, "reason": a.reason,
             "changes": [{"label": meta.get_field(f).verbose_name, "old": old or "—", "new": new or "—"}
                         for f, (old, new) in a.changes.items()]} for a in amendments]


def record_context(record, role: str, amendments: list[Amendment]) -> dict:
    """The signature, 补录, amendments and seal of ``record``; ``role`` is the post that signs it."""
    return {"record": record, "unit": record.unit, "role": role, "signer": record.signer.name,
            "filed_at": when(record.filed_at), "late": record.late,
            "amendments": amendment_rows(record, amendments), "seal": record.seal, "chain_seq": record.chain_seq}


def _amendments_by_record(model, ids) -> dict[int, list[Amendment]]:
    from django.contrib.contenttypes.models import ContentType

    found: dict[int, list[Amendment]] = {}
    rows = (Amendment.objects.filter(record_type=ContentType.objects.get_for_model(model), record_id__in=list(ids))
            .select_related("signer").order_by("id"))
    for a in rows:
        found.setdefault(a.record_id, []).append(a)
    return found


# --- 日管控 ------------------------------------------------------------------------------------------

class DailyCheckPrinter:
    """Builds the context of daily checks, reading what several checks share once (a risk list version's items,
    the photos, the hazards): the archive prints a month of them."""

    def __init__(self, checks: list[DailyCheck], resources: Resources, *, photos: bool = True):
        self.resources = resources
        self.items: dict[int, dict[int, RiskItem]] = {}
        versions = {c.risk_version_id for c in checks}
        rows = (RiskItem.objects.filter(version__in=versions)
                .select_related("equipment__equipment_type", "equipment_type").order_by("position"))
        for item in rows:
            self.items.setdefault(item.version_id, {})[item.position] = item
        self.photos: dict[tuple[int, int], list[CheckPhoto]] = {}
        abnormal = [c.pk for c in checks if c.abnormal_positions]
        if photos and abnormal:
            for photo in CheckPhoto.objects.filter(check_id__in=abnormal).order_by("id"):
                self.photos.setdefault((photo.check_id, photo.position), []).append(photo)
        ids = [e["finding"] for c in checks for e in c.exceptions.values() if e.get("finding")]
        self.findings = {f.pk: f for f in Finding.objects.filter(pk__in=ids)} if ids else {}
        self.amendments = _amendments_by_record(DailyCheck, [c.pk for c in checks])

    def thumbnails(self, check: DailyCheck, position: int) -> list[dict]:
        shown = []
        for photo in self.photos.get((check.pk, position), []):
            try:
                with photo.file.open("rb") as handle:
                    content = images.thumbnail(handle, THUMBNAIL_PX)
            except (FileNotFoundError, OSError):
                continue
            shown.append({"src": self.resources.add(f"photo-{photo.pk}.jpg", content),
                          "received": when(photo.received_at)})
        return shown

    def finding_text(self, finding_id) -> str:
        finding = self.findings.get(finding_id)
        if finding is None:
            return ""
        return _("已登记隐患 #%(pk)s，整改期限 %(due)s，当前状态：%(status)s") % {
            "pk": finding.pk, "due": document_date(finding.due_on), "status": finding.get_status_display()}

    def rows(self, check: DailyCheck) -> list[dict]:
        items = self.items.get(check.risk_version_id, {})
        rows = []
        for position in sorted(check.positions):
            item, entry = items.get(position), check.exceptions.get(str(position), {})
            outcome = entry.get("r", ItemResult.NORMAL)
            rows.append({
                "n": position, "item": item.risk_item if item else "", "covers": item.covers if item else "",
                "content": item.check_content if item else "", "result": ItemResult(outcome).label,
                "outcome": outcome, "note": entry.get("note", ""), "finding": self.finding_text(entry.get("finding")),
                "photos": self.thumbnails(check, position) if outcome == ItemResult.ABNORMAL else []})
        return rows

    def exceptions(self, check: DailyCheck) -> list[str]:
        """The check's items that were not plain 正常, one line each, for the archive's day table."""
        items = self.items.get(check.risk_version_id, {})
        lines = []
        for key, entry in sorted(check.exceptions.items(), key=lambda kv: int(kv[0])):
            outcome = entry.get("r", ItemResult.NORMAL)
            if outcome == ItemResult.NORMAL and not entry.get("note"):
                continue
            item = items.get(int(key))
            lines.append(_("%(n)s. %(item)s：%(result)s%(note)s") % {
                "n": key, "item": item.risk_item if item else "", "result": ItemResult(outcome).label,
                "note": aside(entry["note"]) if entry.get("note") else ""})
        return lines

    def context(self, check: DailyCheck) -> dict:
        amendments = self.amendments.get(check.pk, [])
        rows = self.rows(check)
        counts = {r: sum(1 for row in rows if row["outcome"] == r) for r in ItemResult.values}
        return {**record_context(check, _("安全员"), amendments), "check": check,
                "title": titles()["daily-check"], "day": document_date(check.day),
                "period": check.get_period_display(), "version": str(check.risk_version), "rows": rows,
                "conclusion": check.get_result_display(), "hazard": check.result == CheckResult.HAZARD,
                "summary": _("共检查 %(all)d 项：正常 %(ok)d 项，异常 %(bad)d 项，无此项 %(na)d 项") % {
                    "all": len(rows), "ok": counts[ItemResult.NORMAL], "bad": counts[ItemResult.ABNORMAL],
                    "na": counts[ItemResult.NOT_APPLICABLE]},
                "note": filing.current_values(check, amendments)["note"]}


def _checks():
    return DailyCheck.objects.select_related("unit", "signer", "risk_version__risk_list")


def daily_check_pdf(check: DailyCheck) -> bytes:
    resources = Resources()
    context = DailyCheckPrinter([check], resources).context(check)
    return render_pdf("pdf/routines/daily_check.html", {"title": context["title"], "r": context}, resources.files)


# --- 周排查 ------------------------------------------------------------------------------------------

def _figures(figures: dict, groups) -> list[tuple[str, list[tuple[str, object]]]]:
    return [(group, [(label, figures.get(key, "—")) for key, label in columns]) for group, columns in groups]


def week_text(week_start: date) -> str:
    start, end = expected.week_of(week_start)
    return _("%(start)s 至 %(end)s") % {"start": document_date(start), "end": document_date(end)}


def weekly_figures(figures: dict) -> list:
    daily = dict(figures)
    daily["daily_done"] = (figures.get("daily_on_time", 0) or 0) + (figures.get("daily_late", 0) or 0)
    return _figures(daily, [
        (_("本周日管控情况"), [("daily_due", _("应检")), ("daily_done", _("已检")), ("daily_late", _("其中补录")),
                               ("daily_missing", _("漏检")), ("zero_risk", _("零风险报告"))]),
        (_("隐患"), [("hazards_found", _("发现")), ("hazards_rectified", _("已整改")), ("hazards_open", _("未整改")),
                     ("hazards_overdue", _("逾期"))]),
    ])


def weekly_context(report: WeeklyReport, amendments: list[Amendment]) -> dict:
    current = filing.current_values(report, amendments)
    meta = WeeklyReport._meta
    return {**record_context(report, _("安全总监"), amendments), "title": titles()["weekly-report"],
            "period": week_text(report.week_start), "figures": weekly_figures(report.figures),
            "figures_label": _("本周情况"),
            "sections": [{"label": meta.get_field(f).verbose_name, "text": current[f],
                          "amended": current[f] != getattr(report, f)}
                         for f in ("findings_summary", "assessment", "next_focus")]}


def weekly_report_pdf(report: WeeklyReport) -> bytes:
    context = weekly_context(report, filing.amendments_of(report))
    return render_pdf("pdf/routines/weekly_report.html", {"title": context["title"], "r": context})


# --- 月调度 ------------------------------------------------------------------------------------------

def month_text(month: date) -> str:
    return formats.date_format(month, "YEAR_MONTH_FORMAT")


def monthly_figures(figures: dict) -> list:
    values = dict(figures)
    values["daily_done"] = (figures.get("daily_on_time", 0) or 0) + (figures.get("daily_late", 0) or 0)
    return _figures(values, [
        (_("日管控"), [("daily_due", _("应检")), ("daily_done", _("已检")), ("daily_late", _("其中补录"))]),
        (_("周排查"), [("weekly_due", _("应报")), ("weekly_filed", _("已报"))]),
        (_("零风险报告次数"), [("zero_risk", "")]),
        (_("隐患"), [("hazards_found", _("发现")), ("hazards_closed", _("销号")), ("hazards_overdue", _("逾期"))]),
    ])


def inspections_due(figures: dict) -> str:
    due = figures.get("inspections_due", [])
    return clauses(f"{code} {document_date(date.fromisoformat(day))}" for code, day in due)


def minutes_context(minutes: MonthlyMinutes, amendments: list[Amendment], actions: list[MinutesAction]) -> dict:
    current = filing.current_values(minutes, amendments)
    meta = MonthlyMinutes._meta
    by_position = {a.position: a for a in actions}
    decisions = []
    for d in minutes.decisions:
        action = by_position.get(d["position"])
        if action is not None and action.status == MinutesAction.Status.DONE:
            status = _("已完成（%(day)s）") % {"day": document_date(timezone.localdate(action.done_at))}
            done_note = action.done_note
        else:
            status, done_note = _("未完成"), ""
        decisions.append({"n": d["position"], "content": d["content"], "owner": d["owner_name"],
                          "due": document_date(date.fromisoformat(d["due_on"])), "status": status,
                          "done_note": done_note})
    return {**record_context(minutes, _("主要负责人"), amendments), "title": titles()["monthly-minutes"],
            "period": month_text(minutes.month), "held_at": when(minutes.held_at),
            "location": current["location"], "location_amended": current["location"] != minutes.location,
            "recorder": minutes.recorder.name, "attendees": listing(a["name"] for a in minutes.attendees),
            "figures": monthly_figures(minutes.figures), "figures_label": _("本月统计"),
            "inspections_due": inspections_due(minutes.figures),
            "sections": [{"label": meta.get_field(f).verbose_name, "text": current[f],
                          "amended": current[f] != getattr(minutes, f)} for f in MINUTES_TEXTS],
            "decisions": decisions}


def monthly_minutes_pdf(minutes: MonthlyMinutes) -> bytes:
    context = minutes_context(minutes, filing.amendments_of(minutes), list(minutes.actions.all()))
    return render_pdf("pdf/routines/monthly_minutes.html", {"title": context["title"], "r": context})


# --- The monthly archive ----------------------------------------------------------------------------

def day_label(day: date) -> str:
    return formats.date_format(day, "MONTH_DAY_FORMAT")


def day_state(state: expected.Day) -> str:
    return {expected.Day.MISSING: _("未填报"), expected.Day.TODAY: _("今日未填报"),
            expected.Day.NOT_DUE: _("无需填报")}.get(state, "")


def _day_rows(ledger, checks: list[DailyCheck], printer: DailyCheckPrinter) -> list[dict]:
    """Every day of the month: each check on its own row; days without one say what they were (missed, exempt
    and why), a run of days alike in one row."""
    by_day: dict[date, list[DailyCheck]] = {}
    for check in checks:
        by_day.setdefault(check.day, []).append(check)
    rows, run = [], None
    for day, state in ledger.states.items():
        if state == expected.Day.FUTURE:
            continue
        if day in by_day:
            run = None
            for check in by_day[day]:
                rows.append({"day": day_label(day), "check": check, "period": check.get_period_display(),
                             "result": check.get_result_display(), "hazard": check.result == CheckResult.HAZARD,
                             "late": check.late, "items": len(check.positions), "exceptions": printer.exceptions(check),
                             "signer": check.signer.name, "filed_at": short_when(check.filed_at),
                             "seal": check.seal[:SEAL_SHORT], "chain_seq": check.chain_seq})
            continue
        reason = ledger.reasons.get(day)
        text = (_("免于填报：%(kind)s（%(reason)s）") % {"kind": reason.get_kind_display(), "reason": reason.reason}
                if reason else day_state(state))
        if run is not None and run["state"] == text:
            run["last"] = day
            run["day"] = _("%(first)s—%(last)s") % {"first": day_label(run["first"]), "last": day_label(day)}
            continue
        run = {"day": day_label(day), "first": day, "last": day, "check": None, "state": text,
               "missing": state == expected.Day.MISSING}
        rows.append(run)
    return rows


def archive_figures(figures: dict) -> list[list]:
    """The cover's figures in two blocks, so each column is wide enough for its heading."""
    return [_figures(figures, [
        (_("日管控（天）"), [("daily_due", _("应检")), ("daily_on_time", _("按时")), ("daily_late", _("补录")),
                             ("daily_missing", _("漏检")), ("daily_exempt", _("免检"))]),
        (_("零风险报告次数"), [("zero_risk", "")]),
    ]), _figures(figures, [
        (_("周排查（份）"), [("weekly_due", _("应报")), ("weekly_filed", _("已报")), ("weekly_late", _("补录"))]),
        (_("隐患（项）"), [("hazards_found", _("发现")), ("hazards_rectified", _("整改")),
                          ("hazards_closed", _("销号")), ("hazards_open", _("未销号")),
                          ("hazards_overdue", _("逾期"))]),
    ])]


def archive_context(unit: Unit, month: date, *, photos: bool = True) -> tuple[dict, Resources]:
    start, end = expected.month_of(month)
    resources = Resources()
    checks = list(_checks().filter(unit=unit, day__range=(start, end)).order_by("day", "period", "id"))
    printer = DailyCheckPrinter(checks, resources, photos=photos)
    figures = filing.month_figures(unit, start)
    ledger = expected.ledger(unit, start, end)
    reports = list(WeeklyReport.objects.filter(unit=unit, week_start__range=(start - timedelta(days=6), end))
                   .select_related("unit", "signer").order_by("week_start"))
    minutes = list(MonthlyMinutes.objects.filter(unit=unit, month=start)
                   .select_related("unit", "signer", "recorder").prefetch_related("actions"))
    report_amendments = _amendments_by_record(WeeklyReport, [r.pk for r in reports])
    minutes_amendments = _amendments_by_record(MonthlyMinutes, [m.pk for m in minutes])
    detailed = [printer.context(c) for c in checks if c.exceptions]
    context = {
        "title": _("特种设备安全日管控、周排查、月调度记录"), "unit": unit, "month": month_text(start),
        "generated_at": when(timezone.now()), "figures": archive_figures(figures),
        "inspections_due": inspections_due(figures),
        "day_rows": _day_rows(ledger, checks, printer), "detailed": detailed,
        "reports": [weekly_context(r, report_amendments.get(r.pk, [])) for r in reports],
        "minutes": [minutes_context(m, minutes_amendments.get(m.pk, []), list(m.actions.all())) for m in minutes],
        "counts": {"checks": len(checks), "detailed": len(detailed), "reports": len(reports),
                   "minutes": len(minutes)},
    }
    return context, resources


def archive_pdf(unit: Unit, month: date, *, photos: bool = True) -> bytes:
    context, resources = archive_context(unit, month, photos=photos)
    return render_pdf("pdf/routines/archive.html", context, resources.files)
