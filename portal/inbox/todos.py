"""待办: what awaits a user, gathered from the apps that own the work (docs/architecture.md §Inbox and reminders).

The inbox sits below every business app, so it cannot ask them; each app registers a provider in its
``AppConfig.ready`` instead, as importers register in ``portal.kit.imports``. A provider is a callable
``(user) -> list[Todo]``, computed when the inbox page is opened, so an item clears as soon as its work is
done. It answers an empty list for a user it has nothing for, and runs a constant number of queries (a
count, or a LIMIT) however much work is waiting: the page sums every provider's cost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.utils import timezone


@dataclass(frozen=True)
class Todo:
    """One line of the 待办 list: what to do, where it is done, by when. Overdue is derived: its ``due`` (the
    nearest deadline of what it counts) has passed."""

    title: str
    url: str
    kind: str
    due: date | None = None

    @property
    def overdue(self) -> bool:
        return self.due is not None and self.due < timezone.localdate()


Provider = Callable[[object], list[Todo]]

_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Add ``provider`` to the 待办 list (once, however often an app's ``ready`` runs); usable as a decorator."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def unregister(provider: Provider) -> None:
    if provider in _providers:
        _providers.remove(provider)


def providers() -> tuple[Provider, ...]:
    return tuple(_providers)


def _order(todo: Todo):
    return (not todo.overdue, todo.due is None, todo.due or date.max, todo.title)


def todos_for(user) -> list[Todo]:
    """Every provider's to-dos for ``user``: overdue first, then by due date, undated last."""
    if user is None or not user.is_authenticated:
        return []
    found = [todo for provider in _providers for todo in provider(user)]
    return sorted(found, key=_order)
