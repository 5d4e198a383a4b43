"""A supporter's own information: the download holds what they gave and wrote and their pairings
as they saw them, nothing of a survivor's private words; deleting ends their pairings (survivors
back in the queue, told neutrally), keeps safeguarding records without them, and waits while a
safety matter involving them is open."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from ethics.care import services as care_services
from ethics.care.models import Concern, DebriefRequest
from matching.models import RequestStatus, SupportRequest
from matching.standing import supporter_suspend
from peersupport.people.models import Notification, OutgoingEmail, User
from sessions.models import CheckIn, SessionMode, SessionStatus, SupportSession
from tests.factories import PASSWORD

SURVIVOR_NOTE = "Survivor-private-note-5521"
SURVIVOR_CHECKIN = "Survivor-checkin-words-5521"
SURVIVOR_CONCERN = "Survivor-concern-words-5521"
MY_NOTES = "Supporter-own-notes-9012"
MY_DEBRIEF = "Supporter-debrief-words-9012"


@pytest.fixture
def history(supporter, survivor, pairing):
    pairing.request.note_for_supporter = SURVIVOR_NOTE
    pairing.request.save(update_fields=["note_for_supporter"])
    SupportSession.objects.create(
        pairing=pairing,
        logged_by=supporter,
        starts_at=pairing.activated_at,
        mode=SessionMode.VIDEO,
        status=SessionStatus.HELD,
        private_notes=MY_NOTES,
    )
    CheckIn.objects.create(
        pairing=pairing, due_at=pairing.activated_at, mood=3, note=SURVIVOR_CHECKIN
    )
    care_services.concern_raise(
        user=survivor, pairing=pairing, category="other", text=SURVIVOR_CONCERN
    )
    DebriefRequest.objects.create(requested_by=supporter, text=MY_DEBRIEF)
    return pairing


def test_supporter_data_download_holds_their_data_and_no_survivors_private_words(
    supporter_client, history
):
    response = supporter_client.get(reverse("mydata:download"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="my-information.json"'
    text = response.content.decode()
    data = json.loads(text)
    assert data["application_and_profile"]["why_I_want_to_support"] == "I would like to give back."
    assert [p["person"] for p in data["pairings"]] == ["Sam"]
    assert MY_NOTES in text and MY_DEBRIEF in text
    for private in (SURVIVOR_NOTE, SURVIVOR_CHECKIN, SURVIVOR_CONCERN):
        assert private not in text


def test_supporter_data_download_respects_a_safeguarding_hold(
    postgres, survivor, supporter_client, history
):
    supporter_client.get(reverse("mydata:download"))
    care_services.concern_raise(user=survivor, pairing=history, category="harm", text="x")
    text = supporter_client.get(reverse("mydata:download")).content.decode()
    assert MY_NOTES not in text and '"Sam"' not in text


def test_supporter_data_overview_and_erase_pages_are_theirs(supporter_client, coordinator_client):
    assert b"Download my information" in supporter_client.get(reverse("mydata:overview")).content
    assert supporter_client.get(reverse("mydata:erase")).status_code == 200
    assert coordinator_client.get(reverse("mydata:download")).status_code == 404


def test_supporter_data_deletion_ends_pairings_and_requeues_survivors(
    postgres, supporter, survivor, supporter_client, history
):
    response = supporter_client.post(
        reverse("mydata:erase"), {"password": PASSWORD, "confirm": "on"}
    )
    assert response.status_code == 302
    assert not User.objects.filter(pk=supporter.pk).exists()
    assert SupportRequest.objects.filter(survivor=survivor, status=RequestStatus.OPEN).exists()
    notice = Notification.objects.filter(user=survivor).latest("created_at")
    assert "new peer supporter" in notice.text
    concern = Concern.objects.get(category="other")  # the safeguarding record stays
    assert concern.pairing_id is None and concern.raiser_side == "survivor"


def test_supporter_data_deletion_waits_while_a_safety_matter_is_open(
    postgres, supporter, survivor, coordinator, supporter_client, history
):
    care_services.safety_flag_raise(supporter=supporter, pairing=history, category="self", text="x")
    before = Notification.objects.filter(user=coordinator, kind="account.erase_waiting").count()
    response = supporter_client.post(
        reverse("mydata:erase"), {"password": PASSWORD, "confirm": "on"}
    )
    assert response.status_code == 200
    assert "can&#x27;t delete your account" in response.content.decode()
    assert User.objects.filter(pk=supporter.pk).exists()
    after = Notification.objects.filter(user=coordinator, kind="account.erase_waiting").count()
    assert after == before + 1
    assert OutgoingEmail.objects.filter(recipient=coordinator).exists()


def test_supporter_data_deletion_waits_while_suspended(
    postgres, supporter, coordinator, supporter_client, history
):
    supporter_suspend(
        profile_id=supporter.supporter_profile.pk, coordinator=coordinator, reason="why"
    )
    response = supporter_client.post(
        reverse("mydata:erase"), {"password": PASSWORD, "confirm": "on"}
    )
    assert response.status_code == 200
    assert User.objects.filter(pk=supporter.pk).exists()
