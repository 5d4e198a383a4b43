"""Sessions follow the one lock order too (the survivor, then the pairing, then sessions rows):
a supporter planning a session, or a survivor answering a check-in, while the survivor deletes
their account never deadlocks; one of them wins cleanly."""

from datetime import timedelta

import pytest
from django.utils import timezone

from peersupport.mydata.services import survivor_erase
from sessions import services
from sessions.models import CheckIn, SupportSession
from tests.coordination.test_lock_order import ROUNDS, _assert_survivor_invariants, _race
from tests.factories import PairingFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _seed(seed_data):
    pass


def _pairing():
    return PairingFactory(activated_at=timezone.now() - timedelta(days=3))


def test_deleting_an_account_while_the_supporter_plans_a_session_never_deadlocks(postgres):
    seen = set()
    for round_ in range(ROUNDS):
        pairing = _pairing()
        survivor, supporter = pairing.survivor, pairing.supporter
        erase_outcome, plan_outcome = _race(
            round_,
            [
                lambda s=survivor: survivor_erase(user=s),
                lambda p=pairing, s=supporter: services.session_log(
                    supporter=s,
                    pairing_id=p.pk,
                    starts_at=timezone.now() + timedelta(days=2),
                    duration_minutes=60,
                    mode="chat",
                    status="scheduled",
                ),
            ],
        )
        assert erase_outcome == "ok", erase_outcome
        assert not SupportSession.objects.filter(pairing_id=pairing.pk).exists()
        seen.add("planned, then deleted" if plan_outcome == "ok" else "deleted, plan refused")
        if plan_outcome != "ok":
            assert "no longer there" in plan_outcome, plan_outcome
        _assert_survivor_invariants()
    print(f"delete vs planning a session, {ROUNDS} rounds: {sorted(seen)}")


def test_deleting_an_account_while_answering_a_check_in_never_deadlocks(postgres):
    for round_ in range(ROUNDS):
        pairing = _pairing()
        checkin = CheckIn.objects.create(pairing=pairing, due_at=timezone.now())
        survivor = pairing.survivor
        erase_outcome, answer_outcome = _race(
            round_,
            [
                lambda s=survivor: survivor_erase(user=s),
                lambda c=checkin, s=survivor: services.checkin_answer(
                    survivor=s, checkin_id=c.pk, mood=3, wants_session="no"
                ),
            ],
        )
        assert erase_outcome == "ok", erase_outcome
        assert answer_outcome == "ok" or "no longer there" in answer_outcome, answer_outcome
        assert not CheckIn.objects.filter(pk=checkin.pk).exists()
