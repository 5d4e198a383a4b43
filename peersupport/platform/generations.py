"""Numbers in the cache that a write moves on, so what was kept under the old number is
never read again (queue suggestions, a person's home panel).

`bump` moves the number at once and again when the current transaction commits: a reader
that saw the old rows meanwhile may have kept them under the new number, and the second
move leaves that behind. Outside a transaction the second move happens at once too. A kept
entry also expires on its own, so a write that skips the signals is seen within that time.
"""

from __future__ import annotations

from functools import partial

from django.core.cache import cache
from django.db import transaction


def current(key: str) -> int:
    value = cache.get(key)
    if value is None:
        cache.add(key, 1, timeout=None)
        value = cache.get(key, 1)
    return int(value)


def current_many(*keys: str) -> list[int]:
    """`current` of each key, in one round trip to the cache when they are all there."""
    found = cache.get_many(list(keys))
    return [int(found[key]) if key in found else current(key) for key in keys]


def _move(keys: tuple[str, ...]) -> None:
    for key in keys:
        try:
            cache.incr(key)
        except ValueError:  # not there (the cache was emptied): any new number will do
            cache.set(key, 2, timeout=None)


def bump(*keys: str) -> None:
    _move(keys)
    transaction.on_commit(partial(_move, keys))
