"""A coordinator checks before pausing or finishing a pairing, discarding a proposal, declining
an application or pausing a supporter. The GET changes nothing, the POST does it, nobody but a
coordinator reaches either, and the page the button used to be on links to the check."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from matching.models import PairingState, RequestStatus
from peersupport.people.models import SupporterStatus
from tests.confirming import assert_confirmation
from tests.factories import PairingFactory, SupporterProfileFactory

pytestmark = pytest.mark.django_db


def _outsiders(pairing):
    """Everyone but a coordinator: the two in the pairing too (404, never their pages)."""
    for user in (pairing.survivor, pairing.supporter):
        client = Client()
        client.force_login(user)
        yield client


@pytest.mark.parametrize(
    ("check", "action", "button", "after"),
    [
        ("team:pairing_pause", "pause", "Yes, pause the pairing", PairingState.PAUSED),
        ("team:pairing_finish", "complete", "Yes, end the pairing", PairingState.ENDED),
    ],
)
def test_pausing_and_finishing_a_pairing_are_checked_first(
    coordinator_client, pairing, check, action, button, after
):
    page_url = reverse("team:pairing", args=[pairing.pk])
    url = reverse(check, args=[pairing.pk])
    page = coordinator_client.get(page_url).content.decode()
    assert f'href="{url}"' in page
    assert f'value="{action}"' not in page  # no button that does it at once

    html = assert_confirmation(
        coordinator_client, url, posts_to=page_url, button=button, fields=[("action", action)]
    )
    assert "Sam" in html and "Alex" in html  # whose pairing, in words

    assert coordinator_client.post(page_url, {"action": action}).status_code == 302
    pairing.refresh_from_db()
    assert pairing.state == after


@pytest.mark.parametrize("check", ["team:pairing_pause", "team:pairing_finish"])
def test_only_coordinators_reach_the_checks_on_a_pairing(pairing, check):
    for client in _outsiders(pairing):
        assert client.get(reverse(check, args=[pairing.pk])).status_code == 404
        post = client.post(reverse("team:pairing", args=[pairing.pk]), {"action": "pause"})
        assert post.status_code == 404
    pairing.refresh_from_db()
    assert pairing.state == PairingState.ACTIVE


def test_discarding_a_proposal_is_checked_first(coordinator_client):
    proposal = PairingFactory(
        state=PairingState.PROPOSED, activated_at=None, request__status="open"
    )
    url = reverse("team:proposal_discard", args=[proposal.pk])
    page = coordinator_client.get(reverse("team:proposals")).content.decode()
    assert f'href="{url}"' in page
    assert 'value="discard"' not in page

    decide = reverse("team:proposal_decide", args=[proposal.pk])
    html = assert_confirmation(
        coordinator_client,
        url,
        posts_to=decide,
        button="Yes, discard the proposal",
        fields=[("decision", "discard")],
    )
    assert "request goes back to the queue" in html

    assert coordinator_client.post(decide, {"decision": "discard"}).status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == PairingState.ENDED
    assert proposal.request.status == RequestStatus.OPEN


def test_only_coordinators_reach_the_check_to_discard():
    proposal = PairingFactory(
        state=PairingState.PROPOSED, activated_at=None, request__status="open"
    )
    for client in _outsiders(proposal):
        assert client.get(reverse("team:proposal_discard", args=[proposal.pk])).status_code == 404
        decide = reverse("team:proposal_decide", args=[proposal.pk])
        assert client.post(decide, {"decision": "discard"}).status_code == 404
    proposal.refresh_from_db()
    assert proposal.state == PairingState.PROPOSED


def test_declining_an_application_is_checked_first(coordinator_client):
    applicant = SupporterProfileFactory(status=SupporterStatus.APPLIED)
    url = reverse("team:application_decline", args=[applicant.pk])
    listing = coordinator_client.get(reverse("team:supporters") + "?status=applied")
    assert f'href="{url}"' in listing.content.decode()
    assert 'value="decline"' not in listing.content.decode()

    detail = reverse("team:application", args=[applicant.pk])
    html = assert_confirmation(
        coordinator_client,
        url,
        posts_to=detail,
        button="Yes, decline the application",
        fields=[("decision", "decline")],
    )
    assert 'name="reason"' in html  # they will read it: asked for on the check

    response = coordinator_client.post(detail, {"decision": "decline", "reason": "Not yet."})
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.status == SupporterStatus.DECLINED


def test_pausing_a_supporter_is_checked_first(coordinator_client, supporter):
    profile = supporter.supporter_profile
    url = reverse("team:supporter_pause", args=[profile.pk])
    listing = coordinator_client.get(reverse("team:supporters") + "?status=approved")
    assert f'href="{url}"' in listing.content.decode()
    assert 'value="pause"' not in listing.content.decode()

    action = reverse("team:supporter_action", args=[profile.pk])
    assert_confirmation(
        coordinator_client,
        url,
        posts_to=action,
        button="Yes, pause Alex",
        fields=[("action", "pause")],
    )
    assert coordinator_client.post(action, {"action": "pause", "reason": ""}).status_code == 302
    profile.refresh_from_db()
    assert profile.status == SupporterStatus.PAUSED


def test_only_coordinators_reach_the_checks_on_supporters(pairing):
    applicant = SupporterProfileFactory(status=SupporterStatus.APPLIED)
    profile = pairing.supporter.supporter_profile
    for client in _outsiders(pairing):
        for name, pk in (
            ("team:application_decline", applicant.pk),
            ("team:supporter_pause", profile.pk),
        ):
            assert client.get(reverse(name, args=[pk])).status_code == 404
        declined = client.post(
            reverse("team:application", args=[applicant.pk]), {"decision": "decline", "reason": "x"}
        )
        assert declined.status_code == 404
        paused = client.post(
            reverse("team:supporter_action", args=[profile.pk]), {"action": "pause"}
        )
        assert paused.status_code == 404
    applicant.refresh_from_db()
    profile.refresh_from_db()
    assert (applicant.status, profile.status) == (SupporterStatus.APPLIED, SupporterStatus.APPROVED)
