"""What a person's home shows, kept per person as HTML (kept_html): the panel
(templatetags.ethics_tags.ethics_home), and the whole of a supporter's or a survivor's home
below the greeting (peersupport/home/views.py: their offers and caseload, or their request
and sessions, with the panel).

The panel reads the agreements still to acknowledge, the person's live pairings, what they
raised, and (for coordinators) the counts of everything open: six or seven queries on every
home page. Each part is kept in the cache under two numbers (platform.generations): the
person's own, moved by a write to their acknowledgements, request, pairings (and a pairing's
sessions, check-ins, check-in schedule and blocks), supporter profile or debrief
volunteering, and everyone's, moved by a publication, any concern, flag, change request or
debrief, or a change of name. Receivers (receivers.py) move them; entries also expire after
settings.HOME_PANEL_CACHE_SECONDS, or sooner when the clock changes what a part shows.

Only this display is kept: decisions (may this person ask, may a pairing start) always read
the database (agreements.selectors, matching.eligibility)"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

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


def kept_html(user, part: str, render: Callable[[], tuple[str, int | None]]) -> SafeString:
    """A part of a person's home kept as the HTML it renders to, under the same two numbers,
    so a home view that nothing has changed since renders none of its panels again.

    `render()` gives the HTML and how long it may be kept (None: the longest). What the HTML
    shows is what `kept` keeps (plain values, no one's free text) and must hold no form: a
    CSRF token is never kept. It is shown on the viewer's clock and in their language, and
    says different things by their role and whether they get emails, so all are in the key.
    (Kept HTML is marked safe when read back: it was escaped when rendered, and the cache is
    the service's own.)"""
    viewer = f"{user.role}:{int(bool(user.email_notifications))}"
    where = f"{translation.get_language()}:{timezone.get_current_timezone_name()}"
    key = f"care:home:{part}:html:{user.pk}:{viewer}:{where}"

    def rendered() -> tuple[str, int]:
        html, seconds = render()
        timeout = settings.HOME_PANEL_CACHE_SECONDS
        if seconds is not None:
            timeout = max(1, min(timeout, seconds))
        return str(html), timeout

    # One round trip: the two numbers and the kept HTML together (generations.kept).
    html = generations.kept(key, (_person(user.pk), EVERYONE), rendered)
    return mark_safe(html)  # noqa: S308 - our own rendering, escaped by the template engine
