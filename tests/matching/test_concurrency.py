"""Capacity holds when many acceptances race, on PostgreSQL with real transactions."""

import pytest

from matching import eligibility, services
from matching.models import Pairing, PairingState
from tests.factories import OfferFactory, SupporterFactory
from tests.helpers import acknowledge_current, race

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _seed(seed_data):
    pass


def test_capacity_is_never_exceeded_when_offers_are_accepted_at_once(postgres):
    supporter = SupporterFactory()
    supporter.supporter_profile.capacity = 2
    supporter.supporter_profile.save()
    acknowledge_current(supporter)
    offers = [OfferFactory(supporter=supporter) for _ in range(6)]
    outcomes = race(
        [
            (lambda pk=o.pk: services.offer_accept(pairing_id=pk, supporter=supporter))
            for o in offers
        ]
    )
    assert len(outcomes) == 6
    assert outcomes.count("ok") == 2
    taken = Pairing.objects.filter(supporter=supporter).exclude(
        state__in=(PairingState.OFFERED, PairingState.ENDED)
    )
    assert taken.count() == 2


def test_many_supporters_accepting_at_once_each_stay_within_capacity(postgres):
    supporters = [SupporterFactory() for _ in range(3)]
    calls = []
    for supporter in supporters:
        supporter.supporter_profile.capacity = 1
        supporter.supporter_profile.save()
        acknowledge_current(supporter)
        for _ in range(3):
            offer = OfferFactory(supporter=supporter)
            calls.append(
                lambda pk=offer.pk, s=supporter: services.offer_accept(pairing_id=pk, supporter=s)
            )
    outcomes = race(calls)
    assert outcomes.count("ok") == 3
    for supporter in supporters:
        assert eligibility.places_held(supporter.pk) == 1
