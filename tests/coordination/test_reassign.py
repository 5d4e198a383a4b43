"""Reassigning a pair: from each trigger, the old supporter's access gone at once, stale
forms and ineligible supporters refused with the reason, and nothing half-applied."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ethics.care import services as care_services
from ethics.care.handover import pairing_end_by_coordinator, pairing_reassign
from ethics.care.models import ChangeRequest, ChangeStatus, Concern, ConcernStatus
from matching import services as matching_services
from matching.models import (
    Block,
    EndReason,
    Pairing,
    PairingState,
    PairingTransition,
    RequestStatus,
    SupportRequest,
)
from matching.reassign import (
    ReassignError,
    Trigger,
    version_token,
)
from peersupport.people.models import Language, Notification, SupporterStatus
from sessions.models import CheckIn, SessionMode, SessionStatus, SupportSession
from tests.factories import PairingFactory, SupporterFactory, SupportRequestFactory
from tests.helpers import acknowledge_current

pytestmark = pytest.mark.django_db

NOTE = "private coordinator note zq9"


@pytest.fixture(autouse=True)
def _agreed(survivor, supporter):
    """Both personas acknowledged the current agreements (a reassignment needs them)."""
    acknowledge_current(survivor, supporter)


@pytest.fixture
def newcomer(db):
    other = SupporterFactory(display_name="Jordan")
    acknowledge_current(other)
    return other


def _post(client, pairing, newcomer, *, reason=EndReason.COORDINATOR_ENDED, version=None, **extra):
    data = {
        "supporter": newcomer.pk,
        "reason": reason,
        "note": NOTE,
        "version": version or version_token(pairing),
        **extra,
    }
    return client.post(reverse("team:pairing", kwargs={"pk": pairing.pk}), data)


def _assert_reassigned(old, newcomer, reason):
    old.refresh_from_db()
    assert old.state == PairingState.ENDED
    assert old.end_reason == reason
    new = Pairing.objects.get(previous=old)
    assert new.supporter == newcomer
    assert new.state == PairingState.OFFERED
    assert new.request.status == RequestStatus.OPEN
    assert new.request.previous_pairing == old
    assert old.request.status == RequestStatus.CLOSED
    ended = PairingTransition.objects.get(pairing=old, to_state=PairingState.ENDED)
    assert ended.reason == reason and ended.note == NOTE and ended.actor.is_coordinator
    assert list(
        PairingTransition.objects.filter(pairing=new).values_list("to_state", flat=True)
    ) == [PairingState.PROPOSED, PairingState.OFFERED]
    return new


def _assert_told_discreetly(old):
    to_supporter = Notification.objects.filter(user=old.supporter, kind="pairing.ended").get()
    to_survivor = Notification.objects.filter(user=old.survivor, kind="pairing.changing").get()
    for note in (to_supporter, to_survivor):
        assert NOTE not in note.text
        assert "change" not in note.text.lower() and "concern" not in note.text.lower()
    assert old.supporter.display_name not in to_survivor.text
    assert old.survivor.display_name not in to_supporter.text


def test_reassign_from_a_survivors_change_request(coordinator_client, pairing, survivor, newcomer):
    change = care_services.change_request_open(user=survivor, pairing=pairing)
    page = coordinator_client.get(
        reverse("team:pairing", kwargs={"pk": pairing.pk}),
        {"trigger": "change", "id": change.pk},
    )
    assert page.status_code == 200
    assert "Jordan" in page.content.decode()  # the matcher suggests the newcomer

    response = _post(
        coordinator_client,
        pairing,
        newcomer,
        reason=EndReason.SURVIVOR_CHANGE,
        trigger_kind="change",
        trigger_id=change.pk,
    )
    assert response.status_code == 302
    _assert_reassigned(pairing, newcomer, EndReason.SURVIVOR_CHANGE)
    change.refresh_from_db()
    assert change.status == ChangeStatus.DONE
    _assert_told_discreetly(pairing)


def test_reassign_from_a_supporters_handover_request(
    coordinator_client, pairing, supporter, newcomer
):
    change = care_services.change_request_open(
        user=supporter, pairing=pairing, reason="I am moving away."
    )
    response = _post(
        coordinator_client,
        pairing,
        newcomer,
        reason=EndReason.SUPPORTER_HANDOVER,
        trigger_kind="change",
        trigger_id=change.pk,
    )
    assert response.status_code == 302
    _assert_reassigned(pairing, newcomer, EndReason.SUPPORTER_HANDOVER)
    change.refresh_from_db()
    assert change.status == ChangeStatus.DONE
    # The survivor never hears the supporter's reason.
    texts = Notification.objects.filter(user=pairing.survivor).values_list("text", flat=True)
    assert not any("moving" in text for text in texts)


def test_reassign_from_a_concern(coordinator_client, pairing, survivor, newcomer):
    concern = care_services.concern_raise(
        user=survivor, pairing=pairing, category="boundary", text="It felt wrong."
    )
    response = _post(
        coordinator_client, pairing, newcomer, trigger_kind="concern", trigger_id=concern.pk
    )
    assert response.status_code == 302
    _assert_reassigned(pairing, newcomer, EndReason.COORDINATOR_ENDED)
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.RESOLVED


def test_reassign_on_the_coordinators_own_initiative(
    coordinator_client, pairing, newcomer, coordinator
):
    response = _post(coordinator_client, pairing, newcomer, reason=EndReason.SAFETY)
    assert response.status_code == 302
    new = _assert_reassigned(pairing, newcomer, EndReason.SAFETY)
    assert response["Location"] == reverse("team:pairing", kwargs={"pk": new.pk})
    # The whole story is on one page for the coordinators.
    html = coordinator_client.get(response["Location"]).content.decode()
    assert html.count("data-history-pairing") == 2
    assert NOTE in html and "Casey" in html


def test_the_survivor_always_has_a_request_or_a_pairing(pairing, newcomer, coordinator):
    survivor = pairing.survivor
    pairing_reassign(
        pairing_id=pairing.pk,
        coordinator=coordinator,
        reason=EndReason.COORDINATOR_ENDED,
        supporter_id=newcomer.pk,
        expected_version=version_token(pairing),
    )
    assert SupportRequest.objects.live().filter(survivor=survivor).count() == 1
    assert Pairing.objects.not_ended().filter(survivor=survivor).count() == 1
    # If the new supporter declines, the request is back in the queue, still open.
    offer = Pairing.objects.not_ended().get(survivor=survivor)
    matching_services.offer_decline(pairing_id=offer.pk, supporter=newcomer)
    assert SupportRequest.objects.open().filter(survivor=survivor).count() == 1


def _party_urls(pairing, supporter):
    now = timezone.now()
    session = SupportSession.objects.create(
        pairing=pairing,
        logged_by=supporter,
        starts_at=now + timedelta(days=2),
        duration_minutes=60,
        mode=SessionMode.VIDEO,
        status=SessionStatus.SCHEDULED,
        private_notes="mine",
    )
    checkin = CheckIn.objects.create(pairing=pairing, due_at=now - timedelta(hours=1))
    pk = {"pk": pairing.pk}
    return [
        reverse("matching:pairing", kwargs=pk),
        reverse("peer_sessions:pairing", kwargs=pk),
        reverse("peer_sessions:schedule", kwargs=pk),
        reverse("peer_sessions:session", kwargs={"pk": session.pk}),
        reverse("peer_sessions:session_edit", kwargs={"pk": session.pk}),
        reverse("peer_sessions:session_notes", kwargs={"pk": session.pk}),
        reverse("peer_sessions:session_change", kwargs={"pk": session.pk}),
        reverse("peer_sessions:checkin", kwargs={"pk": checkin.pk}),
        reverse("care:concern_new", kwargs=pk),
        reverse("care:flag_new", kwargs=pk),
        reverse("care:change_new", kwargs=pk),
    ]


def test_the_old_supporter_loses_access_at_once(
    client, coordinator, pairing, supporter, newcomer, settings
):
    settings.KEEP_PRIVATE_NOTES_AFTER_END = False
    urls = _party_urls(pairing, supporter)
    client.force_login(supporter)
    before = {url: client.get(url).status_code for url in urls}
    assert all(code == 200 for code in before.values()), before

    pairing_reassign(
        pairing_id=pairing.pk,
        coordinator=coordinator,
        reason=EndReason.COORDINATOR_ENDED,
        supporter_id=newcomer.pk,
        expected_version=version_token(pairing),
    )
    after = {url: client.get(url).status_code for url in urls}
    assert all(code == 404 for code in after.values()), after
    home = client.get(reverse("home")).content.decode()
    assert pairing.survivor.display_name not in home


def _party_posts(pairing, supporter):
    """Every write the supporter of `pairing` could make about it: (url, data) pairs."""
    now = timezone.now()
    session = SupportSession.objects.create(
        pairing=pairing,
        logged_by=supporter,
        starts_at=now - timedelta(days=1),
        duration_minutes=60,
        mode=SessionMode.VIDEO,
        status=SessionStatus.HELD,
        private_notes="mine",
    )
    checkin = CheckIn.objects.create(pairing=pairing, due_at=now - timedelta(hours=1))
    pk = {"pk": pairing.pk}
    when = (now - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    session_data = {
        "pairing": pairing.pk,
        "starts_at": when,
        "duration_minutes": 60,
        "mode": SessionMode.VIDEO,
        "status": SessionStatus.HELD,
        "notes": "written after the end",
    }
    return [
        (reverse("matching:pairing_action", kwargs=pk), {"action": "pause"}),
        (reverse("matching:pairing_action", kwargs=pk), {"action": "complete"}),
        (reverse("peer_sessions:session_new"), session_data),
        (reverse("peer_sessions:session_edit", kwargs={"pk": session.pk}), session_data),
        (reverse("peer_sessions:session_notes", kwargs={"pk": session.pk}), {"notes": "new"}),
        (
            reverse("peer_sessions:checkin", kwargs={"pk": checkin.pk}),
            {"mood": 3, "wants_session": "no"},
        ),
        (
            reverse("peer_sessions:schedule", kwargs=pk),
            {
                "interval_days": 7,
                "next_due_at": when,
                "quiet_start": "21:00",
                "quiet_end": "08:00",
                "active": "on",
            },
        ),
    ]


@pytest.mark.parametrize("keep_notes", [False, True])
def test_the_old_supporter_can_write_nothing_about_the_pairing_after_it(
    client, coordinator, pairing, supporter, newcomer, settings, keep_notes
):
    settings.KEEP_PRIVATE_NOTES_AFTER_END = keep_notes
    posts = _party_posts(pairing, supporter)
    session = SupportSession.objects.get(pairing=pairing)
    pairing_reassign(
        pairing_id=pairing.pk,
        coordinator=coordinator,
        reason=EndReason.COORDINATOR_ENDED,
        supporter_id=newcomer.pk,
        expected_version=version_token(pairing),
    )
    client.force_login(supporter)
    after = {url: client.post(url, data).status_code for url, data in posts}
    assert all(code == 404 for code in after.values()), after
    pairing.refresh_from_db()
    assert pairing.state == PairingState.ENDED
    assert pairing.end_reason == EndReason.COORDINATOR_ENDED  # not "completed" by the POST
    assert SupportSession.objects.filter(pairing=pairing).count() == 1
    session.refresh_from_db()
    assert session.private_notes == "mine"
    assert not CheckIn.objects.filter(pairing=pairing, answered_at__isnull=False).exists()


def test_with_notes_kept_after_the_end_the_old_supporter_reads_them_and_nothing_else(
    client, coordinator, pairing, supporter, newcomer, settings
):
    settings.KEEP_PRIVATE_NOTES_AFTER_END = True
    urls = _party_urls(pairing, supporter)
    session = SupportSession.objects.get(pairing=pairing)
    session.private_notes = "kept words r2d"
    session.save()
    notes_url = reverse("peer_sessions:session_notes", kwargs={"pk": session.pk})
    pairing_reassign(
        pairing_id=pairing.pk,
        coordinator=coordinator,
        reason=EndReason.COORDINATOR_ENDED,
        supporter_id=newcomer.pk,
        expected_version=version_token(pairing),
    )
    client.force_login(supporter)
    page = client.get(notes_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "kept words r2d" in html
    assert pairing.survivor.display_name not in html
    assert client.post(notes_url, {"notes": "changed"}).status_code == 404  # read-only
    session.refresh_from_db()
    assert session.private_notes == "kept words r2d"
    others = {url: client.get(url).status_code for url in urls if url != notes_url}
    assert all(code == 404 for code in others.values()), others


def test_a_stale_form_is_refused_and_nothing_changes(coordinator_client, pairing, newcomer):
    version = version_token(pairing)
    # Someone pauses the pairing after the page was drawn.
    matching_services.pairing_set_paused(pairing_id=pairing.pk, actor=pairing.survivor, paused=True)
    response = _post(coordinator_client, pairing, newcomer, version=version)
    assert response.status_code == 400
    assert "changed after the page was loaded" in response.content.decode()
    pairing.refresh_from_db()
    assert pairing.state == PairingState.PAUSED
    assert not Pairing.objects.filter(previous=pairing).exists()


def test_a_second_reassignment_of_the_same_pairing_gets_a_clear_message(
    pairing, newcomer, coordinator
):
    version = version_token(pairing)
    pairing_reassign(
        pairing_id=pairing.pk,
        coordinator=coordinator,
        reason=EndReason.COORDINATOR_ENDED,
        supporter_id=newcomer.pk,
        expected_version=version,
    )
    other = SupporterFactory()
    acknowledge_current(other)
    with pytest.raises(ReassignError, match="changed after the page was loaded"):
        pairing_reassign(
            pairing_id=pairing.pk,
            coordinator=coordinator,
            reason=EndReason.COORDINATOR_ENDED,
            supporter_id=other.pk,
            expected_version=version,
        )
    assert Pairing.objects.filter(previous=pairing).count() == 1


def _refused(coordinator, pairing, supporter_id, match):
    with pytest.raises(ReassignError, match=match):
        pairing_reassign(
            pairing_id=pairing.pk,
            coordinator=coordinator,
            reason=EndReason.COORDINATOR_ENDED,
            supporter_id=supporter_id,
            expected_version=version_token(pairing),
        )
    pairing.refresh_from_db()
    assert pairing.state == PairingState.ACTIVE
    assert not Pairing.objects.filter(previous=pairing).exists()


def test_a_paused_supporter_is_refused(coordinator, pairing, newcomer):
    newcomer.supporter_profile.status = SupporterStatus.PAUSED
    newcomer.supporter_profile.save()
    _refused(coordinator, pairing, newcomer.pk, "paused")


def test_a_full_supporter_is_refused(coordinator, pairing, newcomer):
    newcomer.supporter_profile.capacity = 1
    newcomer.supporter_profile.save()
    PairingFactory(supporter=newcomer)
    _refused(coordinator, pairing, newcomer.pk, "full")


def test_a_supporter_with_an_open_offer_filling_their_places_is_refused(
    coordinator, pairing, newcomer
):
    newcomer.supporter_profile.capacity = 1
    newcomer.supporter_profile.save()
    PairingFactory(supporter=newcomer, state="offered", activated_at=None, request__status="open")
    _refused(coordinator, pairing, newcomer.pk, "full")


def test_a_supporter_not_approved_is_refused(coordinator, pairing, newcomer):
    newcomer.supporter_profile.status = SupporterStatus.APPLIED
    newcomer.supporter_profile.save()
    _refused(coordinator, pairing, newcomer.pk, "not approved")


def test_a_survivor_is_never_given_a_coordinator_or_another_survivor(
    coordinator, pairing, survivor
):
    _refused(coordinator, pairing, coordinator.pk, "not approved")
    _refused(coordinator, pairing, survivor.pk, "not approved")


def test_a_supporter_the_survivor_left_before_is_refused(coordinator, pairing, newcomer):
    PairingFactory(
        request=SupportRequestFactory(survivor=pairing.survivor, status="closed"),
        supporter=newcomer,
        state="ended",
        end_reason=EndReason.SURVIVOR_CHANGE,
        ended_at=timezone.now(),
    )
    _refused(coordinator, pairing, newcomer.pk, "paired with this supporter before")


def test_the_current_supporter_is_refused(coordinator, pairing, supporter):
    _refused(coordinator, pairing, supporter.pk, "the pairing is ending with")


def test_a_supporter_who_declined_the_survivor_is_refused(coordinator, pairing, newcomer):
    PairingFactory(
        request=SupportRequestFactory(survivor=pairing.survivor, status="closed"),
        supporter=newcomer,
        state="ended",
        end_reason=EndReason.DECLINED,
        activated_at=None,
    )
    _refused(coordinator, pairing, newcomer.pk, "declined")


def test_a_blocked_supporter_is_refused(coordinator, pairing, newcomer):
    Block.objects.create(survivor=pairing.survivor, supporter=newcomer)
    _refused(coordinator, pairing, newcomer.pk, "never to be paired")


def test_a_supporter_without_a_shared_language_is_refused(coordinator, pairing, newcomer):
    newcomer.supporter_profile.languages.set(Language.objects.filter(slug="fr"))
    _refused(coordinator, pairing, newcomer.pk, "shares no language")


def test_a_supporter_with_agreements_outstanding_is_refused(coordinator, pairing):
    fresh = SupporterFactory()
    _refused(coordinator, pairing, fresh.pk, "agreements")


def test_a_refusal_is_shown_on_the_page(coordinator_client, pairing, newcomer):
    newcomer.supporter_profile.status = SupporterStatus.PAUSED
    newcomer.supporter_profile.save()
    response = _post(coordinator_client, pairing, newcomer)
    assert response.status_code == 400
    assert "This supporter is paused." in response.content.decode()


def test_a_trigger_already_dealt_with_is_refused(coordinator, pairing, survivor, newcomer):
    change = care_services.change_request_open(user=survivor, pairing=pairing)
    care_services.change_request_close(
        request_id=change.pk, actor=survivor, status=ChangeStatus.WITHDRAWN
    )
    with pytest.raises(ReassignError, match="already been dealt with"):
        pairing_reassign(
            pairing_id=pairing.pk,
            coordinator=coordinator,
            reason=EndReason.SURVIVOR_CHANGE,
            supporter_id=newcomer.pk,
            expected_version=version_token(pairing),
            trigger=Trigger("change", change.pk),
        )
    assert ChangeRequest.objects.get(pk=change.pk).status == ChangeStatus.WITHDRAWN


def test_a_concern_about_another_pairing_is_not_a_trigger(coordinator, pairing, newcomer):
    elsewhere = PairingFactory()
    concern = Concern.objects.create(
        pairing=elsewhere, raised_by=elsewhere.survivor, category="other", text="x"
    )
    with pytest.raises(ReassignError, match="already been resolved"):
        pairing_reassign(
            pairing_id=pairing.pk,
            coordinator=coordinator,
            reason=EndReason.COORDINATOR_ENDED,
            supporter_id=newcomer.pk,
            expected_version=version_token(pairing),
            trigger=Trigger("concern", concern.pk),
        )


def test_only_coordinators_reassign(pairing, newcomer, supporter):
    with pytest.raises(ReassignError):
        pairing_reassign(
            pairing_id=pairing.pk,
            coordinator=supporter,
            reason=EndReason.COORDINATOR_ENDED,
            supporter_id=newcomer.pk,
            expected_version=version_token(pairing),
        )


# -- the coordinator who loses a race is told -------------------------------------------------


def test_the_coordinator_who_loses_a_reassignment_sees_why_on_the_page(
    coordinator_client, pairing, newcomer, coordinator
):
    version = version_token(pairing)  # both coordinators loaded the page
    pairing_reassign(
        pairing_id=pairing.pk,
        coordinator=coordinator,
        reason=EndReason.COORDINATOR_ENDED,
        supporter_id=newcomer.pk,
        expected_version=version,
    )
    other = SupporterFactory()
    acknowledge_current(other)
    response = _post(coordinator_client, pairing, other, version=version)
    assert response.status_code == 400
    html = response.content.decode()
    assert "data-refusal" in html
    assert "changed after the page was loaded" in html
    assert Pairing.objects.filter(previous=pairing).count() == 1
    assert not Pairing.objects.filter(supporter=other).exists()


def test_the_coordinator_who_loses_to_an_ending_sees_why_on_the_page(
    coordinator_client, pairing, coordinator
):
    version = version_token(pairing)
    pairing_end_by_coordinator(
        pairing_id=pairing.pk,
        coordinator=coordinator,
        reason=EndReason.COORDINATOR_ENDED,
        expected_version=version,
    )
    response = _end(coordinator_client, pairing, version=version)
    assert response.status_code == 400
    assert "changed after the page was loaded" in response.content.decode()
    assert SupportRequest.objects.open().filter(survivor=pairing.survivor).count() == 1


# -- ending a pairing without offering anyone new ---------------------------------------------


def _end(
    client, pairing, *, reason=EndReason.COORDINATOR_ENDED, then="reopen", version=None, **extra
):
    data = {
        "action": "end",
        "end-reason": reason,
        "end-note": NOTE,
        "end-version": version or version_token(pairing),
        **({"end-then": then} if then else {}),
        **{f"end-{key}": value for key, value in extra.items()},
    }
    return client.post(reverse("team:pairing", kwargs={"pk": pairing.pk}), data)


def test_when_nobody_fits_the_page_offers_to_end_the_pairing_reopening_by_default(
    coordinator_client, pairing
):
    html = coordinator_client.get(reverse("team:pairing", kwargs={"pk": pairing.pk}))
    html = html.content.decode()
    assert "data-unfit" in html and "data-reassign-form" not in html
    assert "data-end-form" in html
    radios = dict(re.findall(r'<input[^>]*name="end-then"[^>]*value="(\w+)"([^>]*)>', html))
    assert set(radios) == {"reopen", "close"}
    assert "checked" in radios["reopen"] and "checked" not in radios["close"]
    assert "until they ask again themselves" in html  # what not reopening means


def test_a_coordinator_ends_a_pairing_and_the_person_is_back_in_the_queue(
    coordinator_client, pairing, supporter, survivor
):
    response = _end(coordinator_client, pairing, reason=EndReason.SAFETY)
    assert response.status_code == 302
    assert response["Location"] == reverse("team:pairing", kwargs={"pk": pairing.pk})
    pairing.refresh_from_db()
    assert pairing.state == PairingState.ENDED and pairing.end_reason == EndReason.SAFETY
    ended = PairingTransition.objects.get(pairing=pairing, to_state=PairingState.ENDED)
    assert ended.reason == EndReason.SAFETY and ended.note == NOTE and ended.actor.is_coordinator
    assert pairing.request.status == RequestStatus.CLOSED
    reopened = SupportRequest.objects.open().get(survivor=survivor)
    assert reopened.previous_pairing == pairing
    assert not Pairing.objects.not_ended().filter(survivor=survivor).exists()
    _assert_told(pairing, survivor_kind="pairing.changing")
    # The page now shows the pairing's history, without the forms.
    html = coordinator_client.get(response["Location"]).content.decode()
    assert "data-end-form" not in html and NOTE in html
    # The old supporter's access is gone at once.
    other = Client()
    other.force_login(supporter)
    for name in ("matching:pairing", "peer_sessions:pairing", "peer_sessions:schedule"):
        assert other.get(reverse(name, kwargs={"pk": pairing.pk})).status_code == 404, name


def test_a_coordinator_may_choose_not_to_reopen(coordinator_client, pairing, survivor):
    response = _end(coordinator_client, pairing, then="close")
    assert response.status_code == 302
    pairing.refresh_from_db()
    assert pairing.state == PairingState.ENDED
    assert not SupportRequest.objects.live().filter(survivor=survivor).exists()
    assert not Pairing.objects.not_ended().filter(survivor=survivor).exists()
    _assert_told(pairing, survivor_kind="pairing.ended")


def test_ending_without_saying_what_happens_next_is_refused(coordinator_client, pairing):
    response = _end(coordinator_client, pairing, then=None)
    assert response.status_code == 400
    pairing.refresh_from_db()
    assert pairing.state == PairingState.ACTIVE


def test_ending_with_a_reason_not_offered_is_refused(coordinator_client, coordinator, pairing):
    response = _end(coordinator_client, pairing, reason=EndReason.COMPLETED)
    assert response.status_code == 400
    pairing.refresh_from_db()
    assert pairing.state == PairingState.ACTIVE
    with pytest.raises(ReassignError, match="reasons shown"):
        pairing_end_by_coordinator(
            pairing_id=pairing.pk,
            coordinator=coordinator,
            reason=EndReason.SURVIVOR_CHANGE,
            expected_version=version_token(pairing),
        )


def test_a_stale_end_form_is_refused_and_nothing_changes(coordinator_client, pairing):
    version = version_token(pairing)
    matching_services.pairing_set_paused(pairing_id=pairing.pk, actor=pairing.survivor, paused=True)
    response = _end(coordinator_client, pairing, version=version)
    assert response.status_code == 400
    assert "changed after the page was loaded" in response.content.decode()
    pairing.refresh_from_db()
    assert pairing.state == PairingState.PAUSED
    assert not SupportRequest.objects.filter(previous_pairing=pairing).exists()


def test_ending_from_a_concern_resolves_it(coordinator_client, pairing, survivor):
    concern = care_services.concern_raise(
        user=survivor, pairing=pairing, category="boundary", text="It felt wrong."
    )
    response = _end(coordinator_client, pairing, trigger_kind="concern", trigger_id=concern.pk)
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.RESOLVED


def test_only_coordinators_end_a_pairing_here(pairing, supporter):
    with pytest.raises(ReassignError):
        pairing_end_by_coordinator(
            pairing_id=pairing.pk,
            coordinator=supporter,
            reason=EndReason.COORDINATOR_ENDED,
            expected_version=version_token(pairing),
        )
    pairing.refresh_from_db()
    assert pairing.state == PairingState.ACTIVE


def _assert_told(old, *, survivor_kind):
    to_supporter = Notification.objects.filter(user=old.supporter, kind="pairing.ended").get()
    to_survivor = Notification.objects.filter(user=old.survivor, kind=survivor_kind).get()
    for note in (to_supporter, to_survivor):
        assert NOTE not in note.text
        assert "safety" not in note.text.lower() and "concern" not in note.text.lower()
    assert old.supporter.display_name not in to_survivor.text
    assert old.survivor.display_name not in to_supporter.text
