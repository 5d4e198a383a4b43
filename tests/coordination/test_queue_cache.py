"""The queue keeps the matcher's suggestions between views and drops them when a row the
matcher reads changes (matching/queue_cache.py): no rebuilding of every supporter with
places on each view, and never a stale suggestion after a write."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching import queue_cache
from matching.models import Block
from matching.supporters import supporter_set_paused
from peersupport.people.models import SupporterProfile
from tests.factories import SupporterFactory, SupportRequestFactory
from tests.helpers import acknowledge_current

pytestmark = pytest.mark.django_db


def _view(client) -> tuple[str, list[dict]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("team:queue"))
    assert response.status_code == 200
    return response.content.decode(), captured.captured_queries


def _reads_supporters(queries: list[dict]) -> bool:
    return any("peersupport_supporterprofile_languages" in q["sql"] for q in queries)


@pytest.fixture
def waiting(db):
    supporter = SupporterFactory(display_name="Rowan Ash")
    acknowledge_current(supporter)
    return supporter, SupportRequestFactory()


def test_a_second_view_of_the_queue_reuses_the_suggestions(coordinator_client, waiting):
    _view(coordinator_client)  # the session's refresh
    queue_cache.invalidate()
    html_cold, cold = _view(coordinator_client)
    html_warm, warm = _view(coordinator_client)
    assert "Rowan Ash" in html_cold and "Rowan Ash" in html_warm
    # Scoring reads every supporter with places and their lists; kept, it reads none of them.
    assert _reads_supporters(cold)
    assert not _reads_supporters(warm)
    assert len(warm) < len(cold)


def test_pausing_the_suggested_supporter_takes_them_off_the_queue_at_once(
    coordinator_client, waiting
):
    supporter, _request = waiting
    assert "Rowan Ash" in _view(coordinator_client)[0]
    supporter_set_paused(profile_id=supporter.supporter_profile.pk, paused=True, actor=supporter)
    assert "Rowan Ash" not in _view(coordinator_client)[0]


def test_a_block_or_a_change_of_languages_is_seen_at_once(coordinator_client, waiting):
    supporter, request = waiting
    assert "Rowan Ash" in _view(coordinator_client)[0]
    Block.objects.create(survivor=request.survivor, supporter=supporter)
    assert "Rowan Ash" not in _view(coordinator_client)[0]
    Block.objects.all().delete()
    assert "Rowan Ash" in _view(coordinator_client)[0]
    SupporterProfile.objects.get(user=supporter).languages.clear()
    assert "Rowan Ash" not in _view(coordinator_client)[0]
