"""The reply letter (回复函) to a 三书一函 as a PDF (docs/domain.md §Recommendations), laid out as an official letter
(GB/T 9704-2012): the responsible jurisdiction's bureau as issuer, the issuing body as addressee, the instrument
cited by its number and case, the measures taken and the reply, then the signature and seal over the reply date."""

from __future__ import annotations

from django.utils.translation import gettext as _

from inspections.supervision.models import Recommendation
from inspections.supervision.recommendation_choices import Kind
from portal.kit.pdf import document_date, render_pdf


def bureau(node) -> str:
    """``城关区`` → ``城关区市场监督管理局``: the department of a province, city or county node."""
    return _("%(name)s市场监督管理局") % {"name": node.name}


def addressed_as(kind: str) -> str:
    """How the letter names the sender: a court or procuratorate 你院, a supervisory commission 你委, police 你局."""
    return {Kind.JUDICIAL: _("你院"), Kind.PROCURATORIAL: _("你院"), Kind.SUPERVISORY: _("你委"),
            Kind.POLICE: _("你局")}[Kind(kind)]


def reply_letter_context(recommendation: Recommendation) -> dict:
    return {
        "title": _("关于%(kind)s（%(number)s）办理情况的回复") % {
            "kind": recommendation.get_kind_display(), "number": recommendation.document_number},
        "issuer": bureau(recommendation.jurisdiction),
        "issued_on": document_date(recommendation.replied_on),
        "r": recommendation,
        "you": addressed_as(recommendation.kind),
        "issued": document_date(recommendation.issued_on),
    }


def reply_letter_pdf(recommendation: Recommendation) -> bytes:
    return render_pdf("pdf/supervision/recommendation_reply.html", reply_letter_context(recommendation))
