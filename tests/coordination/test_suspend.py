"""Suspending, reinstating and retiring a supporter: offers withdrawn, started pairings paused
and held (the survivor offered a different supporter), pairings not started ended with the
survivor back in the queue, and no supporter page for them while suspended or retired."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from matching.models import PairingState, RequestStatus, SupportRequest
from matching.services import pairing_set_paused
from matching.standing import supporter_reinstate, supporter_retire, supporter_suspend
from peersupport.people.models import AuditEvent, Notification, SupporterStatus
from tests.factories import PairingFactory, SupportRequestFactory, SurvivorFactory
from tests.helpers import emails_through_the_outbox  # noqa: F401 - an autouse fixture


@pytest.fixture
def caseload(supporter, pairing):
    """Alex supports Sam (active), has one accepted pairing not started and one open offer."""
    waiting = PairingFactory(
        supporter=supporter, state=PairingState.AWAITING_AGREEMENT, activated_at=None
    )
    offered = PairingFactory(
        supporter=supporter,
        state=PairingState.OFFERED,
        activated_at=None,
        request=SupportRequestFactory(status=RequestStatus.OPEN),
        offered_at=timezone.now(),
        offer_expires_at=timezone.now() + timedelta(days=1),
    )
    return {"active": pairing, "waiting": waiting, "offered": offered}


def _supporter_pages(pairing):
    return [
        reverse("home"),
        reverse("matching:pairing", args=[pairing.pk]),
        reverse("peer_sessions:pairing", args=[pairing.pk]),
        reverse("care:debriefs"),
        reverse("care:flags"),
        reverse("supporter_pause"),
    ]


def test_suspend_withdraws_offers_pauses_pairings_and_requeues(
    postgres, supporter, coordinator, caseload, supporter_client
):
    active, waiting, offered = caseload["active"], caseload["waiting"], caseload["offered"]
    assert supporter_client.get(reverse("matching:pairing", args=[active.pk])).status_code == 200
    profile = supporter.supporter_profile
    counts = supporter_suspend(profile_id=profile.pk, coordinator=coordinator, reason="a reason")
    assert counts == {"withdrawn": 1, "paused": 1, "requeued": 1}
    for p in caseload.values():
        p.refresh_from_db()
    profile.refresh_from_db()
    assert profile.status == SupporterStatus.SUSPENDED
    assert active.state == PairingState.PAUSED and active.safeguarding_hold
    assert offered.state == PairingState.ENDED
    assert waiting.state == PairingState.ENDED
    assert SupportRequest.objects.filter(
        survivor=waiting.survivor, status=RequestStatus.OPEN, previous_pairing=waiting
    ).exists()
    survivor_notice = Notification.objects.get(user=active.survivor)
    assert survivor_notice.link == reverse("care:change_new", args=[active.pk])
    assert AuditEvent.objects.filter(action="supporter.suspended").exists()
    # Access removed at once: every supporter page but home is 404; home says they are on hold.
    for url in _supporter_pages(active)[1:]:
        assert supporter_client.get(url).status_code == 404, url
    home = supporter_client.get(reverse("home"))
    assert b'data-standing="suspended"' in home.content
    assert supporter_client.get(reverse("mydata:overview")).status_code == 200


def test_suspend_is_a_confirmation_page_and_coordinators_only(
    postgres, supporter, coordinator_client, supporter_client, survivor_client, caseload
):
    url = reverse("team:supporter_suspend", args=[supporter.supporter_profile.pk])
    page = coordinator_client.get(url)
    assert page.status_code == 200 and b"data-confirmation" in page.content
    supporter.supporter_profile.refresh_from_db()
    assert supporter.supporter_profile.status == SupporterStatus.APPROVED
    for c in (supporter_client, survivor_client):
        assert c.get(url).status_code == 404
        assert c.post(url, {"reason": "x"}).status_code == 404
    assert coordinator_client.post(url, {"reason": ""}).status_code == 400  # a reason is needed
    assert coordinator_client.post(url, {"reason": "why"}).status_code == 302
    supporter.supporter_profile.refresh_from_db()
    assert supporter.supporter_profile.status == SupporterStatus.SUSPENDED


def test_suspend_then_reinstate_keeps_pairings_paused_for_a_coordinator(
    postgres, supporter, coordinator, caseload, supporter_client
):
    active = caseload["active"]
    profile = supporter.supporter_profile
    supporter_suspend(profile_id=profile.pk, coordinator=coordinator, reason="why")
    with pytest.raises(ValidationError):  # not while suspended
        pairing_set_paused(pairing_id=active.pk, actor=coordinator, paused=False)
    supporter_reinstate(profile_id=profile.pk, coordinator=coordinator)
    profile.refresh_from_db()
    active.refresh_from_db()
    assert profile.status == SupporterStatus.APPROVED
    assert active.state == PairingState.PAUSED and active.safeguarding_hold
    assert supporter_client.get(reverse("care:debriefs")).status_code == 200
    assert supporter_client.get(reverse("matching:pairing", args=[active.pk])).status_code == 404
    pairing_set_paused(pairing_id=active.pk, actor=coordinator, paused=False)
    assert supporter_client.get(reverse("matching:pairing", args=[active.pk])).status_code == 200


def test_suspend_and_retire_end_every_pairing_and_block_every_page(
    postgres, supporter, coordinator, caseload, supporter_client
):
    profile = supporter.supporter_profile
    supporter_suspend(profile_id=profile.pk, coordinator=coordinator, reason="why")
    counts = supporter_retire(profile_id=profile.pk, coordinator=coordinator)
    assert counts["ended"] == 1  # the paused one; the others ended on suspension
    active = caseload["active"]
    active.refresh_from_db()
    profile.refresh_from_db()
    assert profile.status == SupporterStatus.RETIRED
    assert active.state == PairingState.ENDED
    assert SupportRequest.objects.filter(survivor=active.survivor, status="open").exists()
    for url in _supporter_pages(active)[1:]:
        assert supporter_client.get(url).status_code == 404, url
    home = supporter_client.get(reverse("home")).content.decode()
    assert 'data-standing="retired"' in home
    # The menu offers no supporter page either (each would answer 404).
    assert f'href="{reverse("care:debriefs")}"' not in home
    with pytest.raises(ValidationError):
        supporter_reinstate(profile_id=profile.pk, coordinator=coordinator)


def test_retire_from_approved_ends_pairings_and_requeues(postgres, supporter, coordinator, pairing):
    supporter_retire(profile_id=supporter.supporter_profile.pk, coordinator=coordinator)
    pairing.refresh_from_db()
    assert pairing.state == PairingState.ENDED
    assert SupportRequest.objects.filter(
        survivor=pairing.survivor, status=RequestStatus.OPEN
    ).exists()


def test_suspend_refused_for_someone_not_approved(postgres, coordinator):
    from tests.factories import SupporterFactory

    applicant = SupporterFactory(profile__status=SupporterStatus.APPLIED)
    with pytest.raises(ValidationError):
        supporter_suspend(
            profile_id=applicant.supporter_profile.pk, coordinator=coordinator, reason="x"
        )
    with pytest.raises(ValidationError):
        supporter_suspend(
            profile_id=applicant.supporter_profile.pk, coordinator=SurvivorFactory(), reason="x"
        )


def test_the_menu_offers_debriefs_to_a_supporter_until_suspended(
    postgres, supporter, coordinator, pairing, supporter_client
):
    debriefs = f'href="{reverse("care:debriefs")}"'
    assert debriefs in supporter_client.get(reverse("profile")).content.decode()
    supporter_suspend(
        profile_id=supporter.supporter_profile.pk, coordinator=coordinator, reason="A concern"
    )
    assert debriefs not in supporter_client.get(reverse("profile")).content.decode()
    assert debriefs not in supporter_client.get(reverse("home")).content.decode()
