"""A django-redis client that stops calling Redis for a while after it fails.

``IGNORE_EXCEPTIONS`` alone turns a dead Redis into cache misses, but a Redis that accepts
connections and never answers still costs the socket timeout on *every* call; a page that touches
the cache twice would then take two seconds. After one failure this client answers "miss" at once
for ``COOL_DOWN`` seconds (docs/security.md §Reliability: pages keep working while Redis is down or hung).
"""

import threading
import time

from django_redis.client import DefaultClient
from django_redis.exceptions import ConnectionInterrupted

COOL_DOWN = 30.0
_state = threading.local()
_lock = threading.Lock()
_open_until = 0.0


def _is_open() -> bool:
    return time.monotonic() < _open_until


def _trip() -> None:
    global _open_until
    with _lock:
        _open_until = time.monotonic() + COOL_DOWN


def reset() -> None:
    global _open_until
    with _lock:
        _open_until = 0.0


class CircuitBreakerClient(DefaultClient):
    def _guard(self, _name, _fallback, /, *args, **kwargs):
        # Positional-only: callers pass ``default=`` in kwargs (django-redis does), which must reach
        # the real method rather than collide with the fallback.
        if _is_open():
            return _fallback
        try:
            return getattr(super(), _name)(*args, **kwargs)
        except ConnectionInterrupted:
            # Only an unreachable or hung Redis opens the breaker; a logical error such as incr() of
            # a missing key (ValueError) is the caller's business and must not blind the cache.
            _trip()
            raise

    def get(self, *args, **kwargs):
        default = kwargs["default"] if "default" in kwargs else (args[1] if len(args) > 1 else None)
        return self._guard("get", default, *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._guard("set", False, *args, **kwargs)

    def add(self, *args, **kwargs):
        return self._guard("add", False, *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._guard("delete", 0, *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._guard("get_many", {}, *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._guard("set_many", [], *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._guard("delete_many", 0, *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._guard("incr", None, *args, **kwargs)
