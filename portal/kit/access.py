"""How the kit reaches the access spine without importing an app (it is the bottom layer).

``settings.PORTAL_ACCESS_BACKEND`` names a module providing ``scope(queryset, user, duty)``,
``can(user, duty, obj=None)``, ``in_audience(user, audience)`` and ``record_event(event, *, user, ...)``;
in this project that is
``jurisdictions.access`` (docs/access.md).
"""

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_module


@cache
def backend():
    return import_module(settings.PORTAL_ACCESS_BACKEND)


def scope(queryset, user, duty):
    return backend().scope(queryset, user, duty)


def can(user, duty, obj=None) -> bool:
    return backend().can(user, duty, obj)


def in_audience(user, audience) -> bool:
    return audience is None or backend().in_audience(user, audience)


def record_event(event, **kwargs):
    return backend().record_event(event, **kwargs)
