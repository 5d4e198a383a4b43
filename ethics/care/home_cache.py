"""What a person's home panel shows (templatetags.ethics_tags.ethics_home), kept per person.

The panel reads the agreements still to acknowledge, the person's live pairings, what they
raised, and (for coordinators) the counts of everything open: six or seven queries on every
home page. It is kept in the cache under two numbers (platform.generations): the person's
own, moved by a write to their acknowledgements, pairings, supporter profile or debrief
volunteering, and everyone's, moved by a publication, any concern, flag, change request or
debrief, or a change of name. Receivers (receivers.py) move them; entries also expire after
settings.HOME_PANEL_CACHE_SECONDS.

Only this display is kept: decisions (may this person ask, may a pairing start) always read
the database (agreements.selectors, matching.eligibility).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from peersupport.platform import generations

EVERYONE = "care:home:everyone"


def _person(user_id: int) -> str:
    return f"care:home:person:{user_id}"


def touch(*user_ids: int | None) -> None:
    """These people's panels are out of date."""
    keys = [_person(pk) for pk in user_ids if pk]
    if keys:
        generations.bump(*keys)


def touch_everyone() -> None:
    generations.bump(EVERYONE)


def panel(user_id: int, compute: Callable[[], dict]) -> dict:
    mine = generations.current(_person(user_id))
    everyone = generations.current(EVERYONE)
    key = f"care:home:{user_id}:{mine}:{everyone}:{translation.get_language()}"
    data = cache.get(key)
    if data is None:
        data = compute()
        cache.set(key, data, timeout=settings.HOME_PANEL_CACHE_SECONDS)
    return data
