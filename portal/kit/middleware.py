import logging

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.utils import translation
from django.utils.cache import patch_vary_headers
from pghistory.middleware import HistoryMiddleware

from portal.kit import clientip, context, errors, health

logger = logging.getLogger(__name__)


class ProbeMiddleware:
    """Answers ``/healthz`` and ``/readyz`` before any middleware that could touch the session or
    the database: a probe that happens to carry a session cookie must not turn liveness into a 503."""

    PROBES = {"/healthz": health.healthz, "/readyz": health.readyz}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = self.PROBES.get(request.path_info)
        return probe(request) if probe else self.get_response(request)


class RequestContextMiddleware:
    """Gives each request an id (returned as ``X-Request-ID``) and records the client address.

    The address is the one the lockout uses (``portal.kit.clientip``): ``REMOTE_ADDR``, or behind
    trusted proxies the entry they appended; a forwarded header is otherwise attacker-controlled
    (docs/security.md §Authentication).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = context.begin(clientip.client_ip(request))
        try:
            request.request_id = context.current().request_id
            response = self.get_response(request)
            response["X-Request-ID"] = request.request_id
            return response
        finally:
            context.end(token)


class LanguageMiddleware:
    """The language of a page: the one chosen with the top bar's switch (its cookie), else ``LANGUAGE_CODE``.

    Unlike Django's ``LocaleMiddleware`` the browser's ``Accept-Language`` is never read: the portal's
    language is a deployment setting, and a headless or English-language browser would otherwise get
    English dates inside a Chinese page (tests/kit/test_language.py).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with translation.override(self.language(request)):
            request.LANGUAGE_CODE = translation.get_language()
            response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response

    @staticmethod
    def language(request) -> str:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen:
            try:
                return translation.get_supported_language_variant(chosen)
            except LookupError:
                pass
        return settings.LANGUAGE_CODE


class DatabaseUnavailableMiddleware:
    """A database outage answers a friendly 503 page, never a stack trace (docs/security.md §Reliability).

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
        # Shared with handler500, which sees the outages raised inside other middleware (the session).
        return errors.maintenance(request, exc)


class HistoryContextMiddleware(HistoryMiddleware):
    """pghistory context for every write: user id plus the username snapshot and request id, so a
    data-change row names its author even after the account is renamed (docs/security.md §Audit)."""

    def get_context(self, request):
        ctx = super().get_context(request)
        user = getattr(request, "user", None)
        ctx["username"] = user.get_username() if user is not None and user.is_authenticated else ""
        ctx["request_id"] = getattr(request, "request_id", "")
        return ctx
