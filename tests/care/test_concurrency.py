"""Races on PostgreSQL with real transactions: the same acknowledgement sent twice at once,
two volunteers picking up the same debrief at once."""

import pytest

from ethics.agreements import selectors as agreements_selectors
from ethics.agreements import services as agreements_services
from ethics.agreements.models import Acknowledgement
from ethics.care import services as care_services
from ethics.care.models import DebriefRequest
from tests.factories import SupporterFactory, SurvivorFactory
from tests.helpers import race

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _seed(seed_data):
    pass


def test_the_same_acknowledgement_sent_at_once_is_stored_once(postgres):
    survivor = SurvivorFactory()
    version = agreements_selectors.current_versions().get(document__slug="ethics")
    outcomes = race(
        [
            lambda: agreements_services.agreement_acknowledge(user=survivor, version_id=version.pk)
            for _ in range(4)
        ]
    )
    assert sorted(o == "ok" for o in outcomes) == [False, False, False, True]
    assert Acknowledgement.objects.filter(user=survivor, version=version).count() == 1


def test_two_volunteers_picking_up_one_debrief_at_once_cannot_both_have_it(postgres):
    asker = SupporterFactory()
    volunteers = [SupporterFactory() for _ in range(3)]
    for volunteer in volunteers:
        care_services.debrief_volunteer_set(user=volunteer, volunteer=True)
    debrief = care_services.debrief_request(supporter=asker, text="After a long week.")
    outcomes = race(
        [
            (lambda v=v: care_services.debrief_pick_up(debrief_id=debrief.pk, user=v))
            for v in volunteers
        ]
    )
    assert sorted(o == "ok" for o in outcomes) == [False, False, True]
    debrief = DebriefRequest.objects.get()
    assert debrief.picked_up_by in volunteers
