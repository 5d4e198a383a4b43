"""The coordinators' list of open concerns: a page at a time, the same queries however many
there are, and no one's words read for a list that shows none of them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ethics.care.models import Concern, ConcernCategory
from peersupport.coordination.selectors import PAGE_SIZE

pytestmark = pytest.mark.django_db


def _raise(pairing, count: int, category=ConcernCategory.OTHER) -> None:
    Concern.objects.bulk_create(
        Concern(
            pairing=pairing,
            raised_by=pairing.survivor,
            category=category,
            text=f"words of the person who raised it {n}",
        )
        for n in range(count)
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
