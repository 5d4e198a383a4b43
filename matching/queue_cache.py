"""The queue's suggestions, kept between page views until something they depend on changes.

Scoring a waiting request needs every supporter with places, their acknowledgements and the
exclusions (runner.load_instance): too much to redo on each view of the queue. What the
queue shows for a request (its best supporters and why, or why nobody fits) is kept in the
cache under a *generation*, a number that every write the matcher reads moves on: a
supporter's profile, status or lists, a request, a pairing, a block, an acknowledgement, a
published agreement, the vocabularies (receivers.py connects them; a matching run's bulk
insert calls `invalidate` itself). The request's own `updated_at` is in the key too, and
entries expire after settings.QUEUE_CACHE_SECONDS whatever happens, so a write that skips
the signals (a queryset update) is seen within that time.

A suggestion is advice: proposing re-checks eligibility under the lock order
(eligibility.refusal), so a stale entry can never pair anyone it should not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from peersupport.platform import generations

GENERATION_KEY = "matching:queue:generation"


def invalidate() -> None:
    """Everything kept so far is out of date (platform.generations: now and at commit)."""
    generations.bump(GENERATION_KEY)


def _key(gen: int, request_id: int, stamp: str) -> str:
    # The words are kept, so the language they are in is part of the key.
    return f"matching:queue:{gen}:{translation.get_language()}:{request_id}:{stamp}"


def cached_views(
    requests: Iterable[Any], compute: Callable[[list[int]], dict[int, Any]]
) -> dict[int, Any]:
    """What the queue shows for each of `requests` (SupportRequest rows): from the cache, and
    `compute(ids)` for the ones missing (one call for all of them), which are then kept."""
    gen = generations.current(GENERATION_KEY)
    keys = {req.pk: _key(gen, req.pk, req.updated_at.isoformat()) for req in requests}
    found = cache.get_many(list(keys.values()))
    views = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [pk for pk in keys if pk not in views]
    if missing:
        fresh = compute(missing)
        cache.set_many(
            {keys[pk]: fresh[pk] for pk in missing}, timeout=settings.QUEUE_CACHE_SECONDS
        )
        views.update(fresh)
    return views
