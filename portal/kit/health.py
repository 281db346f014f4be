"""Liveness and readiness probes (docs/security.md §Reliability)."""

from django.db import connection
from django.http import JsonResponse


def healthz(request):
    """Liveness: the process answers. Touches nothing, so a database outage does not restart it."""
    return JsonResponse({"status": "ok"})


def readyz(request):
    """Readiness: 503 while the database cannot answer, so the load balancer stops sending traffic."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        connection.close_if_unusable_or_obsolete()
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})
