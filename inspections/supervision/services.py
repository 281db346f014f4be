"""Every write of the supervision app: the 重点单位 flag and the inspectors' certificates (docs/domain.md §Risk
grade, §Inspector pool). Each names its actor, runs in one transaction and leaves an audit event."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from inspections.supervision import grading
from inspections.supervision.choices import CertificateClass
from inspections.supervision.models import InspectorCertificate, KeyUnit
from jurisdictions import access
from jurisdictions.audit import record
from jurisdictions.duties import Duty
from jurisdictions.models import AuditEvent, User
from units.models import Unit

CERTIFICATE_FIELDS = ("number", "certificate_class", "issued_by", "issued_on", "expires_on")


def set_key_unit(*, by, unit: Unit, designated: bool, reason: str) -> Unit:
    """List ``unit`` as a 重点单位 (Order 57 Art. 9) or take it off, with the reason either way, and regrade it at
    once so the page shows the outcome. Held by whoever inspects the unit (INSPECT over it: its station, county,
    city, the province), as the regulators who know it."""
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("请填写理由。")})
    with transaction.atomic():
        unit = access.get_or_404(Unit.objects.select_for_update(), by, Duty.INSPECT, pk=unit.pk)
        current = KeyUnit.objects.filter(unit=unit).first()
        if designated:
            if current is None:
                KeyUnit.objects.create(unit=unit, reason=reason, designated_by=access.account(by))
            else:
                current.reason, current.designated_by = reason, access.account(by)
                current.save(update_fields=["reason", "designated_by"])
            action = "designate_key_unit"
        else:
            if current is None:
                raise ValidationError({"designated": _("该单位不在重点单位名录中。")})
            current.delete()
            action = "remove_key_unit"
        record(AuditEvent.Kind.DATA_CHANGED, user=by, obj=unit, detail={
            "action": action, "reason": reason[:200], "previous": current.reason[:200] if current else ""})
        grading.regrade([unit.pk])
        unit.refresh_from_db(fields=["risk_grade"])
        return unit


def _holder(by, holder: User) -> User:
    """An account ``by`` manages (its own jurisdiction's leader or one above: MANAGE_ACCOUNTS over the node) that
    is a regulator's; nobody enters their own certificate."""
    holder = access.get_or_404(User.objects.select_related("jurisdiction"), by, Duty.MANAGE_ACCOUNTS, pk=holder.pk)
    if not holder.is_regulator:
        raise ValidationError({"holder": _("监察员证只能录入监管部门的账号。")})
    if holder.pk == getattr(by, "pk", None):
        raise ValidationError({"holder": _("不能为自己录入监察员证，请由上级或本级负责人录入。")})
    return holder


def _check(certificate: InspectorCertificate) -> None:
    certificate.number = (certificate.number or "").strip()
    if not certificate.number:
        raise ValidationError({"number": _("请填写证书编号。")})
    if certificate.certificate_class not in CertificateClass.values:
        raise ValidationError({"certificate_class": _("请选择证书类别。")})
    if not certificate.issued_by.strip():
        raise ValidationError({"issued_by": _("请填写发证机关。")})
    if certificate.expires_on <= certificate.issued_on:
        raise ValidationError({"expires_on": _("有效期至应晚于发证日期。")})
    clash = InspectorCertificate.objects.filter(number=certificate.number).exclude(pk=certificate.pk)
    if clash.exists():
        raise ValidationError({"number": _("证书编号 %(number)s 已录入。") % {"number": certificate.number}})


def add_certificate(*, by, holder: User, number: str, certificate_class: str, issued_by: str, issued_on: date,
                    expires_on: date) -> InspectorCertificate:
    """Enter a 监察员证 for a regulator account (000 §一(十), §二(九))."""
    with transaction.atomic():
        holder = _holder(by, holder)
        certificate = InspectorCertificate(holder=holder, number=number, certificate_class=certificate_class,
                                           issued_by=issued_by, issued_on=issued_on, expires_on=expires_on,
                                           created_by=access.account(by))
        _check(certificate)
        certificate.save()
        record(AuditEvent.Kind.DATA_CHANGED, user=by, obj=certificate,
               detail={"action": "add_inspector_certificate", "holder": holder.username})
        return certificate


def update_certificate(*, by, certificate: InspectorCertificate, **changes) -> InspectorCertificate:
    """Correct a certificate's details; its holder does not change (a certificate of someone else is a new row)."""
    with transaction.atomic():
        certificate = access.get_or_404(InspectorCertificate.objects.select_for_update(), by, Duty.MANAGE_ACCOUNTS,
                                        pk=certificate.pk)
        _holder(by, certificate.holder)
        before = {f: getattr(certificate, f) for f in CERTIFICATE_FIELDS}
        for name in CERTIFICATE_FIELDS:
            if name in changes:
                setattr(certificate, name, changes[name])
        _check(certificate)
        changed = {f: [str(before[f]), str(getattr(certificate, f))] for f in CERTIFICATE_FIELDS
                   if before[f] != getattr(certificate, f)}
        if changed:
            certificate.save()
            record(AuditEvent.Kind.DATA_CHANGED, user=by, obj=certificate,
                   detail={"action": "update_inspector_certificate", "changed": changed})
        return certificate
