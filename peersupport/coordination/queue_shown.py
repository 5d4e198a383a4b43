"""The queue's page as shown (its count, its rows rendered, the filter's languages and the
applications to review), kept between views under the queue's generation.

Everything the rows show is something the matcher's inputs already cover: requests, their
lists, pairings (a pending offer), supporters' names and profiles, vocabularies. Each write
to one of them moves matching.queue_cache's generation on (matching/apps.py), so a view after
a write never reads what was kept before it. The rows carry no form and no CSRF token, and no
one's free text: pseudonyms, vocabulary words, numbers and the matcher's reasons. The clock
moves "waiting N days" on, so an entry lasts at most until the first row's next day begins
(and never longer than settings.QUEUE_CACHE_SECONDS).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from matching import queue_cache
from peersupport.people.models import Language, SupporterProfile
from peersupport.platform import generations

from . import selectors


def _number(page_number) -> int:
    number = selectors.int_or_none(page_number)
    return number if number and number > 0 else 1


def _seconds_kept(rows: list[selectors.QueueRow], now: datetime) -> int:
    """Until the first row's "waiting N days" turns into N + 1, at most the queue's limit."""
    seconds = settings.QUEUE_CACHE_SECONDS
    for row in rows:
        turns = row.request.opened_at + timedelta(days=row.waiting_days + 1)
        seconds = min(seconds, int((turns - now).total_seconds()))
    return max(seconds, 1)


def _compute(*, show: str, language: int | None, number: int, now: datetime) -> tuple[dict, int]:
    page, rows = selectors.queue_page(page_number=number, show=show, language=language, now=now)
    data = {
        "rows_html": render_to_string("team/_queue_rows.html", {"page": page, "rows": rows}),
        "count": page.paginator.count,
        "number": page.number,
        "languages": [
            {"pk": pk, "name": name}
            for pk, name in Language.objects.active().values_list("pk", "name")
        ],
        "pending_count": SupporterProfile.objects.pending().count(),
    }
    return data, _seconds_kept(rows, now)


def queue_shown(
    *, show: str, language: int | None, page_number=None, now: datetime | None = None
) -> tuple[dict, Page]:
    """The queue page's values (from the cache when nothing it shows has changed since) and a
    page of the pagination for the same count."""
    number = _number(page_number)
    key = f"team:queue:shown:{translation.get_language()}:{show}:{language or 0}:{number}"
    # The queue's number and the kept values in one round trip (generations.kept).
    data = generations.kept(
        key,
        (queue_cache.GENERATION_KEY,),
        lambda: _compute(show=show, language=language, number=number, now=now or timezone.now()),
    )
    page = Paginator(range(data["count"]), selectors.PAGE_SIZE).get_page(data["number"])
    return {**data, "rows_html": mark_safe(data["rows_html"])}, page  # noqa: S308 (our render)
