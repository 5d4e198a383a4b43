"""The run writes through matching's services (services.pairings_propose_bulk): each proposal
with its first transition, one audit row for the run, in the same number of queries whatever
the number of proposals."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from matching import runner
from matching.models import Pairing, PairingState, PairingTransition
from peersupport.people.models import AuditEvent
from tests.factories import SupporterFactory, SupportRequestFactory
from tests.helpers import acknowledge_current

pytestmark = pytest.mark.django_db


def _run(n_requests: int, n_supporters: int) -> tuple[int, runner.RunResult]:
    for _ in range(n_supporters):
        acknowledge_current(SupporterFactory())
    for _ in range(n_requests):
        SupportRequestFactory()
    with CaptureQueriesContext(connection) as queries:
        result = runner.matching_run(actor=None, offer=False)
    return len(queries), result


def test_a_run_costs_the_same_queries_for_few_or_many_proposals():
    few, first = _run(3, 2)
    many, second = _run(40, 25)
    assert (len(first.proposals), len(second.proposals)) == (3, 40)
    assert many == few


def test_each_proposal_of_a_run_has_its_transition_and_the_run_its_audit_row():
    _queries, result = _run(4, 3)
    proposals = Pairing.objects.filter(pk__in=result.proposals)
    assert {p.state for p in proposals} == {PairingState.PROPOSED}
    assert all(sum(c["points_int"] for c in p.explanation) == p.score for p in proposals)
    transitions = PairingTransition.objects.filter(pairing__in=proposals)
    assert sorted(transitions.values_list("pairing_id", flat=True)) == sorted(result.proposals)
    assert {(t.from_state, t.to_state, t.reason, t.actor_id) for t in transitions} == {
        ("", PairingState.PROPOSED, "matcher", None)
    }
    audit = AuditEvent.objects.get(action="matching.run")
    assert audit.data == {"proposals": 4, "requests": 4, "dropped": 0}
