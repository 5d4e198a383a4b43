"""On PostgreSQL with real transactions: a survivor deleting their account while their
supporter raises a safety flag. One of them wins cleanly; neither ends in an error."""

import pytest

from ethics.care.models import SafetyFlag
from ethics.care.services import safety_flag_raise
from peersupport.mydata.services import survivor_erase
from peersupport.people.models import User
from tests.factories import PairingFactory
from tests.helpers import race

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _seed(seed_data):
    pass


@pytest.mark.parametrize("attempt", range(3))
def test_deleting_and_a_safety_flag_at_once_never_lose_the_flag_silently(postgres, attempt):
    pairing = PairingFactory()
    survivor, supporter = pairing.survivor, pairing.supporter
    erase_outcome, flag_outcome = race(
        [
            lambda: survivor_erase(user=survivor),
            lambda: safety_flag_raise(
                supporter=supporter, pairing=pairing, category="child", text="details"
            ),
        ]
    )
    if erase_outcome == "ok":
        # The account went first: the flag was refused with a message, not lost in an error.
        assert flag_outcome != "ok"
        assert not User.objects.filter(pk=survivor.pk).exists()
        assert not SafetyFlag.objects.exists()
    else:
        # The flag went first: it is kept, and deleting waits for it.
        assert flag_outcome == "ok"
        assert User.objects.filter(pk=survivor.pk).exists()
        assert SafetyFlag.objects.filter(pairing=pairing).count() == 1
