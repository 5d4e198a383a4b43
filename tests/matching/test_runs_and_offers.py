"""The batch run against a moving world (withdrawals, edits and other runs while it solves),
offers that moved on, the agreements gate for supporters, exclusions across a survivor's
requests, what each side reads about an ended pairing, and who is told of each step."""

import threading
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from matching import engine, instance, runner, services
from matching.models import (
    EndReason,
    Pairing,
    PairingState,
    PairingTransition,
    RequestStatus,
    SupportRequest,
)
from peersupport.people.models import Notification
from tests.factories import (
    PairingFactory,
    SupporterFactory,
    SupportRequestFactory,
    SurvivorFactory,
)
from tests.helpers import acknowledge_current

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreed_survivor(survivor):
    acknowledge_current(survivor)
    return survivor


@pytest.fixture
def agreed_supporter(supporter):
    acknowledge_current(supporter)
    return supporter


def _offer(supporter, survivor=None, **kwargs):
    now = timezone.now()
    return PairingFactory(
        request=SupportRequestFactory(survivor=survivor or SurvivorFactory()),
        supporter=supporter,
        state="offered",
        activated_at=None,
        offered_at=now,
        offer_expires_at=now + timedelta(days=1),
        **kwargs,
    )


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# -- 1. the agreements gate for supporters -----------------------------------------------------


