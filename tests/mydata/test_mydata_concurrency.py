"""On PostgreSQL with real transactions: a survivor deleting their account while their
supporter raises a safety flag, and the retention sweep clearing a pairing while a concern is
raised about it. One of them wins cleanly; neither ends in an error or loses what was raised."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ethics.care.models import Concern, ConcernStatus, SafetyFlag
from ethics.care.services import concern_raise, safety_flag_raise
from matching.models import Pairing
from peersupport.mydata import retention
from peersupport.mydata.services import survivor_erase
from peersupport.people.events import AuditAction
from peersupport.people.models import AuditEvent, User
from sessions.models import SessionMode, SessionStatus, SupportSession
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


@pytest.mark.parametrize("attempt", range(3))
def test_the_retention_sweep_and_a_new_concern_at_once_never_lose_the_concern(postgres, attempt):
    """The sweep clears a long-ended pairing's records under the pairing's lock while its
    survivor raises a concern about it: the concern is kept whichever goes first, and if it
    came first the records it may be about are kept with it."""
    pairing = PairingFactory(activated_at=timezone.now() - timedelta(days=800))
    Pairing.objects.filter(pk=pairing.pk).update(
        state="ended", end_reason="completed", ended_at=timezone.now() - timedelta(days=700)
    )
    session = SupportSession.objects.create(
        pairing=pairing,
        logged_by=pairing.supporter,
        starts_at=timezone.now() - timedelta(days=710),
        mode=SessionMode.VIDEO,
        status=SessionStatus.HELD,
    )
    swept, raised = race(
        [
            lambda: retention.ended_pairings(),
            lambda: concern_raise(
                user=pairing.survivor, pairing=pairing, category="judged", text="words z7"
            ),
        ]
    )
    assert (swept, raised) == ("ok", "ok")
    concern = Concern.objects.get(pairing=pairing, status=ConcernStatus.OPEN)
    cleared = AuditEvent.objects.filter(action=AuditAction.RETENTION_PAIRING_CLEARED)
    if SupportSession.objects.filter(pk=session.pk).exists():
        assert not cleared.exists()  # held by the concern that came first
    else:
        # Cleared first: the concern came after, and the sweep deleted nothing of it.
        assert cleared.get().created_at <= concern.created_at
