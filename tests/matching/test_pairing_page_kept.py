"""A pairing's page keeps what it says between views (matching/views.py: _pairing_body,
people/shown.py): a second view asks only who may see it, every write it shows is on the next
view, and the supporter's, which holds the survivor's note, is kept sealed."""

from __future__ import annotations

import pickle
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from matching.access import get_pairing_for
from matching.models import Block, PairingState
from peersupport.people.models import SupporterStatus
from peersupport.platform import crypto
from sessions.models import SessionStatus, SupportSession
from tests.helpers import acknowledge_current, kept_keys

pytestmark = pytest.mark.django_db

NOTE = "a note for the supporter m3v"


def _page(client, pairing) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("matching:pairing", args=[pairing.pk]))
    assert response.status_code == 200
    return response.content.decode(), len(captured.captured_queries)


def _kept(pairing) -> list:
    return [cache.get(key) for key in kept_keys(f"care:home:pairing:{pairing.pk}:*")]


@pytest.fixture
def noted(supporter, survivor, pairing):
    acknowledge_current(supporter, survivor)
    pairing.request.note_for_supporter = NOTE
    pairing.request.save(update_fields=["note_for_supporter", "updated_at"])
    return pairing


def test_a_second_view_asks_only_who_may_see_it(supporter_client, survivor_client, noted):
    for client in (supporter_client, survivor_client):
        _page(client, noted)  # the session's refresh, the unread badge kept
    cache.delete_many(kept_keys(f"care:home:pairing:{noted.pk}:*"))
    html, fresh = _page(supporter_client, noted)
    again, kept = _page(supporter_client, noted)
    assert NOTE in html and NOTE in again
    # The session, the person, their standing, and may they see this pairing.
    assert kept == 4 < fresh
    # The survivor's page reads nothing more than who may see it, kept or not.
    assert _page(survivor_client, noted)[1] == _page(survivor_client, noted)[1] == 3


def test_the_supporters_page_is_kept_sealed_and_the_survivors_holds_no_note(
    supporter_client, survivor_client, noted
):
    # (Ids come round again on SQLite: what an earlier test kept for this pk goes first.)
    cache.delete_many(kept_keys(f"care:home:pairing:{noted.pk}:*"))
    _page(supporter_client, noted)
    _page(survivor_client, noted)
    kept = {
        key.split(":html:")[1].split(":")[1]: cache.get(key)
        for key in kept_keys(f"care:home:pairing:{noted.pk}:*")
    }
    assert set(kept) == {"supporter", "survivor"}
    for entry in kept.values():
        assert b"note for the supporter" not in pickle.dumps(entry)
    assert NOTE in crypto.decrypt(kept["supporter"][1])
    assert "Your pairing" in kept["survivor"][1]


def test_each_write_the_page_shows_is_on_the_next_view(supporter_client, noted, survivor):
    assert "Plan your first session" in _page(supporter_client, noted)[0]
    SupportSession.objects.create(
        pairing=noted,
        logged_by=noted.supporter,
        starts_at=timezone.now() - timedelta(days=1),
        duration_minutes=45,
        mode="phone",
        status=SessionStatus.HELD,
    )
    html = _page(supporter_client, noted)[0]
    assert "Sessions and check-ins" in html and "Plan your first session" not in html
    survivor.display_name = "Renamed Rowan"
    survivor.save(update_fields=["display_name"])
    assert "Supporting Renamed Rowan" in _page(supporter_client, noted)[0]
    noted.request.note_for_supporter = "another note for the supporter"
    noted.request.save(update_fields=["note_for_supporter", "updated_at"])
    html = _page(supporter_client, noted)[0]
    assert "another note for the supporter" in html and NOTE not in html
    noted.state = PairingState.PAUSED
    noted.save(update_fields=["state", "updated_at"])
    assert 'data-state="paused"' in _page(supporter_client, noted)[0]


def test_a_blocked_or_suspended_supporter_gets_404_with_the_page_kept(
    supporter_client, supporter, survivor, noted
):
    _page(supporter_client, noted)
    assert _kept(noted)
    Block.objects.create(survivor=survivor, supporter=supporter)
    url = reverse("matching:pairing", args=[noted.pk])
    assert supporter_client.get(url).status_code == 404
    Block.objects.filter(survivor=survivor, supporter=supporter).delete()
    assert supporter_client.get(url).status_code == 200
    supporter.supporter_profile.status = SupporterStatus.SUSPENDED
    supporter.supporter_profile.save(update_fields=["status"])
    assert supporter_client.get(url).status_code == 404


def test_the_other_person_is_read_along_field_by_field(supporter, survivor, noted):
    for viewer, other in ((supporter, survivor), (survivor, supporter)):
        pairing = get_pairing_for(viewer, noted.pk)
        seen = pairing.survivor if other == survivor else pairing.supporter
        for name in ("pk", "display_name", "role", "time_zone"):
            assert getattr(seen, name) == getattr(other, name), name
        assert seen.email == other.email  # the rest when first used
