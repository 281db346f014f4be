"""The published annual plan as a PDF (docs/domain.md §Annual plan): issued by the city's bureau, the seed and
ratios the draw used (so anyone may draw it again and compare), the figures per stratum, then every task — unit,
county, inspectors, due date — by county."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import translation
from django.utils.translation import gettext as _

from inspections.supervision.models import AnnualPlan, PlanTask
from inspections.supervision.plan_choices import STRATUM_LABELS, PlanStatus
from inspections.supervision.plan_draw import STRATA
from inspections.supervision.plan_tables import person
from inspections.supervision.recommendation_documents import bureau
from portal.kit.pdf import document_date, render_pdf
from portal.kit.wording import listing


def plan_context(plan: AnnualPlan) -> dict:
    tasks = (PlanTask.objects.filter(plan=plan).select_related("unit", "county", "inspector_1", "inspector_2")
             .order_by("county__code", "due_on", "unit__name", "id"))
    figures = (plan.pool or {}).get("strata", {})
    return {
        "title": plan.title,
        "issuer": bureau(plan.jurisdiction),
        "issued_on": document_date((plan.published_at or plan.approved_at or plan.created_at).date()),
        "plan": plan,
        "starts": document_date(plan.starts_on),
        "ends": document_date(plan.ends_on),
        "strata": [{"label": STRATUM_LABELS[s], "ratio": round(100 * float(plan.ratios.get(s, 0)), 1),
                    **figures.get(s, {"pool": 0, "drawn": 0})} for s in STRATA],
        "tasks": [{"unit": t.unit.name, "county": t.county.name if t.county else plan.jurisdiction.name,
                   "inspectors": listing(p for p in (person(t.inspector_1), person(t.inspector_2)) if p)
                   or _("待定"), "due": t.due_on.isoformat()} for t in tasks],
    }


def plan_pdf(plan: AnnualPlan) -> bytes:
    return render_pdf("pdf/supervision/annual_plan.html", plan_context(plan))


STORE_TASK = "inspections.supervision.tasks.store_plan_document"
logger = logging.getLogger(__name__)


def store(plan_pk: int) -> bool:
    """Render the published plan's PDF once and keep it on the plan (``AnnualPlan.document``); a rerun, or a plan
    not published, does nothing. Run by a worker after publication (``plan_services.publish`` enqueues it), since a
    city's plan of thousands of tasks takes WeasyPrint longer than a page may. Returns whether it stored one."""
    plan = AnnualPlan.objects.filter(pk=plan_pk, status=PlanStatus.PUBLISHED, document="").first()
    if plan is None:
        return False
    with translation.override(settings.DOCUMENT_LANGUAGE):
        content = plan_pdf(plan)
    plan.document.save("plan.pdf", ContentFile(content), save=False)
    if not AnnualPlan.objects.filter(pk=plan.pk, document="").update(document=plan.document.name):
        plan.document.delete(save=False)  # another run stored it first
        return False
    logger.info("plan %s: %d bytes stored as %s", plan.pk, len(content), plan.document.name)
    return True
