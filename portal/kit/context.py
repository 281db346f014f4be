"""Per-request facts that deep layers (audit rows, task arguments) need without being handed the request."""

import contextvars
import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    client_ip: str | None


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar("portal_request", default=None)


def current() -> RequestContext | None:
    return _current.get()


def begin(client_ip: str | None) -> contextvars.Token:
    return _current.set(RequestContext(request_id=uuid.uuid4().hex, client_ip=client_ip))


def end(token: contextvars.Token) -> None:
    _current.reset(token)
