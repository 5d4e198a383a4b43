"""A survivor's request and sessions on their home are kept between views
(ethics/care/survivor_home.py, under home_cache's numbers) and are current after every write
they show: a session planned or cancelled, a check-in, the request withdrawn, the supporter's
new name. What is kept holds plain stand-ins only: no request, session or check-in row."""

from __future__ import annotations

import pickle
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ethics.care import home_cache, survivor_home
from matching.models import RequestStatus
from sessions.models import CheckIn, SessionStatus, SupportSession
from tests.helpers import acknowledge_current

pytestmark = pytest.mark.django_db

CANARY = "kept-nowhere-canary-s8h"


def _home(client) -> tuple[str, list[dict]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode(), captured.captured_queries


def _reads(queries, table: str) -> bool:
    return any(f'"{table}"' in q["sql"] for q in queries)


@pytest.fixture
def home(survivor_client, survivor, pairing):
    acknowledge_current(survivor)
    _home(survivor_client)  # the session's refresh
    return survivor_client


def _session(pairing, **kwargs) -> SupportSession:
    values = {
        "pairing": pairing,
        "logged_by": pairing.supporter,
        "starts_at": timezone.now() + timedelta(days=2),
        "mode": "chat",
        "status": SessionStatus.SCHEDULED,
    }
    return SupportSession.objects.create(**{**values, **kwargs})


def test_a_second_view_reads_no_request_session_or_check_in(home, survivor):
    home_cache.touch(survivor.pk)
    _html, cold = _home(home)
    _html, warm = _home(home)
    assert _reads(cold, "peer_sessions_supportsession")
    for table in (
        "peer_sessions_supportsession",
        "peer_sessions_checkin",
        "matching_supportrequest",
    ):
        assert not _reads(warm, table)


def test_sessions_and_check_ins_show_at_once(home, pairing):
    assert 'data-next="first-session"' in _home(home)[0]
    session = _session(pairing)
    html = _home(home)[0]
    assert "data-upcoming" in html
    assert reverse("peer_sessions:session", kwargs={"pk": session.pk}) in html
    session.status = SessionStatus.CANCELLED_BY_SUPPORTER
    session.save(update_fields=["status"])
    assert "data-upcoming" not in _home(home)[0]
    checkin = CheckIn.objects.create(pairing=pairing, due_at=timezone.now() - timedelta(hours=1))
    assert f'data-checkin="{checkin.pk}"' in _home(home)[0]


def test_a_new_name_and_a_request_withdrawn_show_at_once(home, pairing):
    pairing.supporter.display_name = "Hazel Rowan"
    pairing.supporter.save(update_fields=["display_name"])
    assert "Hazel Rowan" in _home(home)[0]
    link = reverse("matching:request", kwargs={"pk": pairing.request.pk})
    assert link in _home(home)[0]
    pairing.request.status = RequestStatus.WITHDRAWN
    pairing.request.save(update_fields=["status"])
    assert link not in _home(home)[0]


def test_what_is_kept_is_plain_and_lasts_until_the_next_session(survivor, pairing):
    pairing.request.note_for_supporter = CANARY
    pairing.request.save(update_fields=["note_for_supporter"])
    _session(pairing, starts_at=timezone.now() + timedelta(seconds=20))
    data = survivor_home._plain(
        survivor_home.survivor_overview(survivor), survivor_home.survivor_panel(survivor)
    )
    kept = pickle.dumps(data)
    assert CANARY.encode() not in kept
    for module in (b"matching.models", b"sessions.models", b"peersupport.people.models"):
        assert module not in kept
    assert 15 <= survivor_home.survivor_home_seconds(data) <= 21
