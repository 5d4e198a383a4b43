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

# The numbers and kept HTML are people/shown.py's (the pairing pages use them too); the home's
# parts are kept through them, under the names this app's receivers and pages know.
from peersupport.people.shown import EVERYONE, kept_html, touch, touch_everyone

__all__ = ["EVERYONE", "kept_html", "touch", "touch_everyone"]
