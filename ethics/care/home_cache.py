"""What a person's home shows, kept per person as HTML (kept_html): the panel
(templatetags.ethics_tags.ethics_home), and the whole of a supporter's or a survivor's home
below the greeting (peersupport/home/views.py: their offers and caseload, or their request
and sessions, with the panel).

The panel reads the agreements still to acknowledge, the person's live pairings, what they
raised, and (for coordinators) the counts of everything open: six or seven queries on every
home page. Each part is kept under the person's number and everyone's (people/shown.py), which
this app's receivers (receivers.py) move on every write a home shows; entries also expire
after settings.HOME_PANEL_CACHE_SECONDS, or sooner when the clock changes what a part shows.

Only this display is kept: decisions (may this person ask, may a pairing start) always read
the database (agreements.selectors, matching.eligibility)"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.safestring import SafeString

from peersupport.people import shown
from peersupport.people.shown import EVERYONE, touch, touch_everyone

__all__ = ["EVERYONE", "kept_html", "touch", "touch_everyone"]


def kept_html(user, part: str, render: Callable[[], tuple[str, int | None]]) -> SafeString:
    """A part of a person's home kept as the HTML it renders to (people/shown.py), under the
    person's number and everyone's, so a home view that nothing has changed since renders none
    of its panels again. What the HTML shows is what `kept` keeps (plain values, no one's free
    text) and must hold no form."""
    return shown.kept_html(user, part, render)
