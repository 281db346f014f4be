"""Every write of the responsibility system (seed 002 附件 1–11; Orders 73/74).

Enterprises keep their own people (KEEP_RECORDS on their unit); regulators who manage the unit
(MANAGE_UNITS) may fill in for it. Appointment changes lock the unit row, so two people appointing
at once cannot both take a single-holder post, and ``UnitStaffing`` is recounted in the same
transaction. Every change writes an audit event; personal numbers appear in it only masked.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from jurisdictions import access
from jurisdictions.audit import record
from jurisdictions.duties import Duty, Role, Write
from jurisdictions.models import AuditEvent, User
from personnel import querysets, rules
from personnel.choices import AssessmentResult, EndReason, Post
from personnel.models import (
    ID_PURPOSE,
    PHONE_PURPOSE,
    Appointment,
    Certificate,
    CertificateReminder,
    Person,
    SpotAssessment,
    Training,
    TrainingResult,
    UnitStaffing,
)
from portal.inbox import services as inbox
from portal.kit import crypto
from portal.kit.forms import errors_on
from portal.kit.identifiers import normalize_id_number, validate_id_number, validate_mobile
from portal.kit.masking import mask_id_number, mask_phone
from units.choices import UnitStatus
from units.models import Equipment, Unit

PERSON_FIELDS = ("name", "education", "title")


def _unit(by: User, unit: Unit, *, lock: bool = False) -> Unit:
    queryset = Unit.objects.select_for_update() if lock else Unit.objects.all()
    unit = access.get_or_404(queryset, by, Write.RECORDS, pk=unit.pk)
    if unit.status in (UnitStatus.PENDING, UnitStatus.REJECTED):
        raise ValidationError(_("单位尚未经属地市场监管所确认，暂不能登记人员。"))
    return unit


# --- People ---------------------------------------------------------------------------------------

def _seal(person: Person, id_number: str | None, phone: str | None) -> str | None:
    """Validate, seal, index and mask the given numbers; returns the normalised ID number, if given."""
    number = None
    if id_number is not None:
        with errors_on("id_number"):
            facts = validate_id_number(id_number)
        number = facts.number
        person.id_cipher = crypto.encrypt(facts.number, ID_PURPOSE)
        person.id_digest = crypto.digest(facts.number, ID_PURPOSE)
        person.id_masked = mask_id_number(facts.number)
        person.sex, person.birth_date = facts.sex, facts.birth_date
    if phone is not None:
        with errors_on("phone"):
            mobile = validate_mobile(phone)
        person.phone_cipher = crypto.encrypt(mobile, PHONE_PURPOSE)
        person.phone_masked = mask_phone(mobile)
    return number


def with_id_number(queryset, id_number: str):
    """Rows whose ID number equals ``id_number``: an index lookup, under every configured key."""
    return queryset.filter(id_digest__in=crypto.digests(normalize_id_number(id_number), ID_PURPOSE))


def _check_unique(person: Person, number: str) -> None:
    twin = with_id_number(Person.objects.filter(unit_id=person.unit_id), number).exclude(pk=person.pk).first()
    if twin is not None:
        raise ValidationError({"id_number": _("该身份证号码已在本单位登记（%(name)s），请直接为其任职。") % {
            "name": twin.name}})


def add_person(*, by: User, unit: Unit, name: str, id_number: str, phone: str, education: str = "",
               title: str = "") -> Person:
    with transaction.atomic():
        unit = _unit(by, unit)
        person = Person(unit=unit, name=(name or "").strip(), education=education, title=title.strip())
        if not person.name:
            raise ValidationError({"name": _("请填写姓名。")})
        _check_unique(person, _seal(person, id_number, phone))
        person.place_with(unit)
        try:
            with transaction.atomic():
                person.save()
        except IntegrityError as exc:  # the same number entered at the same moment by someone else
            raise ValidationError({"id_number": _("该身份证号码已在本单位登记。")}) from exc
        record(AuditEvent.Kind.DATA_CHANGED, user=by, obj=person,
               detail={"action": "add_person", "unit": unit.uscc, "id_number": person.id_masked})
        return person


def update_person(*, by: User, person: Person, version: int, name: str, education: str = "", title: str = "",
                  id_number: str = "", phone: str = "") -> Person:
    """Blank ``id_number``/``phone`` keep the stored ones (the form never shows them in full)."""
    with transaction.atomic():
        person = access.get_or_404(Person.objects.select_for_update(), by, Write.RECORDS, pk=person.pk)
        if person.version != version:
            raise ValidationError(_("该人员信息已被他人修改，请刷新页面后重新填写。"), code="conflict")
        before = {f: getattr(person, f) for f in (*PERSON_FIELDS, "id_masked", "phone_masked")}
        person.name, person.education, person.title = name.strip(), education, title.strip()
        if not person.name:
            raise ValidationError({"name": _("请填写姓名。")})
        number = _seal(person, id_number or None, phone or None)
        if number:
            _check_unique(person, number)
        person.version += 1
        person.save()
        after = {f: getattr(person, f) for f in before}
        record(AuditEvent.Kind.DATA_CHANGED, user=by, obj=person, detail={
            "action": "update_person", "changed": {f: [before[f], after[f]] for f in before if before[f] != after[f]}})
        return person


def reveal(*, by: User, person: Person, reason: str) -> dict[str, str]:
    """The full ID and phone numbers, for a role allowed to see them; the reveal is audited with its
    reason in the same transaction, and fails if the audit row cannot be written (docs/security.md)."""
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("请填写查看原因。")})
    with transaction.atomic():
        person = access.get_or_404(Person.objects.all(), by, Duty.REVEAL_PERSONAL_INFO, pk=person.pk)
        full = {"id_number": crypto.decrypt(person.id_cipher, ID_PURPOSE),
                "phone": crypto.decrypt(person.phone_cipher, PHONE_PURPOSE) if person.phone_cipher else ""}
        record(AuditEvent.Kind.FULL_REVEAL, user=by, obj=person,
               detail={"fields": ["id_number", "phone"], "reason": reason[:200], "id_number": person.id_masked})
        return full


def follow_unit(sender, *, unit: Unit, columns: dict, **kwargs) -> None:
    """A unit moved to another jurisdiction: its people and their records move with it (``unit_moved``)."""
    for model in (Person, Appointment, Certificate, Training, SpotAssessment):
        model.objects.filter(unit=unit).update(**columns)


# --- Login accounts: who files and signs (Order 74 Art. 142–144) -------------------------------------

def link_account(*, by: User, person: Person, account: User | None) -> Person:
    """Say which of the unit's enterprise accounts is ``person`` (None: none is). A record filed or signed
    with that account then counts as filed by the posts the person holds (``posts_held``): the daily check
    by a safety officer, the weekly report by the safety director, the monthly minutes by the principal.

    Who may: whoever manages the unit's accounts (Write.UNIT_ACCOUNTS), since the link decides what an
    account may sign. One account is one person: the one-to-one column refuses a second link even when
    two are made at the same moment.
    """
    with transaction.atomic():
        person = access.get_or_404(Person.objects.select_for_update().select_related("unit"), by,
                                   Write.UNIT_ACCOUNTS, pk=person.pk)
        before = person.account
        if account is not None:
            account = User.objects.filter(pk=account.pk).first()
            if account is None or not account.is_enterprise:
                raise ValidationError({"account": _("只能关联企业账号，监管部门的账号不能关联为单位人员。")})
            if not querysets.unit_accounts(person.unit).filter(pk=account.pk).exists():
                raise ValidationError({"account": _("账号“%(username)s”不属于%(unit)s，只能关联本单位的企业账号。") % {
                    "username": account.username, "unit": person.unit.name}})
            holder = Person.objects.filter(account=account).exclude(pk=person.pk).first()
            if holder is not None:
                raise ValidationError({"account": _("账号“%(username)s”已关联人员 %(name)s，请先解除其关联。") % {
                    "username": account.username, "name": holder.name}})
        if (before and before.pk) == (account and account.pk):
            return person
        person.account = account
        try:
            with transaction.atomic():
                person.save(update_fields=["account", "updated_at"])
        except IntegrityError as exc:  # linked to someone else at the same moment
            raise ValidationError({"account": _("该账号已关联其他人员，请刷新页面后重新选择。")}) from exc
        record(AuditEvent.Kind.DATA_CHANGED, user=by, obj=person, detail={
            "action": "link_account" if account else "unlink_account", "unit": person.unit.uscc,
            "account": account.username if account else None, "previous": before.username if before else None})
        return person


def person_of(user: User, unit: Unit) -> Person | None:
    """The person ``user`` is at ``unit``: None for an account linked to nobody there (or for no account)."""
    if not getattr(user, "pk", None):
        return None
    return Person.objects.filter(account_id=user.pk, unit_id=unit.pk).first()


def posts_held(user: User, unit: Unit, day: date | None = None) -> frozenset[str]:
    """The ``Post`` values the person behind ``user`` holds at ``unit`` on ``day`` (today by default): what the
    account may file or sign there (Order 74 Art. 142–144). One query."""
    if not getattr(user, "pk", None):
        return frozenset()
    day = day or timezone.localdate()
    return frozenset(Appointment.objects.filter(querysets.in_office_on(day), unit_id=unit.pk,
                                                person__account_id=user.pk).values_list("post", flat=True))


# --- Appointments and staffing --------------------------------------------------------------------

def recount(unit_id: int) -> UnitStaffing:
    """Recount the in-office holders of every post at one unit (caller holds the unit's row lock)."""
    in_office = Appointment.objects.filter(unit_id=unit_id, ended_on__isnull=True)
    counts = dict(in_office.values_list("post").annotate(n=Count("id")))
    flagged = in_office.filter(person__assessment_failed=True).exists()
    staffing, _created = UnitStaffing.objects.update_or_create(
        unit_id=unit_id, defaults={**{post: counts.get(post, 0) for post in Post.values}, "flagged": flagged})
    return staffing


def _check_equipment(unit: Unit, equipment) -> list[Equipment]:
    chosen = list(equipment or ())
    if any(e.unit_id != unit.pk for e in chosen):
        raise ValidationError({"equipment": _("只能选择本单位的设备。")})
    return chosen


def appoint(*, by: User, unit: Unit, person: Person, post: str, started_on: date, covers: str = "",
            equipment=(), document=None) -> Appointment:
    """Put ``person`` in ``post`` at ``unit``. A single-holder post already held is handed over: the
    current holder's appointment ends the day the new one starts and the new one records whom it
    replaced (replacement history)."""
    with transaction.atomic():
        unit = _unit(by, unit, lock=True)
        if person.unit_id != unit.pk:
            raise ValidationError({"person": _("只能任命本单位登记的人员。")})
        if post not in rules.posts_for(unit.kinds):
            raise ValidationError({"post": _("%(kinds)s不设“%(post)s”。") % {
                "kinds": unit.get_kinds_display(), "post": Post(post).label}})
        if started_on > timezone.localdate():
            raise ValidationError({"started_on": _("任职日期不能晚于今天。")})
        held = set(Appointment.objects.filter(unit=unit, person=person, ended_on__isnull=True)
                   .values_list("post", flat=True))
        if post in held:
            raise ValidationError({"post": _("%(name)s 已担任%(post)s。") % {"name": person.name,
                                                                      "post": Post(post).label}})
        clash = rules.forbidden_with(post, held)
        if clash:
            other, source = clash
            raise ValidationError({"post": _("%(post)s不得兼任%(other)s（%(source)s）。") % {
                "post": Post(post).label, "other": Post(other).label, "source": source}})
        replaced = None
        if post in rules.SINGLE_HOLDER_POSTS:
            replaced = Appointment.objects.filter(unit=unit, post=post, ended_on__isnull=True).first()
            if replaced is not None:
                if started_on < replaced.started_on:
                    raise ValidationError({"started_on": _("任职日期早于现任%(post)s %(name)s 的任职日期 %(d)s。") % {
                        "post": Post(post).label, "name": replaced.person.name,
                        "d": formats.date_format(replaced.started_on)}})
                replaced.ended_on, replaced.end_reason = started_on, EndReason.REPLACED
                replaced.save(update_fields=["ended_on", "end_reason"])
        appointment = Appointment(unit=unit, person=person, post=post, started_on=started_on, covers=covers.strip(),
                                  replaces=replaced, created_by=by)
        appointment.place_with(unit)
        if document:
            appointment.document.save(document.name, document, save=False)
        appointment.save()
        appointment.equipment.set(_check_equipment(unit, equipment))
        recount(unit.pk)
        record(AuditEvent.Kind.DATA_CHANGED, user=by, obj=appointment, detail={
            "action": "appoint", "unit": unit.uscc, "post": post, "person": person.pk,
            "replaces": replaced.pk if replaced else None})
        return appointment


def number_held_by_another_name(person: Person, typed: str) -> str | None:
    """What to say when an ID number on the unit's books is entered under another name (the page and the
    import both ask), naming the holder with the number masked; None when the names agree."""
    if person.name == typed:
        return None
    return _("该身份证号码已登记为本单位人员 %(name)s（%(masked)s），与填写的姓名“%(typed)s”不符。") % {
        "name": person.name, "masked": person.id_masked, "typed": typed}


def appoint_new_person(*, by: User, unit: Unit, name: str, id_number: str, phone: str, post: str,
                       started_on: date, education: str = "", title: str = "", covers: str = "", equipment=(),
                       document=None) -> Appointment:
    """The phone form: enter a person and their post in one step. Someone already on the unit's books
    (same ID number) is appointed as they are rather than entered twice."""
    with transaction.atomic():
        unit = _unit(by, unit)
        with errors_on("id_number"):
            number = validate_id_number(id_number).number
        person = with_id_number(Person.objects.filter(unit=unit), number).first()
        mismatch = person and number_held_by_another_name(person, (name or "").strip())
        if mismatch:
            # Said at the number, not at the post: the form was filled for someone else's number.
            raise ValidationError({"id_number": mismatch + _(
                "请核对号码；如确为 %(name)s 增加职务，请在其人员页面点击“任职”。") % {"name": person.name}})
        if person is None:
            person = add_person(by=by, unit=unit, name=name, id_number=number, phone=phone, education=education,
                                title=title)
        return appoint(by=by, unit=unit, person=person, post=post, started_on=started_on, covers=covers,
                       equipment=equipment, document=document)


def end_appointment(*, by: User, appointment: Appointment, ended_on: date, reason: str) -> Appointment:
    with transaction.atomic():
        appointment = access.get_or_404(Appointment.objects.all(), by, Write.RECORDS, pk=appointment.pk)
        _unit(by, appointment.unit, lock=True)
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if appointment.ended_on is not None:
            raise ValidationError(_("该任职已于 %(d)s 结束。") % {"d": formats.date_format(appointment.ended_on)})
        if ended_on < appointment.started_on:
            raise ValidationError({"ended_on": _("离任日期不能早于任职日期 %(d)s。") % {
                "d": formats.date_format(appointment.started_on)}})
        if ended_on > timezone.localdate():
            raise ValidationError({"ended_on": _("离任日期不能晚于今天。")})
        if reason not in EndReason.values:
            raise ValidationError({"reason": _("请选择离任原因。")})
        appointment.ended_on, appointment.end_reason = ended_on, reason
        appointment.save(update_fields=["ended_on", "end_reason"])
        recount(appointment.unit_id)
        record(AuditEvent.Kind.DATA_CHANGED, user=by, obj=appointment,
               detail={"action": "end_appointment", "reason": reason, "ended_on": str(ended_on)})
        return appointment


def certificate_gaps(appointments) -> dict[int, list[str]]:
    """{appointment id: required certificate item codes its holder lacks (or holds only expired)}."""
    today = timezone.localdate()
    gaps = {}
    for appointment in appointments:
        needed = rules.required_certificates(appointment.post)
        if not needed:
            continue
        held = {c.item_code for c in appointment.person.certificates.all() if c.expires_on >= today}
        missing = [code for code in needed if code not in held]
        if missing:
            gaps[appointment.pk] = missing
    return gaps


# --- Certificates, training, assessment --------------------------------------------------------------

def add_certificate(*, by: User, person: Person, item_code: str, number: str, issued_by: str, issued_on: date,
                    expires_on: date) -> Certificate:
    with transaction.atomic():
        person = access.get_or_404(Person.objects.select_related("unit"), by, Write.RECORDS, pk=person.pk)
        if expires_on < issued_on:
            raise ValidationError({"expires_on": _("有效期至不能早于发证日期。")})
        item_code, number = item_code.strip().upper(), number.strip()
        if Certificate.objects.filter(person=person, item_code=item_code, number=number).exists():
            raise ValidationError({"number": _("该证书已登记。")})
        certificate = Certificate(person=person, unit=person.unit, item_code=item_code, number=number,
                                  issued_by=issued_by.strip(), issued_on=issued_on, expires_on=expires_on)
        certificate.place_with(person)
        certificate.save()
        record(AuditEvent.Kind.DATA_CHANGED, user=by, obj=certificate,
               detail={"action": "add_certificate", "person": person.pk, "item_code": item_code})
        return certificate


def record_training(*, by: User, unit: Unit, held_on: date, content: str, hours, trainer: str, passed=(),
                    failed=()) -> Training:
    """附件 7: the unit trains and assesses its directors and officers and keeps the record."""
    with transaction.atomic():
        unit = _unit(by, unit)
        passed, failed = list(passed), list(failed)
        if not passed and not failed:
            raise ValidationError({"passed": _("请至少选择一名参训人员。")})
        both = {p.pk for p in passed} & {p.pk for p in failed}
        if both:
            raise ValidationError({"failed": _("同一人员不能既合格又不合格。")})
        if any(p.unit_id != unit.pk for p in passed + failed):
            raise ValidationError({"passed": _("只能选择本单位的人员。")})
        if held_on > timezone.localdate():
            raise ValidationError({"held_on": _("培训日期不能晚于今天。")})
        training = Training(unit=unit, held_on=held_on, content=content.strip(), hours=hours, trainer=trainer.strip(),
                            created_by=by)
        training.place_with(unit)
        training.save()
        TrainingResult.objects.bulk_create(
            [TrainingResult(training=training, person=p, result=AssessmentResult.PASSED) for p in passed]
            + [TrainingResult(training=training, person=p, result=AssessmentResult.FAILED) for p in failed])
        record(AuditEvent.Kind.DATA_CHANGED, user=by, obj=training,
               detail={"action": "record_training", "passed": len(passed), "failed": len(failed)})
        return training


def record_assessment(*, by: User, person: Person, assessed_on: date, score: int, result: str,
                      note: str = "") -> SpotAssessment:
    """附件 8: a county-or-higher regulator's spot assessment. The latest one decides the person's flag;
    the unit's flag follows from its in-office people (Order 74 Art. 147)."""
    with transaction.atomic():
        person = access.get_or_404(Person.objects.select_related("unit"), by, Duty.ASSESS_PERSONNEL, pk=person.pk)
        Unit.objects.select_for_update().get(pk=person.unit_id)
        if result not in AssessmentResult.values:
            raise ValidationError({"result": _("请选择考核结果。")})
        if not 0 <= score <= 100:
            raise ValidationError({"score": _("得分应在 0–100 之间。")})
        contradiction = rules.contradicts_score(score, result)
        if contradiction:
            raise ValidationError({"result": contradiction})
        if assessed_on > timezone.localdate():
            raise ValidationError({"assessed_on": _("考核日期不能晚于今天。")})
        assessment = SpotAssessment(person=person, unit=person.unit, assessed_on=assessed_on, score=score,
                                    result=result, note=note.strip(), assessor=by, authority=by.jurisdiction)
        assessment.place_with(person)
        assessment.save()
        latest = SpotAssessment.objects.filter(person=person).order_by("-assessed_on", "-id").first()
        Person.objects.filter(pk=person.pk).update(assessment_failed=latest.result == AssessmentResult.FAILED)
        recount(person.unit_id)
        record(AuditEvent.Kind.DATA_CHANGED, user=by, obj=assessment,
               detail={"action": "record_assessment", "person": person.pk, "result": result, "score": score})
        return assessment


# --- Reminders (docs/architecture.md §Background work) -----------------------------------------------

def certificate_reminders(today: date | None = None) -> int:
    """Remind each enterprise of certificates expiring within 90 and 30 days, once per threshold.

    A certificate is reminded at the nearest threshold it is within, so one entered 20 days before
    expiry gets the 30-day reminder only, not both at once. The ``CertificateReminder`` row is the
    record (and the enterprise's list); each active account of the unit gets an inbox reminder due at
    once, which ``portal.inbox.services.deliver_due`` turns into a notification and, where the account
    has an address, a mail. The unique keys on both make reruns and two beat processes harmless.
    Returns how many certificate reminders were created.
    """
    today = today or timezone.localdate()
    created = 0
    thresholds = sorted(settings.CERTIFICATE_REMINDER_DAYS, reverse=True)
    for days, nearer in zip(thresholds, [*thresholds[1:], -1], strict=True):
        window = (today + timedelta(days=nearer + 1), today + timedelta(days=days))
        due = (Certificate.objects.filter(expires_on__range=window)
               .exclude(Exists(CertificateReminder.objects.filter(
                   certificate=OuterRef("pk"), days_before=days, expires_on=OuterRef("expires_on"))))
               .select_related("person", "unit"))
        for certificate in due.iterator(chunk_size=500):
            with transaction.atomic():
                reminder, is_new = CertificateReminder.objects.get_or_create(
                    certificate=certificate, days_before=days, expires_on=certificate.expires_on)
                if not is_new:
                    continue
                reminder.emailed_to = _remind_unit(certificate, days)
                reminder.save(update_fields=["emailed_to"])
                created += 1
    return created


def _unit_accounts(unit_id: int):
    grant_model = access.unit_grant_model()
    return User.objects.filter(role=Role.ENTERPRISE, is_active=True, pk__in=grant_model.objects.filter(
        content_object_id=unit_id).values("user_id")).order_by("pk")


def _remind_unit(certificate: Certificate, days: int) -> int:
    """An inbox reminder for each active account of the certificate's unit; returns how many of them have an
    address, i.e. how many mails the delivery sends."""
    expires_on = formats.date_format(certificate.expires_on)
    title = _("作业人员证将于 %(d)s 到期") % {"d": expires_on}
    body = _("%(unit)s：%(name)s 的作业人员证（%(code)s，编号 %(number)s）将于 %(d)s 到期（%(days)d 天内），"
             "请在有效期届满 1 个月前申请复审。") % {
        "unit": certificate.unit.name, "name": certificate.person.name,
        "code": rules.certificate_name(certificate.item_code),
        # A mail leaves the portal: a certificate numbered by its holder's ID number goes masked.
        "number": certificate.number_masked, "d": expires_on, "days": days}
    now = timezone.now()
    key = f"certificate{certificate.pk}:{certificate.expires_on.isoformat()}:{days}"
    accounts = list(_unit_accounts(certificate.unit_id))
    for account in accounts:
        inbox.schedule(account, "certificate-expiry", key, now, title, body, certificate.person.get_absolute_url())
    return sum(1 for account in accounts if account.email)
