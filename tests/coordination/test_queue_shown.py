"""The queue's page is kept between views under the queue's generation
(coordination/queue_shown.py): a second view reads no request, and every write the rows show
(a new request, an offer, a name, a withdrawal) is seen at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from matching import queue_cache
from matching.models import SupportRequest
from peersupport.coordination import queue_shown, selectors
from tests.factories import PairingFactory, SupporterFactory, SupportRequestFactory
from tests.helpers import acknowledge_current

pytestmark = pytest.mark.django_db


def _view(client) -> tuple[str, list[dict]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("team:queue"))
    assert response.status_code == 200
    return response.content.decode(), captured.captured_queries


def _reads_requests(queries: list[dict]) -> bool:
    return any('FROM "matching_supportrequest"' in q["sql"] for q in queries)


@pytest.fixture
def waiting(db):
    supporter = SupporterFactory(display_name="Rowan Ash")
    acknowledge_current(supporter)
    return supporter, SupportRequestFactory(survivor__display_name="Wren Oak")


def test_a_second_view_reads_no_request(coordinator_client, waiting):
    _view(coordinator_client)  # the session's refresh
    queue_cache.invalidate()
    html_cold, cold = _view(coordinator_client)
    html_warm, warm = _view(coordinator_client)
    assert html_cold.count("data-row") == html_warm.count("data-row") == 1
    assert "Wren Oak" in html_warm and "Rowan Ash" in html_warm
    assert _reads_requests(cold)
    assert not _reads_requests(warm)
    # The sign-out form's token is the page's own, never a kept one.
    assert 'name="csrfmiddlewaretoken"' in html_warm


def test_a_new_request_an_offer_and_a_name_are_seen_at_once(coordinator_client, waiting):
    supporter, request = waiting
    _view(coordinator_client)
    SupportRequestFactory(survivor__display_name="Ivy Larch")
    html = _view(coordinator_client)[0]
    assert "Ivy Larch" in html and html.count("data-row") == 2
    request.survivor.display_name = "Wren Elm"
    request.survivor.save(update_fields=["display_name"])
    assert "Wren Elm" in _view(coordinator_client)[0]
    PairingFactory(
        request=request,
        survivor=request.survivor,
        supporter=supporter,
        state="proposed",
        activated_at=None,
    )
    assert "data-pending" in _view(coordinator_client)[0]


def test_a_request_that_leaves_the_queue_is_gone_at_once(coordinator_client, waiting):
    _supporter, request = waiting
    assert "Wren Oak" in _view(coordinator_client)[0]
    request.status = "withdrawn"
    request.save(update_fields=["status"])
    assert "Wren Oak" not in _view(coordinator_client)[0]


def test_an_entry_lasts_until_the_first_row_waits_a_day_more(waiting, settings):
    _supporter, request = waiting
    now = timezone.now()
    SupportRequest.objects.filter(pk=request.pk).update(opened_at=now - timedelta(days=3, hours=23))
    _page, rows = selectors.queue_page(now=now)
    settings.QUEUE_CACHE_SECONDS = 86400
    seconds = queue_shown._seconds_kept(rows, now)
    assert 3590 <= seconds <= 3600
    settings.QUEUE_CACHE_SECONDS = 60
    assert queue_shown._seconds_kept(rows, now) == 60
