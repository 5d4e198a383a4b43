"""Cancelling a planned session is checked on a page of its own first: the GET changes
nothing, the POST does it, nobody else reaches either."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sessions.models import SessionMode, SessionStatus, SupportSession
from tests.confirming import assert_confirmation
from tests.factories import SupporterFactory, SurvivorFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def planned(pairing):
    return SupportSession.objects.create(
        pairing=pairing,
        logged_by=pairing.supporter,
        starts_at=timezone.now() + timedelta(days=2),
        duration_minutes=60,
        mode=SessionMode.VIDEO,
        status=SessionStatus.SCHEDULED,
    )


@pytest.mark.parametrize(
    ("side", "told", "after"),
    [
        ("survivor", "your peer supporter", SessionStatus.CANCELLED_BY_SURVIVOR),
        ("supporter", "Sam", SessionStatus.CANCELLED_BY_SUPPORTER),
    ],
)
def test_cancelling_a_session_is_checked_first(planned, side, told, after):
    client = _client(getattr(planned.pairing, side))
    change = reverse("peer_sessions:session_change", args=[planned.pk])
    url = reverse("peer_sessions:session_cancel", args=[planned.pk])
    page = client.get(change).content.decode()
    assert f'href="{url}"' in page
    assert 'value="cancel"' not in page

    html = assert_confirmation(
        client,
        url,
        posts_to=change,
        button="Yes, cancel the session",
        fields=[("action", "cancel")],
    )
    assert f"We tell {told} that it is cancelled, but not why." in html

    assert client.post(change, {"action": "cancel"}).status_code == 302
    planned.refresh_from_db()
    assert planned.status == after


def test_nobody_else_reaches_the_check_to_cancel(planned):
    for other in (SurvivorFactory(), SupporterFactory()):
        client = _client(other)
        assert (
            client.get(reverse("peer_sessions:session_cancel", args=[planned.pk])).status_code
            == 404
        )
        posted = client.post(
            reverse("peer_sessions:session_change", args=[planned.pk]), {"action": "cancel"}
        )
        assert posted.status_code == 404
    planned.refresh_from_db()
    assert planned.status == SessionStatus.SCHEDULED
