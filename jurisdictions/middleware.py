from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils import timezone


class SessionLimitsMiddleware:
    """The 12-hour absolute session limit (docs/security.md); the 30-minute idle limit is the cookie age."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.get("login_at")
            limit = settings.SESSION_ABSOLUTE_LIMIT.total_seconds()
            if started is None or timezone.now().timestamp() - started > limit:
                logout(request)
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)
