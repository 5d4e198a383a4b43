"""The coordinators' list of open concerns as shown (a page of rows and the count), kept
between views under care's "everyone" number (ethics/care/home_cache.py), which every write
to a concern, and every change of a person's name or an account's deletion, moves on
(ethics/care/apps.py). So a view after such a write never reads what was kept before it.

A row is plain values: the concern's id, its category and status in words, when it was raised,
the pseudonyms of who raised and who handles it, whether it is urgent and whether its pairing
is gone. Never anyone's words (the concern's text and the coordinators' response stay in the
database, encrypted), no form and no CSRF token. Times are kept as moments and shown on each
viewer's clock when the page is rendered.
"""

from __future__ import annotations

from types import SimpleNamespace

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.utils import translation

from ethics.care import selectors as care_selectors
from ethics.care.home_cache import EVERYONE
from peersupport.platform import generations

from .selectors import PAGE_SIZE, int_or_none


def _row(concern) -> SimpleNamespace:
    return SimpleNamespace(
        pk=concern.pk,
        is_urgent=concern.is_urgent,
        get_category_display=str(concern.get_category_display()),
        get_status_display=str(concern.get_status_display()),
        created_at=concern.created_at,
        raised_by=_person(concern.raised_by),
        handled_by=_person(concern.handled_by),
        person_left=concern.person_left,
    )


def _person(user) -> SimpleNamespace | None:
    return SimpleNamespace(display_name=user.display_name) if user is not None else None


def _compute(number: int) -> tuple[dict, int]:
    page = Paginator(care_selectors.open_concerns_listed(), PAGE_SIZE).get_page(number)
    data = {
        "rows": [_row(concern) for concern in page.object_list],
        "count": page.paginator.count,
        "number": page.number,
    }
    return data, settings.HOME_PANEL_CACHE_SECONDS


def concerns_shown(page_number=None) -> tuple[list[SimpleNamespace], Page]:
    """A page of open concerns (urgent first) and the pagination for the same count: from the
    cache when no concern (and no name) has changed since, in one round trip."""
    number = int_or_none(page_number)
    number = number if number and number > 0 else 1
    key = f"team:concerns:shown:{translation.get_language()}:{number}"
    data = generations.kept(key, (EVERYONE,), lambda: _compute(number))
    page = Paginator(range(data["count"]), PAGE_SIZE).get_page(data["number"])
    return data["rows"], page
