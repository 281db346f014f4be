import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

DATABASE_DOWN = (OperationalError, InterfaceError)


def maintenance(request, exc: BaseException | None = None) -> HttpResponse:
    """The friendly 503 page while the database is unreachable (docs/security.md §Reliability).

    Rendered without the request: context processors read ``request.user``, i.e. the session, i.e.
    the database that just failed.
    """
    logger.error("database unavailable: %s", exc.__class__.__name__ if exc else "unknown")
    body = render_to_string("maintenance.html", {"request_id": getattr(request, "request_id", "")})
    return HttpResponse(body, status=503, headers={"Retry-After": "30"})


def server_error(request):
    """A friendly page with the request id to quote to support, never a stack trace.

    Rendered without context processors: the failure may be the database they would query. A
    database outage raised by a middleware (the session lookup) reaches Django's handler500 rather
    than ``DatabaseUnavailableMiddleware``, so it is recognised here too and answered with 503.
    """
    exc = sys.exc_info()[1]
    if isinstance(exc, DATABASE_DOWN):
        return maintenance(request, exc)
    body = render_to_string("500.html", {"request_id": getattr(request, "request_id", "")})
    return HttpResponseServerError(body)
