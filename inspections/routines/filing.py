"""Filing the three self-check records (Order 74 Art. 142–144) and correcting them
(docs/domain.md §Self-check records).

Who may: the unit's own accounts (KEEP_RECORDS on the unit), and among them only the account of the person in
the post the order names — the daily check by a safety officer, the weekly report by the safety director, the
monthly minutes by the principal (quality-safety posts count for a production unit). The account ↔ person link
is kept on the person's page (``personnel.services.link_account``).

Each record is written once, sealed into the unit's chain (``inspections.routines.chain``) and audited in one
transaction; a record arriving after its period's deadline is 补录 (``late``). A correction is an
``Amendment`` sealed beside the original, never an edit of it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from inspections.findings import services as findings
from inspections.findings.choices import PENDING, Origin
from inspections.findings.models import Finding
from inspections.routines import chain, expected
from inspections.routines.choices import CheckResult, Frequency, ItemResult, Period
from inspections.routines.models import (
    Amendment,
    CheckPhoto,
    DailyCheck,
    MinutesAction,
    MonthlyMinutes,
    RiskItem,
    RiskListVersion,
    WeeklyReport,
)
from inspections.routines.models.records import MINUTES_TEXTS
from inspections.routines.services import version_in_force
from jurisdictions import access
from jurisdictions.audit import record as audit
from jurisdictions.duties import Duty
from jurisdictions.models import AuditEvent, User
from personnel import services as personnel
from personnel.choices import DIRECTOR_POSTS, OFFICER_POSTS, PRINCIPAL_POSTS
from personnel.models import Person
from portal.kit import images
from portal.kit.forms import errors_on
from portal.kit.wording import listing
from units.choices import UnitStatus
from units.models import Equipment, Unit
from units.services import validate_upload

# Each post as a sentence names it (English "cannot sign as the safety director"), not as a heading.
OFFICER_ROLE = pgettext_lazy("post in a sentence", "安全员")
DIRECTOR_ROLE = pgettext_lazy("post in a sentence", "安全总监")
PRINCIPAL_ROLE = pgettext_lazy("post in a sentence", "主要负责人")
MAX_PHOTOS_PER_ITEM = 3
TEXT_LIMIT = 2000


# --- Common checks ---------------------------------------------------------------------------------

def _unit(by: User, unit: Unit) -> Unit:
    unit = access.get_or_404(Unit.objects.all(), by, Duty.KEEP_RECORDS, pk=unit.pk)
    if unit.status in (UnitStatus.PENDING, UnitStatus.REJECTED):
        raise ValidationError(_("单位尚未经属地市场监管所确认，暂不能填报记录。"))
    return unit


def signer_for(by: User, unit: Unit, posts: frozenset[str], day: date, role: str) -> Person:
    """The person ``by`` is at ``unit``, when they held one of ``posts`` on ``day``; else a clear refusal."""
    person = personnel.person_of(by, unit)
    if person is None:
        raise ValidationError(_("当前账号尚未关联本单位人员，不能以%(role)s身份签字；请单位账号管理员在人员页面关联。")
                              % {"role": role})
    if not personnel.posts_held(by, unit, day) & posts:
        raise ValidationError(_("%(name)s 在 %(day)s 不是本单位的%(role)s，不能签署这份记录。") % {
            "name": person.name, "day": day.isoformat(), "role": role})
    return person


def _text(value, field: str, *, required: bool = False, limit: int = TEXT_LIMIT, message: str = "") -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: message or _("请填写此项。")})
    if len(value) > limit:
        raise ValidationError({field: _("不能超过 %(n)d 个字。") % {"n": limit}})
    return value


def _now_local() -> datetime:
    return timezone.localtime()


# --- 日管控: the daily check -------------------------------------------------------------------------

def ensure_partition(day: date) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT routines_dailycheck_partition(%s)", [day])


def covers_in_service(item: RiskItem, equipment: list[Equipment]) -> bool:
    if item.equipment_id:
        return any(e.pk == item.equipment_id for e in equipment)
    if item.equipment_type_id:
        code = item.equipment_type.code
        prefix = code[:1] if code.endswith("000") else code[:2]
        return any(e.equipment_type.code.startswith(prefix) for e in equipment)
    return True


@dataclass
class DayItems:
    version: RiskListVersion | None
    items: list[RiskItem]
    equipment: list[Equipment]


def items_for(unit: Unit, day: date) -> DayItems:
    """The daily rows of the list in force on ``day`` that cover something in service that day (Art. 142)."""
    version = version_in_force(unit, day)
    equipment = expected.equipment_in_service(unit, day)
    if version is None:
        return DayItems(None, [], equipment)
    rows = (version.items.filter(frequency=Frequency.DAILY)
            .select_related("equipment__equipment_type", "equipment_type").order_by("position"))
    return DayItems(version, [i for i in rows if equipment and covers_in_service(i, equipment)], equipment)


def _check_day(day: date, today: date) -> bool:
    """Whether filing for ``day`` is 补录; refuses the future and what is too old to be filed at all."""
    if day > today:
        raise ValidationError({"day": _("不能填报今天以后的日期。")})
    if day < today - timedelta(days=settings.ROUTINES_BACKFILL_DAYS):
        raise ValidationError({"day": _("只能补录最近 %(n)d 天的检查记录。") % {"n": settings.ROUTINES_BACKFILL_DAYS}})
    return day < today


def _check_period(unit: Unit, day: date, period: str) -> None:
    if period not in Period.values:
        raise ValidationError({"period": _("请选择检查时段。")})
    taken = set(DailyCheck.objects.filter(unit=unit, day=day).values_list("period", flat=True))
    if period in taken:
        raise ValidationError({"period": _("%(day)s %(period)s 的检查记录已经填报，不能重复填报。") % {
            "day": day.isoformat(), "period": Period(period).label}})
    if taken and (period == Period.FULL or Period.FULL in taken):
        raise ValidationError({"period": _("当天已按%(taken)s填报；全天和上午/下午不能同时填报。") % {
            "taken": listing(str(Period(p).label) for p in sorted(taken))}})


def _photos(by: User, unit: Unit, check: DailyCheck, position: int, uploads) -> list[str]:
    uploads = [u for u in (uploads or ()) if u]
    if len(uploads) > MAX_PHOTOS_PER_ITEM:
        raise ValidationError({f"photo_{position}": _("每项最多上传 %(n)d 张照片。") % {"n": MAX_PHOTOS_PER_ITEM}})
    digests = []
    with errors_on(f"photo_{position}"):
        for upload in uploads:
            if not images.is_image(upload.name):
                raise ValidationError(_("检查照片只接受 JPG 或 PNG：%(name)s") % {"name": upload.name})
            validate_upload(upload)
            content = images.reencode(upload)
            data = content.read()
            content.seek(0)
            sha = hashlib.sha256(data).hexdigest()
            photo = CheckPhoto(check_id=check.pk, check_day=check.day, unit=unit, position=position,
                               size=len(data), sha256=sha, uploaded_by=by)
            photo.file.save(upload.name, content, save=False)
            photo.save()
            digests.append(sha)
    return digests


def file_daily_check(*, by: User, unit: Unit, day: date | None = None, period: str = Period.FULL,
                     results: Mapping[int, Mapping] | None = None, note: str = "",
                     photos: Mapping[int, Iterable] | None = None) -> DailyCheck:
    """每日安全检查记录. ``results`` names only the items that were not plain 正常: ``{position: {"r": "abnormal" |
    "na" | "normal", "note": str, "due_on": date, "responsible": Person}}`` — nothing at all is the one-tap
    零风险报告. Each 异常 opens a finding (hazard) with its responsible person and due date."""
    results, photos = dict(results or {}), dict(photos or {})
    now = _now_local()
    today = now.date()
    day = day or today
    with transaction.atomic():
        unit = _unit(by, unit)
        late = _check_day(day, today)
        signer = signer_for(by, unit, OFFICER_POSTS, day, OFFICER_ROLE)
        Unit.objects.select_for_update().filter(pk=unit.pk).first()
        _check_period(unit, day, period)
        found = items_for(unit, day)
        if found.version is None:
            raise ValidationError(_("本单位还没有安全风险管控清单，请先制定清单再开展每日检查。"))
        if not found.items:
            raise ValidationError(_("%(day)s 没有需要检查的在用设备（设备均已停用、临时停用或未登记），无需填报。")
                                  % {"day": day.isoformat()})
        positions = [i.position for i in found.items]
        by_position = {i.position: i for i in found.items}
        unknown = sorted(set(map(int, results)) - set(positions))
        if unknown:
            raise ValidationError(_("检查项 %(items)s 不在当天的检查清单中。") % {
                "items": listing(map(str, unknown))})
        ensure_partition(day)
        check = DailyCheck(pk=chain.next_id(DailyCheck), unit=unit, day=day, period=period,
                           risk_version=found.version, positions=positions, filed_by=by, signer=signer,
                           filed_at=timezone.now(), late=late, note=_text(note, "note", limit=500))
        check.place_with(unit)
        exceptions, errors = {}, {}
        for position in positions:
            entry = dict(results.get(position) or results.get(str(position)) or {})
            outcome = entry.get("r", ItemResult.NORMAL)
            if outcome not in ItemResult.values:
                errors[f"result_{position}"] = _("请选择正常、异常或无此项。")
                continue
            text = (entry.get("note") or "").strip()[:500]
            if outcome == ItemResult.ABNORMAL and not text:
                errors[f"note_{position}"] = _("异常项请写明发现的问题。")
            if outcome != ItemResult.NORMAL or text or photos.get(position):
                exceptions[str(position)] = {"r": outcome, **({"note": text} if text else {})}
        if errors:
            raise ValidationError(errors)
        for key, entry in exceptions.items():
            position = int(key)
            digests = _photos(by, unit, check, position, photos.get(position))
            if digests:
                entry["photos"] = digests
            if entry["r"] == ItemResult.ABNORMAL:
                item, given = by_position[position], results.get(position) or results.get(key) or {}
                with errors_on(f"note_{position}"):
                    finding = findings.raise_finding(
                        by=by, unit=unit, description=(_("%(item)s：%(note)s") % {
                            "item": item.risk_item, "note": entry["note"]})[:1000],
                        due_on=given.get("due_on") or today + timedelta(days=settings.ROUTINES_HAZARD_DUE_DAYS),
                        equipment=item.equipment, responsible=given.get("responsible"), origin=Origin.SELF_CHECK,
                        source=check)
                entry["finding"] = finding.pk
        check.exceptions = exceptions
        check.result = (CheckResult.HAZARD if any(e["r"] == ItemResult.ABNORMAL for e in exceptions.values())
                        else CheckResult.NORMAL if exceptions else CheckResult.ZERO_RISK)
        chain.seal(check)
        check.save(force_insert=True)
        audit(AuditEvent.Kind.DATA_CHANGED, user=by, obj=check, detail={
            "action": "file_daily_check", "unit": unit.uscc, "day": day.isoformat(), "period": period,
            "result": check.result, "late": late, "items": len(positions), "seal": check.seal})
        return check


def findings_of(record) -> list[Finding]:
    return list(Finding.objects.filter(source_type=ContentType.objects.get_for_model(record), source_id=record.pk)
                .order_by("id"))


# --- 周排查 and 月调度: the figures they are prefilled with ---------------------------------------------

def _hazard_figures(unit: Unit, start: date, end: date) -> dict:
    tz = timezone.get_current_timezone()
    since = datetime.combine(start, datetime.min.time(), tzinfo=tz)
    until = datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    own = Finding.objects.filter(unit=unit)
    return {
        "hazards_found": own.filter(raised_at__gte=since, raised_at__lt=until).count(),
        "hazards_rectified": own.filter(rectified_at__gte=since, rectified_at__lt=until).count(),
        "hazards_closed": own.filter(verified_at__gte=since, verified_at__lt=until).count(),
        "hazards_open": own.filter(raised_at__lt=until).filter(
            Q(status__in=PENDING) | Q(verified_at__gte=until)).count(),
        "hazards_overdue": own.filter(status__in=PENDING, due_on__lt=min(end, timezone.localdate())).count(),
    }


def _daily_figures(unit: Unit, start: date, end: date) -> dict:
    ledger = expected.ledger(unit, start, end)
    checks = DailyCheck.objects.filter(unit=unit, day__range=(start, end))
    return {"daily_due": ledger.due + ledger.count(expected.Day.TODAY),
            "daily_on_time": ledger.count(expected.Day.ON_TIME), "daily_late": ledger.count(expected.Day.LATE),
            "daily_missing": ledger.count(expected.Day.MISSING), "daily_exempt": ledger.count(expected.Day.EXEMPT),
            "zero_risk": checks.filter(result=CheckResult.ZERO_RISK).count()}


def week_figures(unit: Unit, week_start: date) -> dict:
    start, end = expected.week_of(week_start)
    return {**_daily_figures(unit, start, end), **_hazard_figures(unit, start, end)}


def month_figures(unit: Unit, month: date) -> dict:
    start, end = expected.month_of(month)
    weeks = [expected.week_of(start + timedelta(days=7 * n))[0] for n in range(6)]
    weeks = [w for w in dict.fromkeys(weeks) if w <= end and w + timedelta(days=6) >= start]
    owed = [w for w in weeks if expected.ledger(unit, max(w, start), min(w + timedelta(days=6), end)).owes_any()]
    filed = WeeklyReport.objects.filter(unit=unit, week_start__in=owed)
    soon = Equipment.objects.filter(unit=unit, next_inspection_on__range=(start, end + timedelta(days=31)))
    return {**_daily_figures(unit, start, end), **_hazard_figures(unit, start, end),
            "weekly_due": len(owed), "weekly_filed": filed.count(), "weekly_late": filed.filter(late=True).count(),
            "inspections_due": [[e.code or e.factory_number or str(e.pk), e.next_inspection_on.isoformat()]
                                for e in soon.order_by("next_inspection_on")[:20]]}


# --- 周排查: the weekly report ------------------------------------------------------------------------

def file_weekly_report(*, by: User, unit: Unit, week_start: date, assessment: str, next_focus: str,
                       findings_summary: str = "") -> WeeklyReport:
    """每周安全排查治理报告, signed by the safety director: locked on submission (Art. 143)."""
    today = timezone.localdate()
    if week_start is None or week_start.weekday() != 0:
        raise ValidationError({"week_start": _("请选择一周（以星期一开始）。")})
    if week_start > today:
        raise ValidationError({"week_start": _("这一周还没有开始。")})
    with transaction.atomic():
        unit = _unit(by, unit)
        signer = signer_for(by, unit, DIRECTOR_POSTS, min(today, week_start + timedelta(days=6)), DIRECTOR_ROLE)
        Unit.objects.select_for_update().filter(pk=unit.pk).first()
        if WeeklyReport.objects.filter(unit=unit, week_start=week_start).exists():
            raise ValidationError({"week_start": _("这一周的排查治理报告已经提交；如需更正请在报告页面提交更正。")})
        report = WeeklyReport(
            pk=chain.next_id(WeeklyReport), unit=unit, week_start=week_start, filed_by=by, signer=signer,
            filed_at=timezone.now(), late=today > expected.weekly_deadline(week_start),
            figures=week_figures(unit, week_start),
            findings_summary=_text(findings_summary, "findings_summary"),
            assessment=_text(assessment, "assessment", required=True, message=_("请填写总监评估意见。")),
            next_focus=_text(next_focus, "next_focus", required=True, message=_("请填写下周工作重点。")))
        report.place_with(unit)
        chain.seal(report)
        report.save(force_insert=True)
        audit(AuditEvent.Kind.DATA_CHANGED, user=by, obj=report, detail={
            "action": "file_weekly_report", "unit": unit.uscc, "week_start": week_start.isoformat(),
            "late": report.late, "seal": report.seal})
        return report


# --- 月调度: the monthly minutes ----------------------------------------------------------------------

def _people(unit: Unit, ids: Iterable) -> dict[int, Person]:
    ids = {int(i) for i in ids if i not in (None, "")}
    found = {p.pk: p for p in Person.objects.filter(unit=unit, pk__in=ids)}
    if set(found) != ids:
        raise ValidationError(_("只能选择本单位登记的人员。"))
    return found


def file_monthly_minutes(*, by: User, unit: Unit, month: date, held_at: datetime, location: str, recorder: Person,
                         attendees: Iterable[Person], decisions: Iterable[Mapping] = (),
                         **texts: str) -> MonthlyMinutes:
    """每月安全调度会议纪要, chaired and signed by the principal: locked on submission (Art. 144).

    ``decisions`` are ``{"content", "owner": Person, "due_on": date}``; each becomes an action tracked until
    done. ``texts`` are the minutes' sections (``MINUTES_TEXTS``)."""
    today = timezone.localdate()
    if month is None:
        raise ValidationError({"month": _("请选择月份。")})
    month = month.replace(day=1)
    if month > today:
        raise ValidationError({"month": _("这个月还没有开始。")})
    if held_at is None:
        raise ValidationError({"held_at": _("请填写会议时间。")})
    if held_at > timezone.now():
        raise ValidationError({"held_at": _("会议时间不能晚于现在。")})
    start = expected.month_of(month)[0]
    if not start <= timezone.localdate(held_at) <= expected.monthly_deadline(month):
        raise ValidationError({"held_at": _("会议时间应在 %(a)s 至 %(b)s 之间。") % {
            "a": start.isoformat(), "b": expected.monthly_deadline(month).isoformat()}})
    unknown = set(texts) - set(MINUTES_TEXTS)
    if unknown:
        raise TypeError(f"unknown minutes sections: {sorted(unknown)}")
    with transaction.atomic():
        unit = _unit(by, unit)
        chair = signer_for(by, unit, PRINCIPAL_POSTS, timezone.localdate(held_at), PRINCIPAL_ROLE)
        Unit.objects.select_for_update().filter(pk=unit.pk).first()
        if MonthlyMinutes.objects.filter(unit=unit, month=month).exists():
            raise ValidationError({"month": _("这个月的调度会议纪要已经提交；如需更正请在纪要页面提交更正。")})
        if recorder is None:
            raise ValidationError({"recorder": _("请选择记录人。")})
        with errors_on("recorder"):
            _people(unit, [recorder.pk])
        attendees = list(attendees or ())
        with errors_on("attendees"):
            _people(unit, [p.pk for p in attendees])
        if chair.pk not in {p.pk for p in attendees}:
            attendees.insert(0, chair)
        rows, errors = [], {}
        for n, decision in enumerate(decisions or (), 1):
            content = (decision.get("content") or "").strip()
            owner, due_on = decision.get("owner"), decision.get("due_on")
            if not content:
                continue
            if len(content) > 500:
                errors["decisions"] = _("第 %(n)d 条决议不能超过 500 字。") % {"n": n}
            elif owner is None or owner.unit_id != unit.pk:
                errors["decisions"] = _("第 %(n)d 条决议请选择本单位的责任人。") % {"n": n}
            elif due_on is None:
                errors["decisions"] = _("第 %(n)d 条决议请填写完成期限。") % {"n": n}
            else:
                rows.append((content, owner, due_on))
        if errors:
            raise ValidationError(errors)
        minutes = MonthlyMinutes(
            pk=chain.next_id(MonthlyMinutes), unit=unit, month=month, held_at=held_at,
            location=_text(location, "location", required=True, limit=200, message=_("请填写会议地点。")),
            recorder=recorder, attendees=[{"id": p.pk, "name": p.name} for p in attendees],
            figures=month_figures(unit, month), filed_by=by, signer=chair, filed_at=timezone.now(),
            late=today > expected.monthly_deadline(month),
            decisions=[{"position": n, "content": c, "owner": o.pk, "owner_name": o.name, "due_on": d.isoformat()}
                       for n, (c, o, d) in enumerate(rows, 1)],
            **{f: _text(texts.get(f), f) for f in MINUTES_TEXTS})
        minutes.place_with(unit)
        chain.seal(minutes)
        minutes.save(force_insert=True)
        MinutesAction.objects.bulk_create(
            MinutesAction(minutes=minutes, unit=unit, position=n, content=c, owner=o, due_on=d)
            for n, (c, o, d) in enumerate(rows, 1))
        audit(AuditEvent.Kind.DATA_CHANGED, user=by, obj=minutes, detail={
            "action": "file_monthly_minutes", "unit": unit.uscc, "month": month.isoformat()[:7],
            "decisions": len(rows), "late": minutes.late, "seal": minutes.seal})
        return minutes


