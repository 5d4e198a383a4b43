"""Whoever loses a race hears it in words: a row gone meanwhile (the survivor deleted their
account) is a refusal from every service that locks in the one order (matching/locking.py),
never DoesNotExist, and the pages answer it with a message, never a 500 or a 404 page.

The races themselves, on PostgreSQL, are in test_lock_order.py; here the loser arrives just
after the winner committed."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from ethics.care import handover
from ethics.care import services as care_services
from ethics.care.models import ChangeRequest, Concern
from matching import services as matching_services
from matching.models import EndReason, Pairing, PairingState
from matching.reassign import version_token
from matching.supporters import supporter_set_paused
from peersupport.mydata.services import survivor_erase
from peersupport.people.models import User
from tests.factories import PairingFactory, SupporterFactory, SupportRequestFactory
from tests.helpers import acknowledge_current

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(db):
    other = SupporterFactory()
    acknowledge_current(other)
    return other


def _said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _erase(survivor):
    survivor_erase(user=survivor)
    assert not User.objects.filter(pk=survivor.pk).exists()


def _gone_calls(pairing, coordinator, newcomer):
    """Every service that locks a pairing, called as its page would call it."""
    survivor, supporter, version = pairing.survivor, pairing.supporter, version_token(pairing)
    return {
        "reassign": lambda: handover.pairing_reassign(
            pairing_id=pairing.pk,
            coordinator=coordinator,
            reason=EndReason.COORDINATOR_ENDED,
            supporter_id=newcomer.pk,
            expected_version=version,
        ),
        "end by a coordinator": lambda: handover.pairing_end_by_coordinator(
            pairing_id=pairing.pk,
            coordinator=coordinator,
            reason=EndReason.COORDINATOR_ENDED,
            expected_version=version,
        ),
        "end": lambda: matching_services.pairing_end(
            pairing_id=pairing.pk, actor=supporter, reason=EndReason.COMPLETED
        ),
        "pause": lambda: matching_services.pairing_set_paused(
            pairing_id=pairing.pk, actor=supporter, paused=True
        ),
        "accept": lambda: matching_services.offer_accept(
            pairing_id=pairing.pk, supporter=supporter
        ),
        "offer": lambda: matching_services.pairing_offer(pairing_id=pairing.pk, actor=coordinator),
        "flag": lambda: care_services.safety_flag_raise(
            supporter=supporter, pairing=pairing, category="child", text="details"
        ),
        "concern": lambda: care_services.concern_raise(
            user=supporter, pairing=pairing, category="other", text="details"
        ),
        "handover request": lambda: care_services.change_request_open(
            user=supporter, pairing=pairing, reason="details"
        ),
        "block": lambda: care_services.supporter_block(survivor=survivor, pairing_id=pairing.pk),
    }


@pytest.mark.parametrize(
    "name",
    [
        "reassign",
        "end by a coordinator",
        "end",
        "pause",
        "accept",
        "offer",
        "flag",
        "concern",
        "handover request",
        "block",
    ],
)
def test_every_service_refuses_a_pairing_gone_meanwhile_in_words(
    name, pairing, coordinator, newcomer
):
    call = _gone_calls(pairing, coordinator, newcomer)[name]
    _erase(pairing.survivor)
    with pytest.raises(ValidationError) as refused:
        call()
    assert refused.value.messages[0]


def test_answering_a_change_request_gone_meanwhile_is_refused_in_words_a_concern_stays(
    pairing, coordinator
):
    concern = care_services.concern_raise(
        user=pairing.survivor, pairing=pairing, category="other", text="details"
    )
    change = care_services.change_request_open(user=pairing.survivor, pairing=pairing)
    _erase(pairing.survivor)
    # A concern is a safeguarding record: it outlives the account and can still be answered.
    care_services.concern_update(concern_id=concern.pk, coordinator=coordinator, status="resolved")
    assert Concern.objects.get(pk=concern.pk).status == "resolved"
    with pytest.raises(ValidationError, match="no longer there"):
        care_services.change_request_close(request_id=change.pk, actor=coordinator, status="done")


def test_deleting_an_account_already_deleted_from_another_tab_counts_as_done(survivor):
    stale_copy = User.objects.get(pk=survivor.pk)
    _erase(survivor)
    survivor_erase(user=stale_copy)  # nothing left to delete, and no error


def test_a_coordinator_reassigning_a_pairing_gone_meanwhile_is_told_so_not_shown_a_404(
    coordinator_client, pairing, newcomer
):
    url = reverse("team:pairing", kwargs={"pk": pairing.pk})
    data = {"supporter": newcomer.pk, "reason": EndReason.COORDINATOR_ENDED, "note": ""}
    data["version"] = version_token(pairing)
    _erase(pairing.survivor)
    for posted in (
        data,
        {"action": "end", "end-reason": EndReason.COORDINATOR_ENDED},
        {"action": "pause"},
    ):
        response = coordinator_client.post(url, posted)
        assert response.status_code == 302
        assert response["Location"] == reverse("team:queue")
        assert any("no longer there" in m for m in _said(response))
    assert not Pairing.objects.exists()


def test_a_coordinator_answering_what_went_meanwhile_is_told_so_not_shown_a_404(
    coordinator_client, pairing
):
    concern = care_services.concern_raise(
        user=pairing.survivor, pairing=pairing, category="other", text="details"
    )
    change = care_services.change_request_open(user=pairing.survivor, pairing=pairing)
    _erase(pairing.survivor)
    # The concern stays (a safeguarding record) and is answered as usual.
    url = reverse("team:concern", kwargs={"pk": concern.pk})
    response = coordinator_client.post(url, {"status": "resolved", "response": ""})
    assert (response.status_code, response["Location"]) == (302, url)
    for page, pk, data, back in (("team:change", change.pk, {"status": "done"}, "team:changes"),):
        response = coordinator_client.post(reverse(page, kwargs={"pk": pk}), data)
        assert response.status_code == 302
        assert response["Location"] == reverse(back)
        assert any("no longer there" in m for m in _said(response))
        # Opening it afterwards is an ordinary missing page.
        assert coordinator_client.get(reverse(page, kwargs={"pk": pk})).status_code == 404
    assert not ChangeRequest.objects.exists()
    assert Concern.objects.get(pk=concern.pk).status == "resolved"


def test_a_supporter_answering_an_offer_gone_meanwhile_is_told_it_is_no_longer_open(
    supporter, supporter_client
):
    acknowledge_current(supporter)
    offer = PairingFactory(
        request=SupportRequestFactory(),
        supporter=supporter,
        state=PairingState.OFFERED,
        activated_at=None,
        offer_expires_at=timezone.now() + timedelta(days=1),
    )
    _erase(offer.survivor)
    response = supporter_client.post(reverse("matching:offer_accept", kwargs={"pk": offer.pk}))
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert _said(response) == ["This offer is no longer open."]
    # Looking at it is still a missing page: nothing about it is told.
    assert (
        supporter_client.get(reverse("matching:offer", kwargs={"pk": offer.pk})).status_code == 404
    )


def test_a_supporter_flagging_about_someone_gone_meanwhile_is_told_so_not_shown_a_404(
    pairing, supporter, supporter_client
):
    _erase(pairing.survivor)
    response = supporter_client.post(
        reverse("care:flag_new", kwargs={"pk": pairing.pk}),
        {"category": "child", "text": "details"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert any("no longer there" in m for m in _said(response))


def test_pausing_a_pairing_a_coordinator_ends_at_that_moment_says_so_and_goes_home(
    monkeypatch, pairing, supporter, supporter_client, coordinator
):
    real_pause = matching_services.pairing_set_paused

    def coordinator_first(**kwargs):
        # The coordinator's end commits between the supporter's page check and their pause.
        handover.pairing_end_by_coordinator(
            pairing_id=pairing.pk,
            coordinator=coordinator,
            reason=EndReason.COORDINATOR_ENDED,
            expected_version=version_token(pairing),
        )
        return real_pause(**kwargs)

    monkeypatch.setattr(matching_services, "pairing_set_paused", coordinator_first)
    response = supporter_client.post(
        reverse("matching:pairing_action", kwargs={"pk": pairing.pk}), {"action": "pause"}
    )
    # Not their pairing page, which is closed to them now (a 404 page).
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert _said(response) == ["That change is not possible any more: the pairing has moved on."]


def test_pausing_a_supporter_who_is_not_there_is_refused_in_words(supporter):
    missing = supporter.supporter_profile.pk + 10_000
    with pytest.raises(ValidationError, match="no longer there"):
        supporter_set_paused(profile_id=missing, actor=supporter, paused=True)
