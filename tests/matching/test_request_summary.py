"""The supporter's pairing page shows the request's summary kept between views
(matching/request_summary.py): plain words only, current after a change of the request's
lists or a vocabulary's name, and never the survivor's note."""

from __future__ import annotations

import pickle

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching import queue_cache
from matching.request_summary import request_summary
from peersupport.people.models import Language
from tests.factories import SupporterFactory
from tests.helpers import acknowledge_current

pytestmark = pytest.mark.django_db

CANARY = "kept-nowhere-canary-r5q"


def _page(client, pairing) -> tuple[str, list[dict]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("matching:pairing", args=[pairing.pk]))
    assert response.status_code == 200
    return response.content.decode(), captured.captured_queries


def _reads_lists(queries) -> bool:
    return any("matching_supportrequest_languages" in q["sql"] for q in queries)


@pytest.fixture
def page(supporter_client, supporter, survivor, pairing):
    acknowledge_current(supporter, survivor)
    pairing.request.note_for_supporter = CANARY
    pairing.request.save(update_fields=["note_for_supporter", "updated_at"])
    _page(supporter_client, pairing)  # the session's refresh
    return supporter_client


def test_a_second_view_reads_no_list_and_the_note_comes_from_the_row(page, pairing):
    queue_cache.invalidate()
    html_cold, cold = _page(page, pairing)
    html_warm, warm = _page(page, pairing)
    assert _reads_lists(cold) and not _reads_lists(warm)
    assert CANARY in html_warm
    assert pickle.dumps(request_summary(pairing.request)).find(CANARY.encode()) == -1


def test_a_change_of_languages_or_a_name_shows_at_once(page, pairing):
    welsh = Language.objects.create(slug="cy-test", name="Welsh test")
    assert "Welsh test" not in _page(page, pairing)[0]
    pairing.request.languages.add(welsh)
    assert "Welsh test" in _page(page, pairing)[0]
    welsh.name = "Cymraeg test"
    welsh.save(update_fields=["name"])
    assert "Cymraeg test" in _page(page, pairing)[0]


def test_another_persons_pairing_is_404_before_anything_kept(client, pairing):
    other = SupporterFactory()
    client.force_login(other)
    response = client.get(reverse("matching:pairing", args=[pairing.pk]))
    assert response.status_code == 404
