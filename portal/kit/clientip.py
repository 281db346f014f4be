"""The client's address, as the lockout (django-axes) and the security-event log both use it.

Directly exposed (``TRUSTED_PROXY_COUNT = 0``) it is ``REMOTE_ADDR``; forwarded headers are whatever
the client wrote. Behind ``N`` trusted reverse proxies each appends the address it received the
connection from to ``X-Forwarded-For``, so the client is the N-th entry from the right — the
right-most one no trusted proxy wrote. Entries to its left are the client's own and change nothing,
so a forged leading entry neither spreads failures over many "addresses" nor lifts a lock.
A request without enough entries did not pass through the proxies (the container's health check),
and is taken at its ``REMOTE_ADDR``.
"""

import ipaddress

from django.conf import settings


def _meta_key(header: str) -> str:
    return "HTTP_" + header.strip().upper().replace("-", "_")


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    entries = [e.strip() for e in request.META.get(_meta_key(settings.CLIENT_IP_HEADER), "").split(",")]
    entries = [e for e in entries if e]
    if len(entries) < count:
        return remote
    try:
        return str(ipaddress.ip_address(entries[-count]))
    except ValueError:
        return remote
