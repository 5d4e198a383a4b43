"""Debriefs in the supporter network; asking for a different supporter, handing over, and
blocking a supporter."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from ethics.care import selectors as care_selectors
from ethics.care import services as care_services
from ethics.care.models import ChangeRequest, DebriefMessage, DebriefRequest
from matching.access import get_pairing_for, pairings_visible_to
from matching.models import Block, PairingState, PairingTransition
from peersupport.people.models import AuditEvent, Notification
from tests.factories import PairingFactory, SupporterFactory, SurvivorFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# -- debriefs -------------------------------------------------------------------------------


def test_a_debrief_is_picked_up_by_a_volunteer_and_both_see_it_until_closed(supporter):
    volunteer = SupporterFactory(display_name="Jordan")
    bystander = SupporterFactory()
    _client(volunteer).post(reverse("care:debriefs"), {"volunteer": "1"})
    assert care_selectors.is_debrief_volunteer(volunteer)

    asker = _client(supporter)
    response = asker.post(
        reverse("care:debrief_new"), {"text": "A hard conversation about boundaries."}
    )
    debrief = DebriefRequest.objects.get()
    assert response["Location"] == reverse("care:debrief", args=[debrief.pk])
    assert Notification.objects.filter(user=volunteer, kind="debrief.new").exists()
    assert not Notification.objects.filter(user=bystander).exists()

    helper = _client(volunteer)
    url = reverse("care:debrief", args=[debrief.pk])
    assert f'data-debrief="{debrief.pk}"' in helper.get(reverse("care:debriefs")).content.decode()
    assert "A hard conversation" in helper.get(url).content.decode()
    assert _client(bystander).get(url).status_code == 404  # not a volunteer
    helper.post(url, {"action": "pick_up"})
    debrief.refresh_from_db()
    assert (debrief.status, debrief.picked_up_by) == ("picked_up", volunteer)

    helper.post(url, {"action": "message", "text": "Tuesday at 7?"})
    asker.post(url, {"action": "message", "text": "Yes please."})
    assert list(DebriefMessage.objects.values_list("text", flat=True)) == [
        "Tuesday at 7?",
        "Yes please.",
    ]
    for person in (supporter, volunteer):
        assert debrief in care_selectors.debriefs_for(person)
    # Once picked up, other volunteers no longer see it.
    other_volunteer = SupporterFactory()
    care_services.debrief_volunteer_set(user=other_volunteer, volunteer=True)
    assert debrief not in care_selectors.debriefs_for(other_volunteer)
    assert _client(other_volunteer).get(url).status_code == 404

    asker.post(url, {"action": "close"})
    debrief.refresh_from_db()
    assert debrief.status == "closed"
    for person in (supporter, volunteer):
        assert debrief not in care_selectors.debriefs_for(person)
        page = _client(person).get(reverse("care:debriefs")).content.decode()
        assert f'data-debrief="{debrief.pk}"' not in page


def test_a_coordinator_can_pick_up_a_debrief(supporter, coordinator, coordinator_client):
    debrief = care_services.debrief_request(supporter=supporter, text="After a heavy week.")
    assert debrief in care_selectors.debriefs_for(coordinator)
    coordinator_client.post(reverse("team:debrief", args=[debrief.pk]), {"action": "pick_up"})
    debrief.refresh_from_db()
    assert debrief.picked_up_by == coordinator


def test_a_pseudonym_that_is_an_everyday_word_counts_only_as_a_name(supporter):
    PairingFactory(request__survivor=SurvivorFactory(display_name="Hope"), supporter=supporter)
    PairingFactory(request__survivor=SurvivorFactory(display_name="Al"), supporter=supporter)
    fine = "I hope to talk it over; it was always a hard week, rest is needed."
    assert care_services.debrief_request(supporter=supporter, text=fine).pk
    for naming in ("Hope had a hard week.", "About HOPE, again.", "I worry about al."):
        with pytest.raises(ValidationError) as caught:
            care_services.debrief_request(supporter=supporter, text=naming)
        assert "text" in caught.value.message_dict
    assert DebriefRequest.objects.count() == 1


def test_debriefs_are_not_for_survivors(survivor_client, supporter):
    debrief = care_services.debrief_request(supporter=supporter, text="After a heavy week.")
    assert survivor_client.get(reverse("care:debriefs")).status_code == 404
    assert survivor_client.get(reverse("care:debrief", args=[debrief.pk])).status_code == 404


def test_a_debrief_that_names_the_person_supported_is_refused(supporter_client, pairing):
    response = supporter_client.post(
        reverse("care:debrief_new"),
        {"text": f"I am worried about {pairing.survivor.display_name.lower()} lately."},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["text"]
    assert errors == ["This seems to name someone you support. Please leave names out."]
    assert pairing.survivor.display_name.lower() not in str(errors).lower()
    assert not DebriefRequest.objects.exists()


@pytest.mark.parametrize("text", ["", "   ", "x" * 4001])
def test_empty_or_oversized_debrief_text_is_a_field_error(supporter_client, text):
    response = supporter_client.post(reverse("care:debrief_new"), {"text": text})
    assert response.status_code == 200
    assert "text" in response.context["form"].errors
    assert not DebriefRequest.objects.exists()


def test_a_supporter_cannot_pick_up_their_own_debrief(supporter):
    care_services.debrief_volunteer_set(user=supporter, volunteer=True)
    debrief = care_services.debrief_request(supporter=supporter, text="After a heavy week.")
    with pytest.raises(ValidationError):
        care_services.debrief_pick_up(debrief_id=debrief.pk, user=supporter)


# -- asking for a different supporter, handing over ----------------------------------------------


def test_a_survivor_asks_for_a_different_supporter_without_giving_a_reason(
    survivor_client, pairing, coordinator
):
    response = survivor_client.post(reverse("care:change_new", args=[pairing.pk]), {"reason": ""})
    change = ChangeRequest.objects.get()
    assert response["Location"] == reverse("care:change", args=[change.pk])
    assert (change.kind, change.status, change.requested_by) == ("change", "open", pairing.survivor)
    assert change in care_selectors.open_change_requests()
    assert Notification.objects.filter(user=coordinator, kind="change.change").exists()
    # The supporter does not see it.
    supporter = _client(pairing.supporter)
    assert supporter.get(reverse("care:change", args=[change.pk])).status_code == 404
    # Asking twice is refused; the first request stands.
    again = survivor_client.post(reverse("care:change_new", args=[pairing.pk]), {"reason": ""})
    assert "already asked" in again.content.decode()
    assert ChangeRequest.objects.count() == 1


def test_a_supporter_asks_to_hand_over_with_a_reason(supporter_client, pairing):
    url = reverse("care:change_new", args=[pairing.pk])
    response = supporter_client.post(url, {"reason": ""})
    assert "reason" in response.context["form"].errors
    assert not ChangeRequest.objects.exists()
    supporter_client.post(url, {"reason": "I am not the right person for this."})
    change = ChangeRequest.objects.get()
    assert (change.kind, change.reason) == ("handover", "I am not the right person for this.")
    assert (
        _client(pairing.survivor).get(reverse("care:change", args=[change.pk])).status_code == 404
    )


def test_oversized_change_reason_is_a_field_error(survivor_client, pairing):
    response = survivor_client.post(
        reverse("care:change_new", args=[pairing.pk]), {"reason": "x" * 4001}
    )
    assert "reason" in response.context["form"].errors
    assert not ChangeRequest.objects.exists()


def test_coordinator_marks_a_change_request_done(coordinator_client, pairing):
    change = care_services.change_request_open(user=pairing.survivor, pairing=pairing)
    coordinator_client.post(reverse("team:change", args=[change.pk]), {"status": "done"})
    change.refresh_from_db()
    assert change.status == "done"
    assert change not in care_selectors.open_change_requests()


def test_open_change_requests_cost_a_fixed_number_of_queries(django_assert_num_queries):
    for _ in range(3):
        pairing = PairingFactory()
        care_services.change_request_open(user=pairing.survivor, pairing=pairing)
    with django_assert_num_queries(1):
        rows = [
            (c.pairing.survivor.display_name, c.pairing.supporter.display_name, c.requested_by)
            for c in care_selectors.open_change_requests()
        ]
    assert len(rows) == 3


# -- blocking -------------------------------------------------------------------------------


def test_blocking_pauses_the_pairing_at_once_and_the_supporter_loses_access(
    survivor_client, pairing, coordinator
):
    supporter = pairing.supporter
    assert pairing in pairings_visible_to(supporter)
    url = reverse("care:block", args=[pairing.pk])
    assert survivor_client.post(url, {}).status_code == 200  # not confirmed: nothing happens
    assert not Block.objects.exists()

    response = survivor_client.post(url, {"confirm": "on"})
    assert response.status_code == 302
    assert Block.objects.filter(survivor=pairing.survivor, supporter=supporter).exists()
    pairing.refresh_from_db()
    assert pairing.state == PairingState.PAUSED
    assert PairingTransition.objects.filter(
        pairing=pairing, to_state="paused", reason="blocked", actor=pairing.survivor
    ).exists()
    assert pairing not in pairings_visible_to(supporter)
    with pytest.raises(Exception) as error:
        get_pairing_for(supporter, pairing.pk)
    assert error.typename == "Http404"
    assert Notification.objects.filter(user=coordinator, kind="pairing.blocked").exists()
    assert ChangeRequest.objects.filter(pairing=pairing, kind="blocked", status="open").exists()
    assert AuditEvent.objects.filter(action="block.created").exists()
    # The supporter is not told and sees nothing of it.
    assert not Notification.objects.filter(user=supporter).exists()


def test_blocking_twice_is_refused(pairing):
    care_services.supporter_block(survivor=pairing.survivor, pairing_id=pairing.pk)
    with pytest.raises(ValidationError):
        care_services.supporter_block(survivor=pairing.survivor, pairing_id=pairing.pk)
    assert Block.objects.count() == 1


def test_only_the_survivor_of_a_started_pairing_can_block(client, pairing):
    waiting = PairingFactory(state="awaiting_agreement", activated_at=None)
    for person, target in (
        (pairing.supporter, pairing),
        (SurvivorFactory(), pairing),
        (waiting.survivor, waiting),  # they have not met their supporter yet
    ):
        client.force_login(person)
        assert (
            client.post(reverse("care:block", args=[target.pk]), {"confirm": "on"}).status_code
            == 404
        )
    assert not Block.objects.exists()
