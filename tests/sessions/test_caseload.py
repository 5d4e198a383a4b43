"""The supporter's caseload (their home page): each pairing with what needs attention, and
capacity, at the same cost for one pairing or a hundred."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ethics.care import home_cache
from ethics.care import selectors as care_selectors
from ethics.care.models import Concern
from sessions import selectors, services
from sessions.models import CheckIn, SessionStatus, SupportSession
from tests.factories import PairingFactory
from tests.sessions.conftest import due_schedule

pytestmark = pytest.mark.django_db


def _fill(supporter, count):
    now = timezone.now()
    for _ in range(count):
        pairing = PairingFactory(supporter=supporter)
        SupportSession.objects.create(
            pairing=pairing,
            logged_by=supporter,
            starts_at=now - timedelta(days=2),
            mode="chat",
            status=SessionStatus.HELD,
        )
        SupportSession.objects.create(
            pairing=pairing,
            logged_by=supporter,
            starts_at=now + timedelta(days=2),
            mode="video",
            status=SessionStatus.SCHEDULED,
        )
        CheckIn.objects.create(pairing=pairing, due_at=now - timedelta(days=4))
        due_schedule(pairing, due_at=now + timedelta(days=3))


def test_the_caseload_costs_the_same_queries_for_one_pairing_or_a_hundred(
    supporter, django_assert_num_queries, client
):
    profile = supporter.supporter_profile
    _fill(supporter, 1)
    with CaptureQueriesContext(connection) as one:
        caseload = selectors.supporter_caseload(supporter, profile=profile)
    assert caseload.used == 1
    client.force_login(supporter)
    assert client.get(reverse("home")).status_code == 200  # the session's refresh is done
    home_cache.touch(supporter.pk)  # the caseload is worked out afresh, as after _fill below
    with CaptureQueriesContext(connection) as page_one:
        assert client.get(reverse("home")).status_code == 200

    _fill(supporter, 99)
    with django_assert_num_queries(len(one.captured_queries)):
        caseload = selectors.supporter_caseload(supporter, profile=profile)
    assert caseload.used == 100
    assert all(row.next_session and row.last_contact for row in caseload.rows)
    with django_assert_num_queries(len(page_one.captured_queries)):
        html = client.get(reverse("home")).content.decode()
    assert html.count("data-pairing=") == 100


def test_each_row_shows_contact_next_session_next_check_in_and_flags(supporter, client):
    now = timezone.now()
    steady = PairingFactory(supporter=supporter)
    SupportSession.objects.create(
        pairing=steady,
        logged_by=supporter,
        starts_at=now - timedelta(days=1),
        mode="chat",
        status=SessionStatus.HELD,
    )
    upcoming = now + timedelta(days=2)
    SupportSession.objects.create(
        pairing=steady,
        logged_by=supporter,
        starts_at=upcoming,
        mode="chat",
        status=SessionStatus.SCHEDULED,
    )
    schedule = due_schedule(steady, due_at=now + timedelta(days=5))
    overdue = PairingFactory(supporter=supporter)
    CheckIn.objects.create(pairing=overdue, due_at=now - timedelta(days=3))
    waiting = PairingFactory(supporter=supporter, state="awaiting_agreement")
    worried = PairingFactory(supporter=supporter)
    Concern.objects.create(pairing=worried, raised_by=supporter, category="boundary", text="x")
    # A concern the survivor raised is for the coordinators only: it never shows here.
    private = PairingFactory(supporter=supporter)
    Concern.objects.create(
        pairing=private, raised_by=private.survivor, category="boundary", text="x"
    )
    ended = PairingFactory(supporter=supporter, state="ended", end_reason="completed")

    caseload = care_selectors.supporter_caseload(supporter)
    rows = {row.pairing.pk: row for row in caseload.rows}
    assert ended.pk not in rows
    assert rows[steady.pk].name == steady.survivor.display_name
    assert rows[steady.pk].last_contact is not None
    assert rows[steady.pk].next_session == upcoming
    assert rows[steady.pk].next_checkin == schedule.next_due_at
    steady_row = rows[steady.pk]
    assert not (
        steady_row.overdue_checkin
        or steady_row.open_concern
        or steady_row.awaiting_agreement
        or steady_row.reschedule_asked
    )
    assert rows[overdue.pk].overdue_checkin
    assert rows[waiting.pk].awaiting_agreement
    assert rows[worried.pk].open_concern
    assert not rows[private.pk].open_concern
    assert (caseload.capacity, caseload.used, caseload.left) == (2, 5, 0)

    client.force_login(supporter)
    html = client.get(reverse("home")).content.decode()
    for flag in ("overdue", "agreement", "concern"):
        assert f'data-flag="{flag}"' in html
    assert 'data-capacity-used="5"' in html


def test_capacity_left_and_the_pause_that_keeps_the_caseload(supporter, client):
    pairing = PairingFactory(supporter=supporter)
    client.force_login(supporter)
    html = client.get(reverse("home")).content.decode()
    assert 'data-capacity-used="1" data-capacity-left="1"' in html
    assert reverse("supporter_pause") in html
    response = client.post(reverse("supporter_pause"), {"reason": ""})
    assert response.status_code == 302
    supporter.supporter_profile.refresh_from_db()
    assert supporter.supporter_profile.status == "paused"
    pairing.refresh_from_db()
    assert pairing.state == "active"
    html = client.get(reverse("home")).content.decode()
    assert f'data-pairing="{pairing.pk}"' in html
    # Said once (the notice with its Resume link), not three times.
    assert html.count("no new people are offered to you") == 1


def test_the_overdue_flag_follows_the_latest_check_in_only(supporter, settings):
    settings.CHECKIN_OVERDUE_HOURS = 48
    now = timezone.now()

    def answered(pairing, days_ago):
        return CheckIn.objects.create(
            pairing=pairing,
            due_at=now - timedelta(days=days_ago),
            mood=3,
            wants_session="no",
            answered_at=now - timedelta(days=days_ago) + timedelta(hours=1),
        )

    def unanswered(pairing, days_ago):
        return CheckIn.objects.create(pairing=pairing, due_at=now - timedelta(days=days_ago))

    # One check-in skipped long ago, the next one answered: nothing to worry about now.
    skipped_once = PairingFactory(supporter=supporter)
    unanswered(skipped_once, 14)
    answered(skipped_once, 7)
    # The latest is unanswered and past the limit: overdue.
    lapsed = PairingFactory(supporter=supporter)
    answered(lapsed, 10)
    unanswered(lapsed, 3)
    # The latest is unanswered but still within the limit: not yet.
    recent = PairingFactory(supporter=supporter)
    unanswered(recent, 10)
    unanswered(recent, 1)

    rows = {row.pairing.pk: row for row in selectors.supporter_caseload(supporter).rows}
    assert not rows[skipped_once.pk].overdue_checkin
    assert rows[lapsed.pk].overdue_checkin
    assert not rows[recent.pk].overdue_checkin
    # Answering the latest clears the flag.
    services.checkin_answer(
        survivor=lapsed.survivor,
        checkin_id=lapsed.checkins.order_by("-due_at").first().pk,
        mood=4,
        wants_session="no",
    )
    rows = {row.pairing.pk: row for row in selectors.supporter_caseload(supporter).rows}
    assert not rows[lapsed.pk].overdue_checkin
