"""Numbers in the cache that a write moves on, so what was kept under the old number is
never read again (queue suggestions, a person's home panel).

`bump` moves the number at once and again when the current transaction commits: a reader
that saw the old rows meanwhile may have kept them under the new number, and the second
move leaves that behind. Outside a transaction the second move happens at once too. A kept
entry also expires on its own, so a write that skips the signals is seen within that time.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")


def fresh_start() -> int:
    """Where a number that is not in the cache (never set, or lost: evicted, Redis emptied)
    starts again: a value no earlier number of the key can have had, so nothing kept under an
    old number is read again."""
    return time.time_ns()


def current(key: str) -> int:
    value = cache.get(key)
    if value is None:
        cache.add(key, fresh_start(), timeout=None)
        value = cache.get(key)
    return int(value) if value is not None else fresh_start()


def current_many(*keys: str) -> list[int]:
    """`current` of each key, in one round trip to the cache when they are all there."""
    found = cache.get_many(list(keys))
    return [int(found[key]) if key in found else current(key) for key in keys]


def _move(keys: tuple[str, ...]) -> None:
    incr_many = getattr(cache, "incr_many", None)  # Redis: one round trip for them all
    if incr_many is not None:
        incr_many(keys, start=fresh_start())
        return
    for key in keys:
        try:
            cache.incr(key)
        except ValueError:  # not there (the cache was emptied): start afresh
            cache.set(key, fresh_start(), timeout=None)


def bump(*keys: str) -> None:
    _move(keys)
    transaction.on_commit(partial(_move, keys))


def kept(
    key: str,
    numbers: Sequence[str],
    compute: Callable[[], tuple[T, int]],
    *,
    found: Mapping[str, object] | None = None,
) -> T:
    """A value kept under `key`, good while the numbers named by `numbers` have not moved,
    fetched with those numbers in one round trip to the cache.

    The value is kept with the numbers read before it was worked out: a write that moves one
    of them meanwhile (or later) makes the next reader work it out again, as a number in the
    key would, but without a second round trip to learn the numbers first. `compute()` gives
    the value and how many seconds it may be kept at most. `found`: what one get_many of
    `key`, `numbers` and other kept values' keys has just read, to share that round trip."""
    if found is None:
        found = cache.get_many([*numbers, key])
    seen = tuple(found.get(name) for name in numbers)
    entry = found.get(key)
    # (An entry of another shape, kept by an older release under the same key, is redone.)
    fits = isinstance(entry, tuple) and len(entry) == 2
    if fits and None not in seen and entry[0] == seen:
        return entry[1]
    if None in seen:  # a number not there yet (or the cache was emptied): start it
        seen = tuple(current_many(*numbers))
    value, seconds = compute()
    cache.set(key, (seen, value), timeout=max(1, seconds))
    return value