def complete_action(*, by: User, action: MinutesAction, note: str) -> MinutesAction:
    """A decision carried out: who, when and how; it leaves the open actions (the only change minutes allow)."""
    with transaction.atomic():
        access.get_or_404(Unit.objects.all(), by, Duty.KEEP_RECORDS, pk=action.unit_id)
        action = MinutesAction.objects.select_for_update().get(pk=action.pk)
        if action.status == MinutesAction.Status.DONE:
            raise ValidationError(_("这条决议事项已经完成。"))
        action.status, action.done_at, action.done_by = MinutesAction.Status.DONE, timezone.now(), by
        action.done_note = _text(note, "note", required=True, limit=500, message=_("请填写完成情况。"))
        action.save(update_fields=["status", "done_at", "done_by", "done_note"])
        audit(AuditEvent.Kind.DATA_CHANGED, user=by, obj=action, detail={
            "action": "complete_minutes_action", "minutes": action.minutes_id, "position": action.position})
        return action


# --- 更正: amendments ----------------------------------------------------------------------------------

AMENDABLE = {
    DailyCheck: (("note",), OFFICER_POSTS, OFFICER_ROLE),
    WeeklyReport: (("findings_summary", "assessment", "next_focus"), DIRECTOR_POSTS, DIRECTOR_ROLE),
    MonthlyMinutes: (("location", *MINUTES_TEXTS), PRINCIPAL_POSTS, PRINCIPAL_ROLE),
}


