"""Races on PostgreSQL with real transactions: the same acknowledgement sent twice at once,
two volunteers picking up the same debrief at once."""

import importlib
import threading

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection

from ethics import selectors, services
from ethics.models import Acknowledgement, DebriefRequest
from tests.factories import SupporterFactory, SurvivorFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def agreements(postgres):
    """Transactional tests empty the tables after each test, data migrations' rows too: put
    the agreements back the way the data migration loads them (it is idempotent)."""
    migration = importlib.import_module("ethics.migrations.0002_load_agreements")
    migration.load(apps, None)


def _race(functions) -> list[str]:
    barrier = threading.Barrier(len(functions))
    outcomes = []

    def run(fn):
        try:
            barrier.wait()
            fn()
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(fn,)) for fn in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_the_same_acknowledgement_sent_at_once_is_stored_once(postgres):
    survivor = SurvivorFactory()
    version = selectors.current_versions().get(document__slug="ethics")
    outcomes = _race(
        [
            lambda: services.agreement_acknowledge(user=survivor, version_id=version.pk)
            for _ in range(4)
        ]
    )
    assert sorted(outcomes) == ["ok", "refused", "refused", "refused"]
    assert Acknowledgement.objects.filter(user=survivor, version=version).count() == 1


def test_two_volunteers_picking_up_one_debrief_at_once_cannot_both_have_it(postgres):
    asker = SupporterFactory()
    volunteers = [SupporterFactory() for _ in range(3)]
    for volunteer in volunteers:
        services.debrief_volunteer_set(user=volunteer, volunteer=True)
    debrief = services.debrief_request(supporter=asker, text="After a long week.")
    outcomes = _race(
        [(lambda v=v: services.debrief_pick_up(debrief_id=debrief.pk, user=v)) for v in volunteers]
    )
    assert sorted(outcomes) == ["ok", "refused", "refused"]
    debrief = DebriefRequest.objects.get()
    assert debrief.picked_up_by in volunteers
