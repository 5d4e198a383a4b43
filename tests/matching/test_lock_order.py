"""A matching run follows the one lock order too (survivors, then their requests, then the
proposals): a survivor deleting their account during a run never deadlocks it."""

import pytest

from matching.models import Pairing, RequestStatus
from matching.runner import matching_run
from peersupport.mydata.services import survivor_erase
from tests.coordination.test_lock_order import ROUNDS, _assert_survivor_invariants, _race
from tests.factories import SupportRequestFactory
from tests.helpers import acknowledge_current

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _seed(seed_data):
    pass


def test_deleting_an_account_during_a_matching_run_never_deadlocks(postgres, supporter):
    acknowledge_current(supporter)
    for round_ in range(ROUNDS):
        Pairing.objects.all().delete()
        request = SupportRequestFactory(status=RequestStatus.OPEN)
        others = [SupportRequestFactory(status=RequestStatus.OPEN) for _ in range(2)]
        acknowledge_current(request.survivor, *(o.survivor for o in others))
        erase_outcome, run_outcome = _race(
            round_,
            [
                lambda s=request.survivor: survivor_erase(user=s),
                lambda: matching_run(actor=None, offer=False),
            ],
        )
        assert (erase_outcome, run_outcome) == ("ok", "ok")
        assert not Pairing.objects.filter(survivor_id=request.survivor_id).exists()
        _assert_survivor_invariants()
