"""Sample objects for the safety-frame walk (tests/platform) over the sessions routes.

The walk's supporter supports someone else here (the walk's survivor is kept waiting by the
matching samples), so every sessions page renders for the supporter at least.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from sessions.models import CheckIn, SessionMode, SessionStatus, SupportSession
from tests.factories import PairingFactory


def sessions_samples(*, survivor, supporter) -> dict[str, dict[str, int]]:
    now = timezone.now()
    pairing = PairingFactory(supporter=supporter)
    planned = SupportSession.objects.create(
        pairing=pairing,
        logged_by=supporter,
        starts_at=now + timedelta(days=2),
        duration_minutes=60,
        mode=SessionMode.VIDEO,
        status=SessionStatus.SCHEDULED,
        private_notes="sample",
    )
    checkin = CheckIn.objects.create(pairing=pairing, due_at=now - timedelta(hours=1))
    session = {"pk": planned.pk}
    return {
        "peer_sessions:session": session,
        "peer_sessions:session_edit": session,
        "peer_sessions:session_notes": session,
        "peer_sessions:session_change": session,
        "peer_sessions:session_cancel": session,
        "peer_sessions:pairing": {"pk": pairing.pk},
        "peer_sessions:schedule": {"pk": pairing.pk},
        "peer_sessions:checkin": {"pk": checkin.pk},
    }