def test_a_supporter_with_agreements_to_acknowledge_sees_the_gate_not_the_offer(client, supporter):
    pairing = _offer(supporter)
    client.force_login(supporter)
    response = client.get(reverse("matching:offer", args=[pairing.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Before you answer this offer" in body
    assert reverse("matching:offer_accept", args=[pairing.pk]) not in body
    acknowledge_current(supporter)
    body = client.get(reverse("matching:offer", args=[pairing.pk])).content.decode()
    assert reverse("matching:offer_accept", args=[pairing.pk]) in body


def test_accepting_with_agreements_to_acknowledge_is_refused_and_changes_nothing(client, supporter):
    pairing = _offer(supporter)
    with pytest.raises(services.ValidationError, match="acknowledge the current agreements"):
        services.offer_accept(pairing_id=pairing.pk, supporter=supporter)
    client.force_login(supporter)
    response = client.post(reverse("matching:offer_accept", args=[pairing.pk]))
    assert response.status_code == 302
    assert any("acknowledge the current agreements" in m for m in _messages(response))
    pairing.refresh_from_db()
    pairing.request.refresh_from_db()
    assert pairing.state == PairingState.OFFERED
    assert pairing.request.status == RequestStatus.OPEN
    assert not PairingTransition.objects.filter(pairing=pairing).exists()


# -- 2. runs against a moving world --------------------------------------------------------------


def _during_the_solve(monkeypatch, action):
    """Run `action` after the run has loaded its snapshot, while it solves."""
    solve = engine.assign_optimal

    def solve_then_act(*args, **kwargs):
        assignment = solve(*args, **kwargs)
        action()
        return assignment

    monkeypatch.setattr(runner.engine, "assign_optimal", solve_then_act)


@pytest.mark.parametrize("offer", [False, True])
def test_a_run_writes_nothing_for_a_request_withdrawn_during_the_solve(
    monkeypatch, agreed_survivor, agreed_supporter, offer
):
    request = SupportRequestFactory(survivor=agreed_survivor)
    kept = SupportRequestFactory()
    _during_the_solve(
        monkeypatch,
        lambda: services.request_withdraw(request_id=request.pk, survivor=agreed_survivor),
    )
    result = runner.matching_run(actor=None, offer=offer)
    assert result.assigned == 2 and result.dropped == 1
    assert not Pairing.objects.filter(request=request).exists()
    assert Pairing.objects.filter(request=kept).count() == 1
    request.refresh_from_db()
    assert request.status == RequestStatus.WITHDRAWN


def test_a_run_writes_nothing_for_a_request_changed_or_paired_during_the_solve(
    monkeypatch, agreed_supporter
):
    edited, paired = SupportRequestFactory(), SupportRequestFactory()

    def meanwhile():
        edited.time_zone = "Asia/Tokyo"
        edited.save()  # as request_update does (the wishes it was solved on changed)
        # As if an overlapping run (or a coordinator) had proposed for this survivor first.
        services.pairing_propose(request=paired, supporter=SupporterFactory(), actor=None)

    _during_the_solve(monkeypatch, meanwhile)
    result = runner.matching_run(actor=None)  # no IntegrityError: nothing clashing is written
    assert result.proposals == []
    assert not Pairing.objects.filter(request=edited).exists()
    assert Pairing.objects.filter(request=paired).count() == 1


def test_a_second_run_while_one_is_under_way_does_nothing(agreed_survivor, agreed_supporter):
    SupportRequestFactory(survivor=agreed_survivor)
    held, release, outcome = threading.Event(), threading.Event(), {}

    def other_run():
        from django.db import connection

        try:
            with runner.run_lock() as got:
                outcome["held"] = got
                held.set()
                release.wait(30)
        finally:
            held.set()
            connection.close()

    thread = threading.Thread(target=other_run)
    thread.start()
    try:
        assert held.wait(30)
        result = runner.matching_run(actor=None)
    finally:
        release.set()
        thread.join(30)
    assert outcome["held"] is True
    assert result.busy and result.proposals == []
    assert not Pairing.objects.exists()
    assert runner.matching_run(actor=None).assigned == 1  # free again afterwards


def test_accepting_an_offer_whose_request_was_withdrawn_is_refused_and_changes_nothing(
    agreed_supporter,
):
    pairing = _offer(agreed_supporter)
    SupportRequest.objects.filter(pk=pairing.request_id).update(status=RequestStatus.WITHDRAWN)
    with pytest.raises(services.ValidationError, match="no longer open"):
        services.offer_accept(pairing_id=pairing.pk, supporter=agreed_supporter)
    pairing.refresh_from_db()
    pairing.request.refresh_from_db()
    assert pairing.state == PairingState.OFFERED
    assert pairing.request.status == RequestStatus.WITHDRAWN
    assert not PairingTransition.objects.filter(pairing=pairing).exists()


def test_offering_a_proposal_whose_request_was_withdrawn_ends_it(agreed_supporter):
    request = SupportRequestFactory()
    proposal = services.pairing_propose(request=request, supporter=agreed_supporter, actor=None)
    SupportRequest.objects.filter(pk=request.pk).update(status=RequestStatus.WITHDRAWN)
    pairing = services.pairing_offer(pairing_id=proposal.pk, actor=None)
    assert (pairing.state, pairing.end_reason) == (
        PairingState.ENDED,
        EndReason.REQUEST_WITHDRAWN,
    )
    assert not Notification.objects.filter(kind="offer.new").exists()


# -- 3. the explanation sums to the stored score (see also test_lifecycle) -----------------------


def test_a_proposal_made_by_hand_stores_its_explanation(agreed_supporter):
    request = SupportRequestFactory()
    pairing = services.pairing_propose(request=request, supporter=agreed_supporter, actor=None)
    assert pairing.explanation
    assert sum(row["points_int"] for row in pairing.explanation) == pairing.score > 0


# -- 4. a decline holds for the survivor's later requests ----------------------------------------


def test_a_supporter_who_declined_a_survivor_is_not_proposed_after_a_reassignment(
    agreed_survivor, agreed_supporter
):
    old = SupportRequestFactory(survivor=agreed_survivor, status=RequestStatus.CLOSED)
    PairingFactory(
        request=old, supporter=agreed_supporter, state="ended", end_reason=EndReason.DECLINED
    )
    new = SupportRequestFactory(survivor=agreed_survivor)
    assert runner.matching_run(actor=None).assigned == 0
    assert not Pairing.objects.filter(request=new).exists()


def test_an_offer_that_expired_on_an_earlier_request_does_not_exclude(
    agreed_survivor, agreed_supporter
):
    old = SupportRequestFactory(survivor=agreed_survivor, status=RequestStatus.CLOSED)
    PairingFactory(
        request=old, supporter=agreed_supporter, state="ended", end_reason=EndReason.EXPIRED
    )
    new = SupportRequestFactory(survivor=agreed_survivor)
    runner.matching_run(actor=None)
    assert Pairing.objects.get(request=new).supporter == agreed_supporter


def test_exclusions_are_read_only_for_survivors_with_open_requests(agreed_supporter):
    waiting = SupportRequestFactory()
    PairingFactory(
        request=SupportRequestFactory(survivor=waiting.survivor, status=RequestStatus.CLOSED),
        supporter=agreed_supporter,
        state="ended",
        end_reason=EndReason.COMPLETED,
    )
    for _ in range(3):  # other survivors' history, long over
        PairingFactory(
            request=SupportRequestFactory(status=RequestStatus.CLOSED),
            supporter=SupporterFactory(),
            state="ended",
            end_reason=EndReason.DECLINED,
        )
    excluded = instance.load_instance().requests.excluded
    assert excluded.tolist() == [[waiting.pk, agreed_supporter.pk]]


# -- 5. who is told ------------------------------------------------------------------------------


def test_an_expired_offer_is_told_to_the_supporter_and_coordinators(
    django_capture_on_commit_callbacks, coordinator, agreed_supporter
):
    pairing = _offer(agreed_supporter)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.offers_expire(now=pairing.offer_expires_at + timedelta(seconds=1)) == 1
    assert Notification.objects.filter(user=agreed_supporter, kind="offer.expired").count() == 1
    assert Notification.objects.filter(user=coordinator, kind="offer.expired").count() == 1
    assert not Notification.objects.filter(user=pairing.survivor).exists()
    assert mail.outbox == []  # in-app only


def test_a_sweep_that_closes_several_offers_tells_each_coordinator_once(coordinator):
    offers = [_offer(SupporterFactory()) for _ in range(3)]
    later = max(o.offer_expires_at for o in offers) + timedelta(seconds=1)
    assert services.offers_expire(now=later) == 3
    notices = Notification.objects.filter(user=coordinator, kind="offer.expired")
    assert [n.text for n in notices] == ["3 offers expired; the requests are back in the queue."]


def test_pausing_and_ending_tell_the_other_side_discreetly_after_commit(
    django_capture_on_commit_callbacks, coordinator, survivor
):
    pairing = PairingFactory(request=SupportRequestFactory(survivor=survivor, status="matched"))
    supporter = pairing.supporter
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.pairing_set_paused(pairing_id=pairing.pk, actor=survivor, paused=True)
    assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [[supporter.email]]
    assert Notification.objects.get(user=supporter).kind == "pairing.paused"
    assert not Notification.objects.filter(user=survivor).exists()  # not the one who acted

    with django_capture_on_commit_callbacks(execute=True):
        services.pairing_end(pairing_id=pairing.pk, actor=survivor, reason=EndReason.COMPLETED)
    ended = Notification.objects.get(user=supporter, kind="pairing.ended")
    assert "completed" not in ended.text.lower()
    assert Notification.objects.filter(user=coordinator, kind="pairing.ended").count() == 1
    assert len(mail.outbox) == 2
    assert all(survivor.display_name not in m.body for m in mail.outbox)


def test_proposals_waiting_for_review_are_told_to_coordinators(
    django_capture_on_commit_callbacks, settings, coordinator, agreed_survivor, agreed_supporter
):
    settings.MATCHING_AUTO_OFFER = False
    SupportRequestFactory(survivor=agreed_survivor)
    with django_capture_on_commit_callbacks(execute=True):
        runner.matching_run(actor=None)
    assert Notification.objects.filter(user=coordinator, kind="matching.review").count() == 1
    assert [m.to for m in mail.outbox] == [[coordinator.email]]
    with django_capture_on_commit_callbacks(execute=True):
        runner.matching_run(actor=None)  # nothing new: nobody is told again
    assert Notification.objects.filter(kind="matching.review").count() == 1


# -- 6. an offer that moved on -------------------------------------------------------------------


@pytest.mark.parametrize("method,name", [("get", "offer"), ("post", "offer_accept")])
def test_an_offer_that_moved_on_sends_its_supporter_home_with_a_message(
    client, agreed_supporter, method, name
):
    pairing = _offer(agreed_supporter)
    services.offers_withdraw_for(supporter=agreed_supporter, actor=None)
    client.force_login(agreed_supporter)
    response = getattr(client, method)(reverse(f"matching:{name}", args=[pairing.pk]))
    assert response.status_code == 302 and response.url == reverse("home")
    assert "This offer is no longer open." in _messages(response)
    pairing.refresh_from_db()
    assert pairing.end_reason == EndReason.WITHDRAWN


def test_an_offer_that_moved_on_is_still_404_for_other_supporters(client, agreed_supporter):
    pairing = _offer(SupporterFactory())
    services.offers_withdraw_for(supporter=pairing.supporter, actor=None)
    client.force_login(agreed_supporter)
    assert client.get(reverse("matching:offer", args=[pairing.pk])).status_code == 404
    assert client.post(reverse("matching:offer_decline", args=[pairing.pk])).status_code == 404


# -- 7. what the parties read about an ended pairing ---------------------------------------------


def test_the_survivor_never_reads_why_a_pairing_ended(client, coordinator, survivor):
    handed_over = PairingFactory(
        request=SupportRequestFactory(survivor=survivor, status=RequestStatus.CLOSED),
        state="ended",
        end_reason=EndReason.SUPPORTER_HANDOVER,
    )
    declined = PairingFactory(
        request=SupportRequestFactory(survivor=survivor, status=RequestStatus.CLOSED),
        state="ended",
        end_reason=EndReason.DECLINED,
        activated_at=None,
    )
    client.force_login(survivor)
    for pairing in (handed_over, declined):
        body = client.get(reverse("matching:pairing", args=[pairing.pk])).content.decode()
        assert "This pairing has ended." in body
        assert "handed over" not in body and "declined" not in body
    client.force_login(coordinator)
    body = client.get(reverse("team:pairing", args=[handed_over.pk])).content.decode()
    assert "The supporter handed over" in body


def test_the_supporter_never_reads_why_a_pairing_ended(client, survivor):
    pairing = PairingFactory(request=SupportRequestFactory(survivor=survivor, status="matched"))
    client.force_login(pairing.supporter)
    services.pairing_end(pairing_id=pairing.pk, actor=survivor, reason=EndReason.SURVIVOR_CHANGE)
    response = client.get(reverse("matching:pairing", args=[pairing.pk]))
    assert response.status_code == 404
    assert "different supporter" not in response.content.decode()
    note = Notification.objects.get(user=pairing.supporter, kind="pairing.ended")
    assert "different" not in note.text and "change" not in note.text
