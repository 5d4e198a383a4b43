"""A survivor's own information: a copy to take away, and deleting the account."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ethics.care.models import ChangeKind, ChangeRequest, Concern, SafetyFlag
from matching.models import Pairing, SupportRequest
from peersupport.people.models import AuditEvent, Notification, OutgoingEmail, User
from sessions.models import CheckIn, SessionMode, SessionStatus, SupportSession
from tests.factories import PASSWORD, CoordinatorFactory, PairingFactory

pytestmark = pytest.mark.django_db

URLS = ("mydata:overview", "mydata:download", "mydata:erase")


def _history(survivor, *, sessions: int = 1):
    pairing = PairingFactory(survivor=survivor, request__survivor=survivor)
    SupportRequest.objects.filter(pk=pairing.request_id).update(
        note_for_supporter="I find evenings hard"
    )
    now = timezone.now()
    for n in range(sessions):
        SupportSession.objects.create(
            pairing=pairing,
            logged_by=pairing.supporter,
            starts_at=now - timedelta(days=n + 1),
            mode=SessionMode.VIDEO,
            status=SessionStatus.HELD,
            wellbeing=3,
            private_notes="supporter-only words",
        )
    CheckIn.objects.create(
        pairing=pairing, due_at=now, mood=4, note="a better week", answered_at=now
    )
    Concern.objects.create(
        pairing=pairing,
        raised_by=survivor,
        category="judged",
        text="felt rushed",
        response="thank you for telling us",
    )
    ChangeRequest.objects.create(
        pairing=pairing, requested_by=survivor, kind=ChangeKind.CHANGE, reason="not a fit"
    )
    return pairing


def test_the_download_holds_what_the_survivor_wrote_and_not_the_supporters_notes(
    survivor_client, survivor
):
    pairing = _history(survivor)
    response = survivor_client.get(reverse("mydata:download"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="my-information.json"'
    body = response.content.decode()
    data = json.loads(body)
    assert data["account"]["email"] == survivor.email
    assert data["requests"][0]["note_for_supporter"] == "I find evenings hard"
    assert data["check_ins"][0]["note"] == "a better week"
    assert data["concerns"][0]["text"] == "felt rushed"
    assert data["concerns"][0]["reply"] == "thank you for telling us"
    assert data["change_requests"][0]["reason"] == "not a fit"
    assert data["pairings"][0]["supporter"] == pairing.supporter.display_name
    assert len(data["sessions"]) == 1
    assert "supporter-only words" not in body
    assert AuditEvent.objects.filter(action="account.exported", actor=survivor).count() == 1


def test_the_download_never_names_a_supporter_before_the_pairing_starts(survivor_client, survivor):
    pairing = PairingFactory(
        survivor=survivor,
        request__survivor=survivor,
        state="awaiting_agreement",
        activated_at=None,
    )
    body = survivor_client.get(reverse("mydata:download")).content.decode()
    assert pairing.supporter.display_name not in body
    assert json.loads(body)["pairings"] == []


def test_the_download_costs_the_same_queries_for_a_short_and_a_long_history(
    survivor_client, survivor
):
    _history(survivor, sessions=1)
    survivor_client.get(reverse("mydata:download"))  # the session's refresh, done once a minute
    with CaptureQueriesContext(connection) as short:
        survivor_client.get(reverse("mydata:download"))
    Pairing.objects.filter(survivor=survivor).update(state="ended", end_reason="completed")
    SupportRequest.objects.filter(survivor=survivor).update(status="closed")
    _history(survivor, sessions=30)
    with CaptureQueriesContext(connection) as long:
        response = survivor_client.get(reverse("mydata:download"))
    assert len(json.loads(response.content)["sessions"]) == 31
    assert len(long.captured_queries) == len(short.captured_queries)


@pytest.mark.parametrize("name", URLS)
def test_other_roles_get_404(name, client, coordinator):
    # Supporters have these pages too, for their own information (test_supporter_data.py).
    for user in (coordinator,):
        client.force_login(user)
        assert client.get(reverse(name)).status_code == 404
        assert client.post(reverse(name)).status_code == 404


def test_a_wrong_password_deletes_nothing(survivor_client, survivor):
    _history(survivor)
    response = survivor_client.post(
        reverse("mydata:erase"), {"password": "not it", "confirm": "on"}
    )
    assert response.status_code == 200
    assert "That password is not right." in response.content.decode()
    assert User.objects.filter(pk=survivor.pk).exists()
    assert Pairing.objects.filter(survivor=survivor).count() == 1


def test_deleting_removes_everything_signs_out_and_tells_the_supporter_only_that_it_ended(
    survivor_client, survivor, django_capture_on_commit_callbacks
):
    pairing = _history(survivor)
    supporter = pairing.supporter
    before = list(OutgoingEmail.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = survivor_client.post(
            reverse("mydata:erase"), {"password": PASSWORD, "confirm": "on"}
        )
    assert response.status_code == 302
    assert not User.objects.filter(pk=survivor.pk).exists()
    assert not Pairing.objects.filter(pk=pairing.pk).exists()
    assert not SupportRequest.objects.filter(survivor_id=survivor.pk).exists()
    assert not SupportSession.objects.filter(pairing_id=pairing.pk).exists()
    # Their own concern is a safeguarding record: it stays, pointing at nobody.
    kept = Concern.objects.get()
    assert (kept.raised_by_id, kept.pairing_id) == (None, None)
    assert (kept.raiser_side, kept.pairing_ref) == ("survivor", pairing.pk)
    notice = Notification.objects.get(user=supporter)
    assert survivor.display_name not in notice.text
    # One discreet email, to the supporter, and nothing else leaves the service.
    sent = OutgoingEmail.objects.exclude(pk__in=before).values_list("recipient_id", flat=True)
    assert list(sent) == [supporter.pk]
    assert callbacks  # the outbox's nudge waits for the commit
    erased = AuditEvent.objects.get(action="account.erased")
    assert erased.actor is None and erased.target_id is None
    assert survivor_client.get(reverse("home")).status_code == 302  # signed out


def test_an_open_safety_matter_waits_and_a_coordinator_is_told(survivor_client, survivor):
    coordinator = CoordinatorFactory()
    pairing = _history(survivor)
    SafetyFlag.objects.create(
        pairing=pairing, raised_by=pairing.supporter, category="child", text="details"
    )
    flag = SafetyFlag.objects.get()
    for _attempt in range(2):
        response = survivor_client.post(
            reverse("mydata:erase"), {"password": PASSWORD, "confirm": "on"}
        )
        assert response.status_code == 200
        assert "A coordinator has been told you asked" in response.content.decode()
    assert User.objects.filter(pk=survivor.pk).exists()
    # Told once, however often the person tries, with the flag to look at (its id only).
    notice = Notification.objects.get(user=coordinator, kind="account.erase_waiting")
    assert notice.link == reverse("team:flag", args=[flag.pk])
    assert "details" not in notice.text


def test_deleting_needs_the_confirmation_box(survivor_client, survivor):
    response = survivor_client.post(reverse("mydata:erase"), {"password": PASSWORD})
    assert response.status_code == 200
    assert User.objects.filter(pk=survivor.pk).exists()


def test_the_profile_page_leads_survivors_and_supporters_there(
    client, survivor, supporter, coordinator
):
    link = reverse("mydata:overview")
    for user in (survivor, supporter):
        client.force_login(user)
        assert link in client.get(reverse("profile")).content.decode()
    client.force_login(coordinator)
    assert link not in client.get(reverse("profile")).content.decode()
