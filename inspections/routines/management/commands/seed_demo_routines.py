"""Demo risk control lists: each demo enterprise's unit starts from the templates of its equipment, as an
enterprise would with 从模板生成, so the list page and its version history have something to show; then six
weeks of self-check records where the posts are filled (``seed_history``): daily checks on most days (a few
补录, a few missed, one with a hazard), the weekly reports, last month's minutes and a temporary stop.

History cannot be filed through the services (they date every record by the server's clock, as they must), so
it is written as it would have been filed: each record with the time it arrived, sealed into the unit's chain
in that order. The unit, its equipment and its risk list are first moved back to before the history starts
(the list's version row through ``session_replication_role``, its trigger otherwise refusing).
Idempotent (``make run`` runs it every time): a unit that already has a list is skipped."""

import random
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from inspections.findings import services as findings
from inspections.routines import chain, expected, filing, services
from inspections.routines.choices import CheckResult, ExemptionKind, ItemResult
from inspections.routines.models import (
    DailyCheck,
    Exemption,
    MinutesAction,
    MonthlyMinutes,
    RiskListVersion,
    WeeklyReport,
)
from jurisdictions.models import User
from personnel import services as personnel
from personnel.choices import EndReason, Post
from personnel.models import Appointment, Person
from portal.kit.samples import make_id_number
from units.management.commands.seed_demo_units import ENTERPRISES as DEMO_ENTERPRISES
from units.models import Equipment, Unit
from units.services import unit_of

DAYS = 42


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _holder(unit: Unit, posts) -> Appointment | None:
    return (Appointment.objects.filter(unit=unit, post__in=posts, ended_on__isnull=True)
            .select_related("person").order_by("id").first())


def _former_officer(unit: Unit, keeper: User, start, today, rng) -> Appointment:
    """A unit short of its officer today (the staffing demo's) had one until ten days ago: their checks are
    its history, and the gap since is what its calendar and the county's reminders show."""
    person = Person.objects.filter(unit=unit, appointments__post=Post.SAFETY_OFFICER).first()
    if person is None:
        appointment = personnel.appoint_new_person(
            by=keeper, unit=unit, name="赵离任", phone=f"139{rng.randrange(10**8):08d}",
            id_number=make_id_number(unit.county.code if unit.county_id else "620100", date(1980, 5, 4), 217),
            post=Post.SAFETY_OFFICER, started_on=start - timedelta(days=7))
        return personnel.end_appointment(by=keeper, appointment=appointment, ended_on=today - timedelta(days=10),
                                         reason=EndReason.RESIGNED)
    return Appointment.objects.filter(unit=unit, person=person, post=Post.SAFETY_OFFICER).latest("started_on")


def _account(unit: Unit, person, fallback: User) -> User:
    return getattr(person, "account", None) or fallback


def _move_back(unit: Unit, since) -> None:
    Unit.objects.filter(pk=unit.pk).update(created_at=since)
    Unit.objects.filter(pk=unit.pk, reviewed_at__isnull=False).update(reviewed_at=since)
    Equipment.objects.filter(unit=unit, created_at__gt=since).update(created_at=since)
    Appointment.objects.filter(unit=unit, started_on__gt=since.date()).update(started_on=since.date())
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        RiskListVersion.objects.filter(risk_list__unit=unit, saved_at__gt=since).update(saved_at=since)
        cursor.execute("SET LOCAL session_replication_role = origin")


def _save(record) -> None:
    record.pk = chain.next_id(type(record))
    record.place_with(record.unit)
    chain.seal(record)
    record.save(force_insert=True)


