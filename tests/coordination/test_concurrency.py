"""Reassignments racing on PostgreSQL with real transactions and row locks."""

import pytest

from ethics.care.handover import pairing_reassign
from matching.models import EndReason, Pairing, PairingState
from matching.reassign import version_token
from tests.factories import CoordinatorFactory, PairingFactory, SupporterFactory
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
