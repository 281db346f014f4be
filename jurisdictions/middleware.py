from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils import timezone


class SessionLimitsMiddleware:
    """The session's two limits (docs/security.md): 12 hours after login, and 30 minutes idle.

    The idle clock is ``seen_at`` in the session, moved at most every ``SESSION_TOUCH_INTERVAL`` seconds;
    moving it is what saves the session row and pushes its expiry (``SESSION_COOKIE_AGE``) ahead, so a
    page view inside the interval writes nothing and both limits hold to that interval.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = timezone.now().timestamp()
            started = request.session.get("login_at")
            seen = request.session.get("seen_at", started)
            if (started is None or now - started > settings.SESSION_ABSOLUTE_LIMIT.total_seconds()
                    or now - seen > settings.SESSION_COOKIE_AGE):
                logout(request)
                return redirect(settings.LOGIN_URL)
            if now - seen >= settings.SESSION_TOUCH_INTERVAL:
                request.session["seen_at"] = now
        return self.get_response(request)
