"""The inspection work, one Django app per part (docs/architecture.md §Layers): ``findings`` now, then
``routines`` and ``supervision``, importing one way: findings → routines → supervision."""
