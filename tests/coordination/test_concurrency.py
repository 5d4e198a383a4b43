"""Reassignments, and a suspension against an acceptance, racing on PostgreSQL with real
transactions and row locks."""

import pytest

from ethics.care.handover import pairing_reassign
from matching import services
from matching.models import EndReason, Pairing, PairingState
from matching.reassign import version_token
from matching.standing import supporter_suspend
from peersupport.people.models import SupporterStatus
from tests.factories import CoordinatorFactory, OfferFactory, PairingFactory, SupporterFactory
from tests.helpers import acknowledge_current, race

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _seed(seed_data):
    pass


def _supporter(capacity=2):
    supporter = SupporterFactory()
    supporter.supporter_profile.capacity = capacity
    supporter.supporter_profile.save()
    acknowledge_current(supporter)
    return supporter


def _reassign(pairing, supporter, coordinator, version):
    return lambda: pairing_reassign(
        pairing_id=pairing.pk,
        coordinator=coordinator,
        reason=EndReason.COORDINATOR_ENDED,
        supporter_id=supporter.pk,
        expected_version=version,
    )


def test_only_one_of_two_reassignments_of_the_same_pairing_wins(postgres):
    coordinators = [CoordinatorFactory(), CoordinatorFactory()]
    pairing = PairingFactory()
    acknowledge_current(pairing.survivor, pairing.supporter)
    version = version_token(pairing)
    candidates = [_supporter(), _supporter()]
    outcomes = race(
        [
            _reassign(pairing, candidate, coordinator, version)
            for candidate, coordinator in zip(candidates, coordinators, strict=True)
        ]
    )
    assert len(outcomes) == 2, outcomes
    assert outcomes.count("ok") == 1, outcomes
    refused = next(o for o in outcomes if o != "ok")
    assert "changed after the page was loaded" in refused
    assert Pairing.objects.filter(previous=pairing).count() == 1
    assert Pairing.objects.not_ended().filter(survivor=pairing.survivor).count() == 1


def test_a_supporters_last_place_goes_to_one_reassignment_only(postgres):
    coordinator = CoordinatorFactory()
    target = _supporter(capacity=1)
    pairings = [PairingFactory() for _ in range(4)]
    for pairing in pairings:
        acknowledge_current(pairing.survivor, pairing.supporter)
    outcomes = race(
        [_reassign(pairing, target, coordinator, version_token(pairing)) for pairing in pairings]
    )
    assert len(outcomes) == len(pairings), outcomes
    assert outcomes.count("ok") == 1, outcomes
    assert all("full" in o for o in outcomes if o != "ok")
    held = Pairing.objects.filter(supporter=target).exclude(state=PairingState.ENDED)
    assert held.count() == 1
    # The three refused pairings are untouched.
    assert Pairing.objects.filter(pk__in=[p.pk for p in pairings], state="active").count() == 3


def _accept_and_suspend_at_once():
    """A supporter with one pairing and one open offer: they accept while a coordinator
    suspends them. Returns the two outcomes, the supporter and the offer."""
    coordinator = CoordinatorFactory()
    supporter = _supporter(capacity=3)
    live = PairingFactory(supporter=supporter)  # someone they already support
    acknowledge_current(live.survivor)
    offer = OfferFactory(supporter=supporter)
    outcomes = race(
        [
            lambda: services.offer_accept(pairing_id=offer.pk, supporter=supporter),
            lambda: supporter_suspend(
                profile_id=supporter.supporter_profile.pk,
                coordinator=coordinator,
                reason="Checked by the race test.",
            ),
        ]
    )
    supporter.supporter_profile.refresh_from_db()
    offer.refresh_from_db()
    return outcomes, supporter, offer


def test_a_suspension_and_an_acceptance_at_once_never_leave_a_suspended_supporter_paired(
    postgres,
):
    """Whichever commits first, the other sees it: a suspended supporter holds no offer and no
    pairing that is not paused and held; an acceptance that won stays whole, and the
    suspension asks the coordinator to try again."""
    for _ in range(5):
        (accepted, suspended), supporter, offer = _accept_and_suspend_at_once()
        assert "ok" in (accepted, suspended), (accepted, suspended)
        mine = Pairing.objects.filter(supporter=supporter)
        if supporter.supporter_profile.status == SupporterStatus.SUSPENDED:
            assert suspended == "ok" and accepted != "ok", (accepted, suspended)
            # Nothing of theirs is open, waiting or running: paused and held, or ended.
            assert not mine.filter(state__in=("offered", "awaiting_agreement", "active"))
            for pairing in mine.filter(state="paused"):
                assert pairing.safeguarding_hold, pairing.pk
        else:
            assert accepted == "ok" and "try again" in suspended, (accepted, suspended)
            assert offer.state == PairingState.AWAITING_AGREEMENT
