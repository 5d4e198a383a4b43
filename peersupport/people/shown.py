"""What a person is shown, kept as rendered HTML between views (kept_html): parts of their
home (ethics/care/home_cache.py) and the body of a pairing's pages (matching, sessions).

Each part is kept under numbers in the cache (platform.generations): each person's own, moved
by any write to what they are shown (their acknowledgements, request, pairings, a pairing's
sessions, check-ins, check-in schedule and blocks, their supporter profile, debrief
volunteering), and everyone's, moved by a publication, any care record, or a change of name.
The receivers that move them on every such write are care's (ethics/care/receivers.py); the
reminder job, which writes check-ins in bulk without signals, moves them itself. Entries also
expire after settings.HOME_PANEL_CACHE_SECONDS, or sooner when the clock changes what a part
shows.

Only display is kept: decisions (may this person see this pairing, may they ask) always read
the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from peersupport.platform import crypto, generations

from . import notifications

# (The names are older than this module: the home's panels were the first parts kept.)
EVERYONE = "care:home:everyone"
SEALED_SECONDS = 60


def person(user_id: int) -> str:
    return f"care:home:person:{user_id}"


def touch(*user_ids: int | None) -> None:
    """What these people are shown is out of date."""
    keys = [person(pk) for pk in user_ids if pk]
    if keys:
        generations.bump(*keys)


def touch_everyone() -> None:
    generations.bump(EVERYONE)


def kept_html(
    user,
    part: str,
    render: Callable[[], tuple[str, int | None]],
    *,
    people: Iterable[int] = (),
    numbers: Iterable[str] = (),
    sealed: bool = False,
) -> SafeString:
    """A part of what `user` is shown, kept as the HTML it renders to while the numbers of
    `user`, of `people` (the other person of a pairing), everyone's and any further `numbers`
    have not moved.

    `render()` gives the HTML and how long it may be kept (None: the longest). It must hold no
    form: a CSRF token is never kept. It is shown on the viewer's clock and in their language,
    and says different things by their role and whether they get emails, so all are in the
    key. `sealed`: the HTML holds what someone wrote (a note, a check-in's words), so it is
    kept encrypted, as the database keeps it. (Kept HTML is marked safe when read back: it was
    escaped when rendered, and the cache is the service's own.)"""
    viewer = f"{user.role}:{int(bool(user.email_notifications))}"
    where = f"{translation.get_language()}:{timezone.get_current_timezone_name()}"
    key = f"care:home:{part}:html:{user.pk}:{viewer}:{where}"
    if sealed:
        key += ":sealed"
    watched = [person(user.pk), *(person(pk) for pk in people if pk != user.pk)]

    def rendered() -> tuple[str, int]:
        html, seconds = render()
        timeout = settings.HOME_PANEL_CACHE_SECONDS
        if sealed:
            # While Redis is away each process keeps its own numbers, which another's write
            # cannot move: someone's words, changed or taken back, show for a minute at most.
            timeout = min(timeout, SEALED_SECONDS)
        if seconds is not None:
            timeout = max(1, min(timeout, seconds))
        return (crypto.encrypt(str(html)) if sealed else str(html)), timeout

    # One round trip: the numbers, the kept HTML, and the menu's unread badge (its key and
    # number, left on the user for the badge a moment later: notifications.unread_count).
    numbers = (*watched, EVERYONE, *numbers)
    badge, badge_numbers = notifications.unread_keys(user.pk)
    found = cache.get_many([*numbers, key, *badge_numbers, badge])
    setattr(user, notifications.READ_ALONG, found)
    html = generations.kept(key, numbers, rendered, found=found)
    if sealed:
        try:
            html = crypto.decrypt(html)
        except ValueError:  # kept under a key since rotated away: shown fresh, not kept
            html = str(render()[0])
    return mark_safe(html)  # noqa: S308 - our own rendering, escaped by the template engine
