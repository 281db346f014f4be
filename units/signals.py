"""Signals other apps listen to without units importing them (docs/architecture.md §Layers)."""

from django.dispatch import Signal

# Sent inside the transaction that moves a unit to another jurisdiction, with ``unit`` and
# ``columns`` (jurisdiction_id and the four ancestor ids): rows placed with the unit follow it.
unit_moved = Signal()
