"""The one lock order (docs/architecture.md, matching/locking.py) on PostgreSQL with real
transactions: deletion against reassignment, a safety flag, an acceptance and a coordinator
answering a concern; blocking against reassignment; a supporter pausing against accepting.

Each race runs ROUNDS times on fresh rows. For every round: no thread crashes or deadlocks
(race() fails the test on anything but a refusal), exactly one consistent outcome, and the
database invariants hold afterwards.
"""

import time
from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from ethics.care.handover import pairing_reassign
from ethics.care.models import ChangeKind, ChangeRequest, Concern, SafetyFlag
from ethics.care.services import (
    concern_raise,
    concern_update,
    safety_flag_raise,
    supporter_block,
)
from matching import eligibility
from matching.models import Block, EndReason, Pairing, PairingState, RequestStatus, SupportRequest
from matching.reassign import version_token
from matching.services import offer_accept
from matching.supporters import supporter_set_paused
from peersupport.mydata.services import survivor_erase
from peersupport.people.models import Notification, SupporterStatus, User
from tests.factories import (
    CoordinatorFactory,
    PairingFactory,
    SupporterFactory,
    SupportRequestFactory,
)
from tests.helpers import acknowledge_current, race

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 20
CHANGED = "changed after the page was loaded"
GONE = "no longer there"


@pytest.fixture(autouse=True)
def _seed(seed_data):
    pass


def _supporter(capacity=2):
    supporter = SupporterFactory()
    supporter.supporter_profile.capacity = capacity
    supporter.supporter_profile.save()
    acknowledge_current(supporter)
    return supporter


