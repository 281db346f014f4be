"""The documents of use registration as PDFs (docs/architecture.md §Documents): the 使用登记证 of each registered piece
of equipment and the decision (准予/不予登记决定书) on each application.

Issued in the name of the city (000 §二(二)): a county deciding under delegation (委托) acts for the
city, so the issuer is always the application's ``authority``.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jurisdictions.models import Jurisdiction
from portal.kit.pdf import document_date, render_pdf
from units.choices import ApplicationKind, ApplicationStatus, EquipmentStatus
from units.models import Application, Equipment
from units.services import change_rows

# A certificate exists while the equipment is registered: in use or suspended (TSG 08;
# docs/domain.md §Use registration).
CERTIFIED_STATUSES = (EquipmentStatus.IN_USE, EquipmentStatus.SUSPENDED)
DECIDED_STATUSES = (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED)
MATTERS = {
    ApplicationKind.REGISTER: gettext_lazy("使用登记"),
    ApplicationKind.CHANGE: gettext_lazy("变更登记"),
    ApplicationKind.SUSPEND: gettext_lazy("停用登记"),
    ApplicationKind.RESUME: gettext_lazy("启用登记"),
    ApplicationKind.DEREGISTER: gettext_lazy("注销登记"),
}


def authority_title(node: Jurisdiction) -> str:
    """``兰州市`` → ``兰州市市场监督管理局``: the registering body of a city-tier node."""
    return _("%(name)s市场监督管理局") % {"name": node.name}


def registering_application(equipment: Equipment) -> Application | None:
    return (equipment.applications.filter(kind=ApplicationKind.REGISTER, status=ApplicationStatus.APPROVED)
            .select_related("authority").order_by("-decided_at").first())


def certificate_context(equipment: Equipment) -> dict:
    application = registering_application(equipment)
    authority = application.authority if application else Jurisdiction.objects.get(pk=equipment.city_id)
    issuer = authority_title(authority)
    registered_on = equipment.registered_on or timezone.localdate()
    return {
        "title": _("特种设备使用登记证"),
        "issuer": issuer,
        "document_number": _("编号：%(number)s") % {"number": equipment.registration_number},
        "issued_on": document_date(registered_on),
        "equipment": equipment,
        "unit": equipment.unit,
        "registered_on": document_date(registered_on),
    }


def certificate_pdf(equipment: Equipment) -> bytes:
    """使用登记证 (TSG 08; docs/domain.md §Identifiers for the number)."""
    return render_pdf("pdf/use_certificate.html", certificate_context(equipment))


def matter_of(application: Application) -> str:
    """What was applied for, as the decision names it: 使用登记, 变更登记, 停用登记, 启用登记, 注销登记."""
    return str(MATTERS[ApplicationKind(application.kind)])


def decision_context(application: Application) -> dict:
    approved = application.status == ApplicationStatus.APPROVED
    matter = matter_of(application)
    decided_on = timezone.localtime(application.decided_at).date()
    title = _("准予特种设备%(matter)s决定书") if approved else _("不予特种设备%(matter)s决定书")
    return {
        "title": title % {"matter": matter},
        "issuer": authority_title(application.authority),
        "document_number": application.decision_number,
        "issued_on": document_date(decided_on),
        "application": application,
        # How the decision cites the application: by its 受理编号 (issue 8 item 14).
        "application_reference": _("受理编号：%(number)s") % {"number": application.number},
        "acceptance_number": application.number,
        # 审查意见: optional on approval, required on refusal (where it is the stated reason).
        "review_opinion": application.decision_note,
        "unit": application.unit,
        "approved": approved,
        "matter": matter,
        "is_registration": application.kind == ApplicationKind.REGISTER,
        "submitted_on": document_date(timezone.localtime(application.submitted_at).date()),
        "equipment": application.equipment.select_related("equipment_type", "category").order_by("pk"),
        # 变更登记: the registered facts it changes, old → new (``services.change_rows``).
        "changes": change_rows(application),
    }


def decision_pdf(application: Application) -> bytes:
    """准予/不予登记决定书, numbered with the application's ``decision_number``."""
    return render_pdf("pdf/registration_decision.html", decision_context(application))
