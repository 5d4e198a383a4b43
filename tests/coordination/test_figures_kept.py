"""The figures page keeps what it shows for settings.FIGURES_CACHE_SECONDS (coordination/
figures.py): a view within that time reads no figure from the database, the page says as of
when, what is kept is only what the page shows (counts with 1 to 4 already "fewer than 5", no
one's words), and the figures are worked out again once they expire or are forgotten. The CSV
download is always worked out afresh."""

from __future__ import annotations

import csv
import io
import re
import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from ethics.care.models import Concern
from matching.models import SupportRequest
from peersupport.coordination import figures
from peersupport.coordination.health import service_health
from peersupport.platform import dates
from sessions.models import SessionMode, SessionStatus, SupportSession
from tests.factories import PairingFactory, SupportRequestFactory

pytestmark = pytest.mark.django_db

SECRET = "only-the-person-wrote-this q8v"
FIGURE_QUERIES = 8  # health.service_health: one aggregate query per group of figures
# The tables the figures are counted from: a view of kept figures reads none of them.
FIGURE_TABLES = (
    "matching_supportrequest",
    "matching_pairing",
    "peersupport_supporterprofile",
    "peer_sessions_",
    "ethics_concern",
)


def _open_requests(html: str) -> str:
    return re.search(r'data-figure="open_requests">([^<]*)<', html).group(1)


def _page(client) -> str:
    response = client.get(reverse("team:health"))
    assert response.status_code == 200
    return response.content.decode()


def _figures_part(html: str) -> str:
    """The page from its as-of line to the end of its main part (the chrome holds a CSRF
    token, which differs on every view)."""
    return html[html.index("data-figures-as-of") : html.index("</main>")]


def _requests(n: int) -> None:
    now = timezone.now()
    for i in range(n):
        SupportRequestFactory(opened_at=now - timedelta(days=1 + i))


def _csv_open_requests(client) -> str:
    response = client.get(reverse("team:health_csv"))
    rows = csv.reader(io.StringIO(b"".join(response).decode()))
    return next(value for section, key, value in rows if (section, key) == ("requests", "open"))


def _warm(client) -> None:
    """A first view (the session's own refresh, then the figures worked out and kept)."""
    _page(client)


def _queries(client) -> tuple[list[str], str]:
    with CaptureQueriesContext(connection) as captured:
        html = _page(client)
    return [query["sql"] for query in captured.captured_queries], html


def _reads_figures(sql: str) -> bool:
    return any(f'"{table}' in sql for table in FIGURE_TABLES)


def test_a_kept_view_reads_no_figure_and_a_fresh_one_reads_eight(coordinator_client):
    _requests(6)
    _warm(coordinator_client)
    figures.forget()
    fresh, _html = _queries(coordinator_client)
    assert len([sql for sql in fresh if _reads_figures(sql)]) == FIGURE_QUERIES
    for _ in range(2):
        kept, _html = _queries(coordinator_client)
        assert not [sql for sql in kept if _reads_figures(sql)]
        assert len(kept) == len(fresh) - FIGURE_QUERIES


def test_the_query_counts_stay_the_same_whatever_the_size_of_the_service(
    coordinator_client, django_assert_num_queries
):
    now = timezone.now()

    def make(n):
        for i in range(n):
            SupportRequestFactory(opened_at=now - timedelta(days=i % 20))
            pairing = PairingFactory(state="paused" if i % 3 == 0 else "active")
            SupportSession.objects.create(
                pairing=pairing,
                logged_by=pairing.supporter,
                starts_at=now - timedelta(days=i % 40),
                mode=SessionMode.CHAT,
                status=SessionStatus.HELD,
            )
            Concern.objects.create(
                pairing=pairing, raised_by=pairing.survivor, category="boundary", text=SECRET
            )

    make(3)
    _warm(coordinator_client)
    figures.forget()
    worked_out, html = _queries(coordinator_client)
    kept, _html = _queries(coordinator_client)
    assert _open_requests(html) == "fewer than 5"
    make(40)
    figures.forget()
    with django_assert_num_queries(len(worked_out)):
        html = _page(coordinator_client)
    with django_assert_num_queries(len(kept)):
        again = _page(coordinator_client)
    assert _figures_part(again) == _figures_part(html)
    assert _open_requests(html) == "43"
    assert SECRET not in html


