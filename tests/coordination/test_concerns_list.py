"""The coordinators' list of open concerns: a page at a time, the same queries however many
there are, no one's words read for a list that shows none of them, kept between views and
current after every write it shows (coordination/concerns_shown.py)."""

from __future__ import annotations

import pickle

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from ethics.care.models import Concern, ConcernCategory, ConcernStatus
from peersupport.coordination.selectors import PAGE_SIZE

pytestmark = pytest.mark.django_db


def _raise(pairing, count: int, category=ConcernCategory.OTHER) -> None:
    for n in range(count):  # one by one, as the service raises them (each save is seen)
        Concern.objects.create(
            pairing=pairing,
            raised_by=pairing.survivor,
            category=category,
            text=f"words of the person who raised it {n}",
        )


def _list(client, page: int | None = None) -> tuple[str, list[dict]]:
    url = reverse("team:concerns") + (f"?page={page}" if page else "")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), captured.captured_queries


def test_a_page_at_a_time_in_the_same_queries_for_one_or_many(coordinator_client, pairing):
    _list(coordinator_client)  # the session's refresh
    _raise(pairing, 1)
    one_html, one = _list(coordinator_client)
    assert one_html.count("data-concern=") == 1
    _raise(pairing, PAGE_SIZE + 4)
    first, many = _list(coordinator_client)
    assert len(many) == len(one)
    assert first.count("data-concern=") == PAGE_SIZE
    second, _queries = _list(coordinator_client, page=2)
    assert second.count("data-concern=") == 5
    assert "2 / 2" in second


def test_urgent_concerns_come_first_on_the_first_page(coordinator_client, pairing):
    _raise(pairing, PAGE_SIZE + 1)
    _raise(pairing, 1, category=ConcernCategory.HARM)
    html, _queries = _list(coordinator_client)
    assert html.index("data-urgent") < html.index("data-concern=") + 200


def test_the_list_reads_no_ones_words(coordinator_client, pairing):
    _raise(pairing, 3)
    html, queries = _list(coordinator_client)
    listing = [q["sql"] for q in queries if 'FROM "ethics_concern"' in q["sql"]]
    assert listing
    for sql in listing:
        assert '"ethics_concern"."text"' not in sql
        assert '"ethics_concern"."response"' not in sql
    assert "words of the person" not in html


def test_kept_between_views_and_current_after_each_write(coordinator_client, pairing):
    _raise(pairing, 2)
    _html, cold = _list(coordinator_client)
    html, warm = _list(coordinator_client)
    assert not any('FROM "ethics_concern"' in q["sql"] for q in warm)
    assert len(warm) < len(cold)
    assert html.count("data-concern=") == 2
    concern = Concern.objects.order_by("pk").first()
    concern.status = ConcernStatus.RESOLVED
    concern.save()
    assert _list(coordinator_client)[0].count("data-concern=") == 1
    pairing.survivor.display_name = "Robin"
    pairing.survivor.save()
    assert "raised by Robin" in _list(coordinator_client)[0]


def test_nothing_kept_holds_anyones_words(coordinator_client, pairing):
    _raise(pairing, 1)
    _list(coordinator_client)
    kept = cache.get(f"team:concerns:shown:{translation.get_language()}:1")
    assert kept is not None
    pickled = pickle.dumps(kept)
    assert b"words of the person" not in pickled
    assert b"ethics.care.models" not in pickled  # plain values, never a Concern row
