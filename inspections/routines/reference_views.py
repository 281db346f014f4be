"""The reference templates page and its downloads (002 附件 5; ``references``): any signed-in account, since
regulators hand the blanks out and units print them. The blanks hold nothing of any unit, so they are neither
scoped nor audited; they are issued in ``settings.DOCUMENT_LANGUAGE`` like every official document."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.http import content_disposition_header

from inspections.routines import references
from inspections.routines.services import template_codes_for
from jurisdictions import access
from units.services import unit_of

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@login_required
def reference_list(request):
    """The four documents with a PDF and an Excel link each; ``?kind=`` prefills the list and the daily
    record from that category's template. An enterprise sees its own equipment's categories first."""
    kind = request.GET.get("kind", "").strip()
    error = ""
    try:
        name = references.kind_name(kind or None)
    except ValidationError as exc:
        error, kind, name = exc.messages[0], "", references.kind_name(None)
    unit = unit_of(request.user) if access.is_enterprise(request.user) else None
    own = template_codes_for(unit) if unit else []
    kinds = references.kinds()
    documents = [{"slug": d.slug, "title": str(d.title_pattern) % {"kind": name},
                  "prefilled": bool(kind) and d.slug in references.PREFILLED} for d in references.DOCUMENTS.values()]
    return render(request, "routines/references.html", {
        "documents": documents, "kind": kind, "error": error,
        "kinds": [(code, name) for code, name in kinds if code in own] + [(c, n) for c, n in kinds if c not in own],
        "own": own,
    })


@login_required
def reference_download(request, doc: str, fmt: str):
    document = references.DOCUMENTS.get(doc)
    if document is None:
        raise Http404
    kind = request.GET.get("kind", "").strip() or None
    with translation.override(settings.DOCUMENT_LANGUAGE):
        try:
            filename = f"{references.title(document, kind)}.{fmt}"
        except ValidationError as exc:
            raise Http404(exc.messages[0]) from exc
        content = references.pdf(document, kind) if fmt == "pdf" else references.workbook(document, kind)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response
