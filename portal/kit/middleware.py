import logging

from django.db import DatabaseError, InterfaceError, OperationalError
from django.shortcuts import render

from portal.kit import context

logger = logging.getLogger(__name__)


class RequestContextMiddleware:
    """Gives each request an id (returned as ``X-Request-ID``) and records the client address.

    The address is ``REMOTE_ADDR`` only: a forwarded header is attacker-controlled unless a trusted
    proxy sets it (SECURITY.md §Authentication).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = context.begin(request.META.get("REMOTE_ADDR"))
        try:
            request.request_id = context.current().request_id
            response = self.get_response(request)
            response["X-Request-ID"] = request.request_id
            return response
        finally:
            context.end(token)


class DatabaseUnavailableMiddleware:
    """A database outage answers a friendly 503 page, never a stack trace (SECURITY.md §Reliability).

    Django reconnects on the next request by itself (``CONN_HEALTH_CHECKS``), so recovery needs no
    restart.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self.get_response(request)
        except (OperationalError, InterfaceError) as exc:
            return self._maintenance(request, exc)

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)):
            return self._maintenance(request, exception)
        return None

    def _maintenance(self, request, exc: DatabaseError):
        logger.error("database unavailable: %s", exc.__class__.__name__)
        return render(request, "maintenance.html", status=503, using=None, context={"request_id": getattr(request, "request_id", "")})