def amendments_of(record) -> list[Amendment]:
    return list(Amendment.objects.filter(record_type=ContentType.objects.get_for_model(record),
                                         record_id=record.pk).select_related("filed_by", "signer").order_by("id"))


def current_values(record, amendments: list[Amendment] | None = None) -> dict[str, str]:
    """The record's amendable fields as they read now: the original, with each amendment applied in order."""
    fields = AMENDABLE[type(record)][0]
    values = {f: getattr(record, f) for f in fields}
    for amendment in amendments if amendments is not None else amendments_of(record):
        values.update({f: new for f, (_old, new) in amendment.changes.items() if f in values})
    return values


def amend(*, by: User, record, changes: Mapping[str, str], reason: str) -> Amendment:
    """Correct a locked record: the original stays as filed, the amendment holds each field's old and new text,
    who corrected it, when and why, and is sealed into the unit's chain."""
    if type(record) not in AMENDABLE:
        raise ValidationError(_("这类记录不能更正。"))
    fields, posts, role = AMENDABLE[type(record)]
    reason = _text(reason, "reason", required=True, limit=500, message=_("请写明更正原因。"))
    with transaction.atomic():
        unit = _unit(by, record.unit)
        signer = signer_for(by, unit, posts, timezone.localdate(), role)
        Unit.objects.select_for_update().filter(pk=unit.pk).first()
        before = current_values(record)
        diff = {}
        for field, value in changes.items():
            if field not in fields:
                raise ValidationError({field: _("此项不能更正。")})
            value = _text(value, field, limit=200 if field == "location" else TEXT_LIMIT)
            if value != before[field]:
                diff[field] = [before[field], value]
        if not diff:
            raise ValidationError(_("没有需要更正的内容。"))
        amendment = Amendment(pk=chain.next_id(Amendment), unit=unit,
                              record_type=ContentType.objects.get_for_model(record), record_id=record.pk,
                              changes=diff, reason=reason, filed_by=by, signer=signer, filed_at=timezone.now())
        amendment.place_with(unit)
        chain.seal(amendment)
        amendment.save(force_insert=True)
        audit(AuditEvent.Kind.DATA_CHANGED, user=by, obj=record, detail={
            "action": "amend_record", "amendment": amendment.pk, "fields": sorted(diff), "reason": reason})
        return amendment