def seed_history(unit: Unit, keeper: User, rng: random.Random) -> int:
    """Write the history for ``unit``; returns how many daily checks. Skips a unit that has any record."""
    officer, director, principal = (_holder(unit, p) for p in (filing.OFFICER_POSTS, filing.DIRECTOR_POSTS,
                                                               filing.PRINCIPAL_POSTS))
    if DailyCheck.objects.filter(unit=unit).exists() or director is None:
        return 0
    today = timezone.localdate()
    start = today - timedelta(days=DAYS)
    _move_back(unit, _at(start - timedelta(days=7), 8))
    unit.refresh_from_db()
    if officer is None:
        officer = _former_officer(unit, keeper, start, today, rng)
    lift = Equipment.objects.filter(unit=unit, status__in=expected.LIVE_EQUIPMENT).order_by("id").first()
    if lift is not None:
        stop = Exemption(unit=unit, equipment=lift, kind=ExemptionKind.TEMPORARY_STOP,
                         starts_on=today - timedelta(days=12), ends_on=today - timedelta(days=10),
                         reason="更换曳引钢丝绳，临时停用", recorded_by=keeper,
                         recorded_at=_at(today - timedelta(days=13), 16))
        stop.place_with(unit)
        stop.save()
    records = []
    hazard_day = today - timedelta(days=5)
    for day in expected.days(start, today - timedelta(days=1)):
        roll = rng.random()
        if roll < 0.05 and day != hazard_day:
            continue  # missed
        found = filing.items_for(unit, day)
        if found.version is None or not found.items or (officer.ended_on and day >= officer.ended_on):
            continue
        late = roll > 0.95 and day != hazard_day
        filed_at = _at(day + timedelta(days=1), 9, rng.randrange(60)) if late else _at(day, 17, rng.randrange(60))
        check = DailyCheck(unit=unit, day=day, risk_version=found.version, positions=[i.position for i in found.items],
                           filed_by=_account(unit, officer.person, keeper), signer=officer.person, filed_at=filed_at,
                           late=late, exceptions={}, result=CheckResult.ZERO_RISK)
        if day == hazard_day:
            item = found.items[0]
            check.exceptions = {str(item.position): {"r": ItemResult.ABNORMAL, "note": "层门门锁啮合深度不足"}}
            check.result = CheckResult.HAZARD
        records.append(check)
    for week_start in sorted({expected.week_of(d)[0] for d in expected.days(start, today - timedelta(days=7))}):
        if director is None or week_start + timedelta(days=6) >= today:
            continue
        records.append(WeeklyReport(
            unit=unit, week_start=week_start, filed_by=_account(unit, director.person, keeper),
            signer=director.person, filed_at=_at(week_start + timedelta(days=7), 10), late=False,
            figures={}, findings_summary="本周按清单完成日管控，未发现重大隐患。", assessment="设备运行总体平稳。",
            next_focus="电梯层门门锁、安全附件校验有效期。"))
    last_month = expected.month_of(today.replace(day=1) - timedelta(days=1))[0]
    if principal is not None and last_month >= start.replace(day=1):
        records.append(MonthlyMinutes(
            unit=unit, month=last_month, held_at=_at(today.replace(day=1) + timedelta(days=1), 15),
            location="办公楼二楼会议室", recorder=officer.person,
            attendees=[{"id": a.person.pk, "name": a.person.name} for a in (principal, director, officer) if a],
            figures={}, filed_by=_account(unit, principal.person, keeper), signer=principal.person,
            filed_at=_at(today.replace(day=1) + timedelta(days=1), 17), late=False,
            problems="个别日管控记录补录；层门门锁磨损。", rectification="门锁已更换。", unresolved="无。",
            dispatch="明确安全员分工。", other_matters="冬季防冻。", measures="每周抽查日管控记录。",
            decisions=[{"position": 1, "content": "冬季前完成锅炉安全阀校验",
                        "owner": (director or officer).person.pk, "owner_name": (director or officer).person.name,
                        "due_on": (today + timedelta(days=20)).isoformat()}]))
    records.sort(key=lambda r: r.filed_at)
    for record in records:
        if isinstance(record, WeeklyReport):
            record.figures = filing.week_figures(unit, record.week_start)
        if isinstance(record, MonthlyMinutes):
            record.figures = filing.month_figures(unit, record.month)
        _save(record)
        if isinstance(record, MonthlyMinutes):
            owner = (director or officer).person
            MinutesAction.objects.create(minutes=record, unit=unit, position=1, owner=owner,
                                         content=record.decisions[0]["content"], due_on=today + timedelta(days=20))
        if isinstance(record, DailyCheck) and record.result == CheckResult.HAZARD:
            findings.raise_finding(by=keeper, unit=unit, description="层门门锁啮合深度不足",
                                   due_on=today + timedelta(days=2), source=record)
    return sum(isinstance(r, DailyCheck) for r in records)


class Command(BaseCommand):
    help = "为演示企业按设备类别从模板生成安全风险管控清单（可重复执行）。"

    @transaction.atomic
    def handle(self, *args, **options):
        made = 0
        for user in User.objects.filter(username__in=DEMO_ENTERPRISES).order_by("username"):
            unit = unit_of(user)
            if unit is None or services.current_version(unit) is not None:
                continue
            try:
                services.generate_from_templates(by=user, unit=unit)
            except ValidationError as exc:  # a unit without equipment has no template to start from
                self.stdout.write(f"{unit.name}：{'；'.join(exc.messages)}")
                continue
            made += 1
        self.stdout.write(self.style.SUCCESS(f"演示安全风险管控清单：新生成 {made} 份。"))
        rng, checks = random.Random(142), 0
        for user in User.objects.filter(username__in=DEMO_ENTERPRISES).order_by("username"):
            unit = unit_of(user)
            if unit is not None and services.current_version(unit) is not None:
                checks += seed_history(unit, user, rng)
        self.stdout.write(self.style.SUCCESS(f"演示日管控、周排查、月调度记录：新生成每日检查 {checks} 条。"))