def _race(round_, functions):
    """race(), with one side held back a little (0 to 9 ms), a different side each round, so
    both orders of arrival are tried, not only whichever happens to start first."""
    late = round_ % len(functions)
    delay = (round_ // len(functions)) % 4 * 0.003

    def held_back(fn):
        def run():
            time.sleep(delay)
            return fn()

        return run

    return race([held_back(fn) if i == late else fn for i, fn in enumerate(functions)])


def _live_pairing():
    pairing = PairingFactory()
    acknowledge_current(pairing.survivor, pairing.supporter)
    return pairing


def _reassign(pairing, candidate, coordinator):
    version = version_token(pairing)
    return lambda: pairing_reassign(
        pairing_id=pairing.pk,
        coordinator=coordinator,
        reason=EndReason.COORDINATOR_ENDED,
        supporter_id=candidate.pk,
        expected_version=version,
    )


def _assert_survivor_invariants():
    """Whatever happened: no pairing or request without its survivor, at most one pairing
    not ended and one live request per survivor, nobody over their places."""
    survivors = User.objects.values_list("pk", flat=True)
    assert not Pairing.objects.exclude(survivor_id__in=survivors).exists()
    assert not SupportRequest.objects.exclude(survivor_id__in=survivors).exists()
    assert not Pairing.objects.exclude(request__survivor_id=F("survivor_id")).exists()
    for survivor_id in Pairing.objects.values_list("survivor_id", flat=True).distinct():
        assert Pairing.objects.not_ended().filter(survivor_id=survivor_id).count() <= 1
        assert SupportRequest.objects.live().filter(survivor_id=survivor_id).count() <= 1
    for supporter in User.objects.filter(supporter_profile__isnull=False).select_related(
        "supporter_profile"
    ):
        assert eligibility.places_held(supporter.pk) <= supporter.supporter_profile.capacity


def test_deleting_an_account_while_a_coordinator_reassigns_never_deadlocks(postgres):
    coordinator = CoordinatorFactory()
    seen = set()
    for round_ in range(ROUNDS):
        pairing = _live_pairing()
        survivor, old_supporter = pairing.survivor, pairing.supporter
        candidate = _supporter()
        erase_outcome, reassign_outcome = _race(
            round_,
            [lambda s=survivor: survivor_erase(user=s), _reassign(pairing, candidate, coordinator)],
        )
        # Deleting never waits for a reassignment's outcome: there is no open flag.
        assert erase_outcome == "ok", erase_outcome
        assert not User.objects.filter(pk=survivor.pk).exists()
        assert not Pairing.objects.filter(survivor_id=survivor.pk).exists()
        assert not SupportRequest.objects.filter(survivor_id=survivor.pk).exists()
        assert eligibility.places_held(candidate.pk) == 0
        if reassign_outcome == "ok":
            # Reassigned first; then the deletion took the new offer with it and told the
            # supporter it was offered to that a pairing has ended.
            seen.add("reassigned, then deleted")
            assert Notification.objects.filter(user=candidate, kind="pairing.ended").exists()
        else:
            seen.add("deleted, reassignment refused")
            assert GONE in reassign_outcome or CHANGED in reassign_outcome, reassign_outcome
            assert not Notification.objects.filter(user=candidate).exists()
        assert Notification.objects.filter(user=old_supporter, kind="pairing.ended").count() == 1
        _assert_survivor_invariants()
    print(f"delete vs reassign, {ROUNDS} rounds: {sorted(seen)}")


def test_deleting_an_account_while_their_supporter_raises_a_flag_never_loses_either(postgres):
    coordinator = CoordinatorFactory()
    seen = set()
    for round_ in range(ROUNDS):
        pairing = _live_pairing()
        survivor, supporter = pairing.survivor, pairing.supporter
        erase_outcome, flag_outcome = _race(
            round_,
            [
                lambda s=survivor: survivor_erase(user=s),
                lambda p=pairing, s=supporter: safety_flag_raise(
                    supporter=s, pairing=p, category="child", text="details"
                ),
            ],
        )
        if erase_outcome == "ok":
            # Deleted first: the flag was refused in words, not lost in an error.
            seen.add("deleted, flag refused")
            assert "only flag something about a person you support" in flag_outcome
            assert not User.objects.filter(pk=survivor.pk).exists()
            assert not SafetyFlag.objects.filter(raised_by=supporter).exists()
        else:
            # The flag went first: it is kept, and deleting waits for a coordinator.
            seen.add("flagged, deletion waits")
            assert flag_outcome == "ok", flag_outcome
            assert "can't delete your account straight away" in erase_outcome
            assert User.objects.filter(pk=survivor.pk).exists()
            flag = SafetyFlag.objects.get(pairing=pairing)
            assert Notification.objects.filter(
                user=coordinator, kind="account.erase_waiting", link__endswith=f"/{flag.pk}/"
            ).exists()
        _assert_survivor_invariants()
    print(f"delete vs flag, {ROUNDS} rounds: {sorted(seen)}")


def test_blocking_a_supporter_while_a_coordinator_reassigns_gives_one_clear_outcome(postgres):
    coordinator = CoordinatorFactory()
    seen = set()
    for round_ in range(ROUNDS):
        pairing = _live_pairing()
        survivor, old_supporter = pairing.survivor, pairing.supporter
        candidate = _supporter()
        block_outcome, reassign_outcome = _race(
            round_,
            [
                lambda s=survivor, p=pairing: supporter_block(survivor=s, pairing_id=p.pk),
                _reassign(pairing, candidate, coordinator),
            ],
        )
        # Blocking holds whichever went first: the supporter is never offered them again.
        assert block_outcome == "ok", block_outcome
        assert Block.objects.filter(survivor=survivor, supporter=old_supporter).count() == 1
        pairing.refresh_from_db()
        blocked_change = ChangeRequest.objects.filter(pairing=pairing, kind=ChangeKind.BLOCKED)
        if reassign_outcome == "ok":
            # Reassigned first: the pairing had ended, so nothing was paused or left open.
            seen.add("reassigned, then blocked")
            assert pairing.state == PairingState.ENDED
            assert not blocked_change.exists()
            new = Pairing.objects.get(previous=pairing)
            assert (new.supporter_id, new.state) == (candidate.pk, PairingState.OFFERED)
        else:
            # Blocked first: the pairing paused under the coordinator's page, who is told so.
            seen.add("blocked, reassignment refused")
            assert CHANGED in reassign_outcome, reassign_outcome
            assert pairing.state == PairingState.PAUSED
            assert blocked_change.filter(status="open").count() == 1
            assert not Pairing.objects.filter(previous=pairing).exists()
            assert eligibility.places_held(candidate.pk) == 0
        _assert_survivor_invariants()
    print(f"block vs reassign, {ROUNDS} rounds: {sorted(seen)}")


def _offer(supporter):
    return PairingFactory(
        request=SupportRequestFactory(),
        supporter=supporter,
        state=PairingState.OFFERED,
        activated_at=None,
        offer_expires_at=timezone.now() + timedelta(days=1),
    )


def test_pausing_while_accepting_offers_never_takes_someone_new_after_the_pause(postgres):
    seen = set()
    refusals = {
        "This offer is no longer open.",
        "You are paused: resume before accepting someone new.",
        "Accepting would take you over the number you can support.",
    }
    for round_ in range(ROUNDS):
        supporter = _supporter(capacity=1)
        profile = supporter.supporter_profile
        offers = [_offer(supporter), _offer(supporter)]
        *accepts, pause = _race(
            round_,
            [
                *(
                    (lambda pk=o.pk, s=supporter: offer_accept(pairing_id=pk, supporter=s))
                    for o in offers
                ),
                lambda p=profile, s=supporter: supporter_set_paused(
                    profile_id=p.pk, actor=s, paused=True
                ),
            ],
        )
        assert pause == "ok", pause
        profile.refresh_from_db()
        assert profile.status == SupporterStatus.PAUSED
        assert accepts.count("ok") <= 1, accepts
        assert all(o in refusals for o in accepts if o != "ok"), accepts
        seen.add(f"{accepts.count('ok')} accepted, then paused")
        for offer, outcome in zip(offers, accepts, strict=True):
            offer.refresh_from_db()
            offer.request.refresh_from_db()
            if outcome == "ok":
                assert offer.state in (PairingState.AWAITING_AGREEMENT, PairingState.ACTIVE)
                assert offer.request.status == RequestStatus.MATCHED
            else:
                # Taken back by the pause (or by the other acceptance filling the place):
                # the request is back in the queue.
                assert (offer.state, offer.end_reason) == (PairingState.ENDED, "withdrawn")
                assert offer.request.status == RequestStatus.OPEN
        assert not Pairing.objects.filter(supporter=supporter).open_offers().exists()
        assert eligibility.places_held(supporter.pk) == accepts.count("ok")
        _assert_survivor_invariants()
    print(f"pause vs accept, {ROUNDS} rounds: {sorted(seen)}")


def test_deleting_an_account_while_the_supporter_accepts_their_offer_never_deadlocks(postgres):
    seen = set()
    for round_ in range(ROUNDS):
        supporter = _supporter()
        offer = _offer(supporter)
        survivor = offer.survivor
        erase_outcome, accept_outcome = _race(
            round_,
            [
                lambda s=survivor: survivor_erase(user=s),
                lambda pk=offer.pk, s=supporter: offer_accept(pairing_id=pk, supporter=s),
            ],
        )
        assert erase_outcome == "ok", erase_outcome
        assert not Pairing.objects.filter(pk=offer.pk).exists()
        assert eligibility.places_held(supporter.pk) == 0
        if accept_outcome == "ok":
            seen.add("accepted, then deleted")
            assert Notification.objects.filter(user=supporter, kind="pairing.ended").exists()
        else:
            seen.add("deleted, acceptance refused")
            assert accept_outcome == "This offer is no longer open.", accept_outcome
        _assert_survivor_invariants()
    print(f"delete vs accept, {ROUNDS} rounds: {sorted(seen)}")


def test_deleting_an_account_while_a_coordinator_answers_their_concern_never_deadlocks(
    postgres,
):
    coordinator = CoordinatorFactory()
    seen = set()
    for round_ in range(ROUNDS):
        pairing = _live_pairing()
        survivor = pairing.survivor
        concern = concern_raise(user=survivor, pairing=pairing, category="other", text="Hm.")
        erase_outcome, answer_outcome = _race(
            round_,
            [
                lambda s=survivor: survivor_erase(user=s),
                lambda c=concern: concern_update(
                    concern_id=c.pk, coordinator=coordinator, status="resolved", response="Ok."
                ),
            ],
        )
        assert erase_outcome == "ok", erase_outcome
        # The concern outlives the account (a safeguarding record), naming no one who left.
        assert Concern.objects.filter(pk=concern.pk, pairing=None, raised_by=None).exists()
        if answer_outcome == "ok":
            seen.add("answered")
        else:
            seen.add("deleted, answer refused")
            assert GONE in answer_outcome, answer_outcome
        _assert_survivor_invariants()
    print(f"delete vs concern answer, {ROUNDS} rounds: {sorted(seen)}")
