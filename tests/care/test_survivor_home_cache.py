"""A survivor's request and sessions on their home are kept between views
(ethics/care/survivor_home.py, under home_cache's numbers) and are current after every write
they show: a session planned or cancelled, a check-in, the request withdrawn, the supporter's
new name. What is kept holds plain stand-ins only: no request, session or check-in row."""

from __future__ import annotations

import pickle
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ethics.care import home_cache, survivor_home
from matching.models import RequestStatus
from sessions.models import CheckIn, SessionStatus, SupportSession
from tests.helpers import acknowledge_current, home_page, reads_table

pytestmark = pytest.mark.django_db

CANARY = "kept-nowhere-canary-s8h"


@pytest.fixture
def home(survivor_client, survivor, pairing):
    acknowledge_current(survivor)
    home_page(survivor_client)  # the session's refresh
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
    _html, cold = home_page(home)
    _html, warm = home_page(home)
    assert reads_table(cold, "peer_sessions_supportsession")
    for table in (
        "peer_sessions_supportsession",
        "peer_sessions_checkin",
        "matching_supportrequest",
    ):
        assert not reads_table(warm, table)


def test_sessions_and_check_ins_show_at_once(home, pairing):
    assert 'data-next="first-session"' in home_page(home)[0]
    session = _session(pairing)
    html = home_page(home)[0]
    assert "data-upcoming" in html
    assert reverse("peer_sessions:session", kwargs={"pk": session.pk}) in html
    session.status = SessionStatus.CANCELLED_BY_SUPPORTER
    session.save(update_fields=["status"])
    assert "data-upcoming" not in home_page(home)[0]
    checkin = CheckIn.objects.create(pairing=pairing, due_at=timezone.now() - timedelta(hours=1))
    assert f'data-checkin="{checkin.pk}"' in home_page(home)[0]


def test_a_new_name_and_a_request_withdrawn_show_at_once(home, pairing):
    pairing.supporter.display_name = "Hazel Rowan"
    pairing.supporter.save(update_fields=["display_name"])
    assert "Hazel Rowan" in home_page(home)[0]
    link = reverse("matching:request", kwargs={"pk": pairing.request.pk})
    assert link in home_page(home)[0]
    pairing.request.status = RequestStatus.WITHDRAWN
    pairing.request.save(update_fields=["status"])
    assert link not in home_page(home)[0]


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
