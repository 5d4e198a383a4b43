"""Every home says what happens next: a survivor waiting, one about to start, one matched, a
supporter who has just said yes, and a volunteer whose application is waiting."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from matching import selectors, services
from matching.models import Pairing, PairingState
from sessions.models import SessionMode, SessionStatus, SupportSession
from tests.factories import PairingFactory, SupporterFactory, SupportRequestFactory
from tests.helpers import acknowledge_current

pytestmark = pytest.mark.django_db


def _home(client) -> str:
    return client.get(reverse("home")).content.decode()


def _matched_in(days: int, count: int) -> None:
    """`count` recent matches, each `days` after the person asked."""
    now = timezone.now()
    for _ in range(count):
        request = SupportRequestFactory(status="matched", opened_at=now - timedelta(days=days + 1))
        PairingFactory(request=request, accepted_at=now - timedelta(days=1))


def test_a_waiting_survivor_is_told_what_happens_and_that_an_email_will_come(
    survivor, survivor_client
):
    acknowledge_current(survivor)
    SupportRequestFactory(survivor=survivor)

    page = _home(survivor_client)

    assert 'data-next="waiting"' in page
    assert "What happens next" in page
    assert "never your name or email address, and has up to 3 days to say yes" in page
    assert "We cannot say yet how long it usually takes" in page  # too few matches to say
    assert "we send you a discreet email" in page


def test_the_usual_wait_comes_from_recent_matches_and_only_when_there_are_enough():
    assert selectors.usual_wait_days() is None
    _matched_in(days=4, count=selectors.WAIT_MIN_MATCHES - 1)
    assert selectors.usual_wait_days() is None
    _matched_in(days=4, count=1)
    assert selectors.usual_wait_days() == 4


def test_a_waiting_survivor_sees_how_long_it_usually_takes(survivor, survivor_client):
    _matched_in(days=6, count=selectors.WAIT_MIN_MATCHES)
    SupportRequestFactory(survivor=survivor)

    page = _home(survivor_client)

    assert "half of the people who asked had a supporter within 6 days" in page
    assert "We cannot say yet" not in page


def test_a_waiting_survivor_with_emails_off_is_told_to_look_here(survivor, survivor_client):
    survivor.email_notifications = False
    survivor.save(update_fields=["email_notifications"])
    SupportRequestFactory(survivor=survivor)

    page = _home(survivor_client)

    assert "You have turned emails off" in page
    assert "we send you a discreet email" not in page


def test_a_matched_survivor_learns_the_name_how_to_begin_and_the_agreements(
    survivor, survivor_client, pairing
):
    acknowledge_current(survivor)

    page = _home(survivor_client)

    assert "Your peer supporter is <strong>Alex</strong>." in page
    assert 'data-next="first-session"' in page
    assert "Alex will plan your first session with you here, in the service" in page
    assert reverse("conversations:conversation", args=[pairing.pk]) in page
    assert "You do not need to give your phone number" in page
    assert reverse("agreements:guidelines") in page


def test_once_a_session_is_planned_the_survivor_sees_it_not_the_first_step(
    survivor_client, pairing
):
    SupportSession.objects.create(
        pairing=pairing,
        logged_by=pairing.supporter,
        starts_at=timezone.now() + timedelta(days=2),
        mode=SessionMode.CHAT,
        status=SessionStatus.SCHEDULED,
    )
    page = _home(survivor_client)
    assert "data-upcoming" in page
    assert 'data-next="first-session"' not in page


def test_a_survivor_about_to_start_is_asked_to_read_the_agreements_and_not_told_the_name(
    survivor, survivor_client
):
    PairingFactory(
        request__survivor=survivor, state=PairingState.AWAITING_AGREEMENT, activated_at=None
    )

    page = _home(survivor_client)

    assert 'data-next="ready"' in page
    assert "Read and acknowledge the agreements" in page
    assert "Your peer supporter is" not in page


def test_a_supporter_who_accepts_is_asked_to_plan_the_first_session(
    survivor, supporter, supporter_client
):
    acknowledge_current(survivor, supporter)
    request = SupportRequestFactory(survivor=survivor)
    offer = services.pairing_propose(request=request, supporter=supporter, actor=None)
    services.pairing_offer(pairing_id=offer.pk, actor=None)

    response = supporter_client.post(reverse("matching:offer_accept", args=[offer.pk]), follow=True)

    assert Pairing.objects.get(pk=offer.pk).state == PairingState.ACTIVE
    plan = f"{reverse('peer_sessions:session_new')}?pairing={offer.pk}&amp;plan=1"
    page = response.content.decode()
    assert "Plan your first session" in page and plan in page
    home = _home(supporter_client)
    assert 'data-next="plan-first-session"' in home and plan in home
    assert "Next: say hello to Sam in your conversation and plan your first session" in home
    assert reverse("conversations:conversation", args=[offer.pk]) in home


def test_the_first_session_step_goes_once_a_session_is_planned(supporter_client, pairing):
    assert 'data-next="plan-first-session"' in _home(supporter_client)
    SupportSession.objects.create(
        pairing=pairing,
        logged_by=pairing.supporter,
        starts_at=timezone.now() + timedelta(days=2),
        mode=SessionMode.CHAT,
        status=SessionStatus.SCHEDULED,
    )
    assert 'data-next="plan-first-session"' not in _home(supporter_client)
    page = supporter_client.get(reverse("matching:pairing", args=[pairing.pk])).content.decode()
    assert "Plan your first session" not in page


def test_a_volunteer_whose_application_waits_is_told_what_happens_next(client):
    volunteer = SupporterFactory(profile__status="applied")
    client.force_login(volunteer)

    page = _home(client)

    assert 'data-next="applied"' in page
    assert "A coordinator reads your application" in page
    assert "If you are approved" in page
