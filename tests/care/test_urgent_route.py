"""A survivor's urgent route and concerns about exploitation or harm: the pairing pauses at
once, the supporter loses every page of it, every coordinator is emailed through the outbox
(even one who turned emails off) in neutral words, and coordinators see it first.

On PostgreSQL (`postgres`): the services lock rows in the one order."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ethics.care import services as care_services
from ethics.care.models import Concern, ConcernCategory
from matching.models import PairingState, PairingTransition, TransitionReason
from peersupport.people.models import AuditEvent, Notification, OutgoingEmail, OutgoingEmailKind
from sessions.models import SessionMode, SessionStatus, SupportSession
from tests.factories import CoordinatorFactory, PairingFactory, SupporterFactory
from tests.helpers import emails_through_the_outbox  # noqa: F401 - an autouse fixture
from tests.platform.test_safety_frame import _assert_safety_frame

WORDS = "Quillon-unsafe-words-7731"
BANNED = ("abuse", "exploit", "unsafe", "safe", "harm", "sexual", "danger")


def _supporter_pages(pairing, session):
    return [
        reverse("matching:pairing", args=[pairing.pk]),
        reverse("peer_sessions:pairing", args=[pairing.pk]),
        reverse("peer_sessions:session", args=[session.pk]),
        reverse("peer_sessions:session_notes", args=[session.pk]),
        reverse("peer_sessions:schedule", args=[pairing.pk]),
        reverse("care:concern_new", args=[pairing.pk]),
        reverse("care:flag_new", args=[pairing.pk]),
    ]


@pytest.fixture
def session(pairing, supporter):
    return SupportSession.objects.create(
        pairing=pairing,
        logged_by=supporter,
        starts_at=pairing.activated_at,
        mode=SessionMode.VIDEO,
        status=SessionStatus.HELD,
        private_notes="supporter's notes",
    )


def test_urgent_route_pauses_removes_access_and_emails_every_coordinator(
    postgres, survivor_client, supporter_client, pairing, session, coordinator, other_coordinator
):
    other_coordinator.email_notifications = False  # forced: emailed all the same
    other_coordinator.save(update_fields=["email_notifications"])
    for url in _supporter_pages(pairing, session):
        assert supporter_client.get(url).status_code == 200, url
    page = survivor_client.get(reverse("matching:pairing", args=[pairing.pk]))
    assert reverse("care:urgent", args=[pairing.pk]) in page.content.decode()

    response = survivor_client.post(reverse("care:urgent", args=[pairing.pk]), {"text": WORDS})

    assert response.status_code == 302
    assert response["Location"] == reverse("care:urgent_next", args=[pairing.pk])
    pairing.refresh_from_db()
    assert pairing.state == PairingState.PAUSED and pairing.safeguarding_hold
    last = PairingTransition.objects.filter(pairing=pairing).last()
    assert last.reason == TransitionReason.SAFEGUARDING
    concern = Concern.objects.get(pairing=pairing)
    assert (concern.category, concern.raiser_side, concern.text) == ("unsafe", "survivor", WORDS)
    for url in _supporter_pages(pairing, session):
        assert supporter_client.get(url).status_code == 404, url
    emails = OutgoingEmail.objects.filter(kind=OutgoingEmailKind.URGENT)
    assert sorted(emails.values_list("recipient_id", flat=True)) == sorted(
        [coordinator.pk, other_coordinator.pk]
    )
    for email in OutgoingEmail.objects.all():
        text = f"{email.subject} {email.body}".lower()
        assert WORDS.lower() not in text
        assert not any(word in text for word in BANNED), text
    told = Notification.objects.get(user=pairing.supporter)
    assert "paused" in told.text and not any(w in told.text.lower() for w in BANNED)
    assert WORDS not in str(list(AuditEvent.objects.values_list("data", flat=True)))
    next_page = survivor_client.get(response["Location"])
    assert next_page.status_code == 200
    assert b"data-resource" in next_page.content or b"emergency number" in next_page.content


def test_urgent_route_with_no_words_and_its_page_are_neutral(survivor_client, pairing):
    url = reverse("care:urgent", args=[pairing.pk])
    assert "/now/" in url and not any(w in url for w in BANNED)
    page = survivor_client.get(url).content.decode()
    title = page.split("<title>")[1].split("</title>")[0].lower()
    assert not any(w in title for w in BANNED)
    assert "data-quick-exit" in page
    _assert_safety_frame(page, "care:urgent")
    response = survivor_client.post(url, {})
    assert response.status_code == 302
    assert Concern.objects.get(pairing=pairing).text == ""
    _assert_safety_frame(survivor_client.get(response["Location"]).content.decode(), "next")


def test_urgent_route_is_404_for_anyone_but_the_pairings_survivor(
    client, supporter_client, coordinator_client, pairing
):
    url = reverse("care:urgent", args=[pairing.pk])
    other = PairingFactory()
    from django.test import Client

    someone = Client()
    someone.force_login(other.survivor)
    for c in (supporter_client, coordinator_client, someone):
        assert c.get(url).status_code == 404
        assert c.post(url, {"text": "x"}).status_code == 404
    assert client.get(url).status_code == 302  # signed out: sign in first
    assert someone.get(reverse("care:urgent_next", args=[pairing.pk])).status_code == 404
    assert not Concern.objects.exists()
    pairing.refresh_from_db()
    assert pairing.state == PairingState.ACTIVE


def test_urgent_route_holds_until_a_coordinator_resumes(
    postgres, survivor, survivor_client, supporter_client, coordinator, pairing
):
    from django.core.exceptions import ValidationError

    from matching.services import pairing_set_paused

    survivor_client.post(reverse("care:urgent", args=[pairing.pk]), {"text": ""})
    with pytest.raises(ValidationError):
        pairing_set_paused(pairing_id=pairing.pk, actor=survivor, paused=False)
    pairing_set_paused(pairing_id=pairing.pk, actor=coordinator, paused=False)
    pairing.refresh_from_db()
    assert pairing.state == PairingState.ACTIVE and not pairing.safeguarding_hold
    assert supporter_client.get(reverse("matching:pairing", args=[pairing.pk])).status_code == 200


@pytest.mark.parametrize("category", ["exploitation", "harm"])
def test_exploitation_concern_pauses_holds_and_sorts_first(
    postgres, category, survivor, coordinator, coordinator_client, supporter_client, pairing
):
    older = PairingFactory()
    routine = care_services.concern_raise(
        user=older.survivor, pairing=older, category="boundary", text="routine"
    )
    OutgoingEmail.objects.all().delete()
    urgent = care_services.concern_raise(
        user=survivor, pairing=pairing, category=category, text="what happened"
    )
    pairing.refresh_from_db()
    assert pairing.state == PairingState.PAUSED and pairing.safeguarding_hold
    assert supporter_client.get(reverse("matching:pairing", args=[pairing.pk])).status_code == 404
    assert OutgoingEmail.objects.filter(kind=OutgoingEmailKind.URGENT).count() == 1
    page = coordinator_client.get(reverse("team:concerns")).content.decode()
    assert page.index(f'data-concern="{urgent.pk}"') < page.index(f'data-concern="{routine.pk}"')
    flags_page = coordinator_client.get(reverse("team:flags")).content.decode()
    assert f'data-concern="{urgent.pk}"' in flags_page
    assert f'data-concern="{routine.pk}"' not in flags_page
    home = coordinator_client.get(reverse("home")).content.decode()
    assert "data-urgent-count" in home


def test_exploitation_set_later_by_a_coordinator_holds_the_pairing(
    postgres, survivor, coordinator, supporter_client, pairing
):
    CoordinatorFactory()
    concern = care_services.concern_raise(
        user=survivor, pairing=pairing, category="other", text="words"
    )
    assert OutgoingEmail.objects.filter(kind=OutgoingEmailKind.URGENT).count() == 0
    care_services.concern_update(
        concern_id=concern.pk, coordinator=coordinator, status="in_review", category="exploitation"
    )
    pairing.refresh_from_db()
    assert pairing.safeguarding_hold and pairing.state == PairingState.PAUSED
    assert OutgoingEmail.objects.filter(kind=OutgoingEmailKind.URGENT).count() == 2
    assert supporter_client.get(reverse("matching:pairing", args=[pairing.pk])).status_code == 404


def test_exploitation_raised_by_the_supporter_also_holds(postgres, supporter, pairing):
    SupporterFactory()
    care_services.concern_raise(user=supporter, pairing=pairing, category="exploitation", text="x")
    pairing.refresh_from_db()
    assert pairing.safeguarding_hold


def test_the_raisers_form_never_offers_the_urgent_routes_category(survivor_client, pairing):
    page = survivor_client.get(reverse("care:concern_new", args=[pairing.pk])).content.decode()
    assert 'value="exploitation"' in page and 'value="harm"' in page
    assert f'value="{ConcernCategory.UNSAFE}"' not in page
