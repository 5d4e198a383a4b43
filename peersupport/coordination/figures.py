"""What the figures page shows, kept in the cache for a short time.

Working the figures out (health.service_health) reads the whole service in eight aggregate
queries: most of what the page costs. So what the page shows is kept for
settings.FIGURES_CACHE_SECONDS (a minute by default), one entry per language, and the page
says when it was worked out ("Figures as of ..."), so a coordinator knows it may be that old.
No write moves the figures on sooner: they are counts and trends, and a minute does not change
what they tell. `forget()` drops what is kept.

What is kept is only what the page shows, as the HTML it renders to
(templates/team/_health_figures.html), and the moment it was worked out (shown on each
viewer's own clock): counts with 1 to 4 already "fewer than 5" (Health.suppressed), the labels
of fixed choices and the two charts drawn from them. Never a model row, never anyone's words,
never a form or a CSRF token. The CSV download (views.service_health_csv) always works its
figures out afresh.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from . import charts
from .health import service_health

# Moved on when what is kept changes shape, so an older release's entries are never read.
VERSION = 1


class Shown(TypedDict):
    figures_html: SafeString  # the same for every coordinator in a language
    as_of: datetime


def _key(language: str | None) -> str:
    return f"coordination:figures:v{VERSION}:{language}"


def worked_out(*, now: datetime | None = None) -> Shown:
    """The page's figures worked out now, in the active language (eight queries whatever
    the size of the service)."""
    now = now or timezone.now()
    data = service_health(now=now).suppressed()
    html = render_to_string(
        "team/_health_figures.html",
        {
            "health": data,
            "sessions_chart": charts.bar_chart(
                [(charts.week_label(week), n) for week, n in data.sessions_per_week],
                title=_("Sessions held per week"),
            ),
            "states_chart": charts.bar_chart(
                [(label, n) for _code, label, n in data.pairings_by_state],
                title=_("Pairings by state"),
            ),
        },
    )
    return {"figures_html": html, "as_of": now}


def kept() -> Shown:
    """The page's figures from the cache (no query), or worked out and kept when missing or
    older than settings.FIGURES_CACHE_SECONDS."""
    key = _key(translation.get_language())
    shown = cache.get(key)
    if shown is None:
        shown = worked_out()
        cache.set(key, shown, timeout=settings.FIGURES_CACHE_SECONDS)
    return shown


def forget() -> None:
    """Drop the kept figures, in every language: the next view works them out again."""
    cache.delete_many([_key(code) for code, _name in settings.LANGUAGES] + [_key(None)])