def test_kept_figures_stay_until_forgotten_and_say_as_of_when(coordinator_client):
    _requests(6)
    first = _page(coordinator_client)
    assert _open_requests(first) == "6"
    as_of = re.search(r"data-figures-as-of>Figures as of (.+?): they are", first).group(1)

    _requests(3)  # nine now: the page still shows what it kept, and when it was worked out
    kept = _page(coordinator_client)
    assert _open_requests(kept) == "6"
    assert f"Figures as of {as_of}: they are" in kept
    assert "at most every 60 seconds" in kept

    figures.forget()
    assert _open_requests(_page(coordinator_client)) == "9"


def test_the_as_of_time_is_the_moment_worked_out_on_the_viewers_clock(
    coordinator, coordinator_client
):
    coordinator.time_zone = "Pacific/Auckland"
    coordinator.save()
    _page(coordinator_client)
    shown = cache.get(figures._key(translation.get_language()))
    with timezone.override("Pacific/Auckland"):
        expected = dates.shown(shown["as_of"])
    assert f"Figures as of {expected}: they are" in _page(coordinator_client)


@override_settings(FIGURES_CACHE_SECONDS=1)
def test_kept_figures_are_worked_out_again_once_they_expire(coordinator_client):
    _requests(6)
    assert _open_requests(_page(coordinator_client)) == "6"
    _requests(1)
    assert _open_requests(_page(coordinator_client)) == "6"  # still kept
    # Redis drops the entry after its second; polled rather than timed, up to a generous limit.
    for _ in range(60):
        time.sleep(0.1)
        if _open_requests(_page(coordinator_client)) == "7":
            break
    assert _open_requests(_page(coordinator_client)) == "7"


@override_settings(FIGURES_CACHE_SECONDS=45)
def test_figures_are_kept_no_longer_than_the_setting(coordinator_client):
    _page(coordinator_client)
    key = cache.make_and_validate_key(figures._key(translation.get_language()))
    ttl = cache._cache.get_client(key).ttl(key)
    assert 0 < ttl <= 45


def test_what_is_kept_is_only_what_the_page_shows_with_small_counts_as_fewer_than_5(
    coordinator_client,
):
    _requests(3)
    pairing = PairingFactory(state="paused")
    PairingFactory(state="paused")
    Concern.objects.create(
        pairing=pairing, raised_by=pairing.survivor, category="boundary", text=SECRET
    )
    html = _page(coordinator_client)
    shown = cache.get(figures._key(translation.get_language()))
    assert set(shown) == {"figures_html", "as_of"}
    assert isinstance(shown["figures_html"], str)
    kept_html = shown["figures_html"]
    assert kept_html in html
    assert SECRET not in kept_html
    assert "csrf" not in kept_html.lower() and "<form" not in kept_html
    # Counts from 1 to 4 are kept as they are shown: "fewer than 5", never the count.
    assert _open_requests(kept_html) == "fewer than 5"
    assert "data-suppressed" in kept_html
    assert not re.search(r">\s*[1-4]\s*<", "".join(re.findall(r"<svg.*?</svg>", kept_html, re.S)))
    assert not re.search(r"data-figure=\"[a-z_]+\">\s*[1-4]\s*<", kept_html)
    # The same from the cache on the next view.
    again = _page(coordinator_client)
    assert kept_html in again
    assert "waiting" in again and "—" in kept_html  # three people's waits: not shown


def test_the_csv_is_worked_out_afresh_while_the_page_is_kept(coordinator_client):
    _requests(6)
    assert _open_requests(_page(coordinator_client)) == "6"
    _requests(2)
    assert _csv_open_requests(coordinator_client) == "8"
    assert _open_requests(_page(coordinator_client)) == "6"


def test_waiting_times_are_the_median_and_90th_percentile_interpolated():
    now = timezone.now()
    for days in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10):
        SupportRequestFactory(opened_at=now - timedelta(days=days))
    SupportRequestFactory(opened_at=now - timedelta(days=99), status="closed")
    health = service_health(now=now)
    assert health.open_requests == 10
    # numpy.percentile's "linear": halfway between 5 and 6; 9 and a tenth of the way to 10.
    assert health.waiting_median_days == pytest.approx(5.5)
    assert health.waiting_p90_days == pytest.approx(9.1)
    SupportRequest.objects.update(status="closed")
    none = service_health(now=now)
    assert (none.open_requests, none.waiting_median_days, none.waiting_p90_days) == (0, None, None)
