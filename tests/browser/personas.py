"""The demo data with every state a person can be in, for the accessibility walk.

seed_demo makes four accounts and nothing between them; the walk needs each kind of page to
exist, so this adds people in the other states (just signed up, waiting, offered, matched; a
supporter with an offer, one with a caseload and its care records; a volunteer who applied)
and returns who to sign in as.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from ethics.agreements.selectors import outstanding_agreements
from ethics.agreements.services import agreement_acknowledge
from ethics.care.models import ChangeKind, ChangeRequest, Concern, DebriefRequest, SafetyFlag
from peersupport.demo.management.commands.seed_demo import DEMO_PASSWORD
from peersupport.people.models import SupporterStatus, User
from sessions.models import CheckIn, SessionMode, SessionStatus, SupportSession
from tests.factories import (
    PASSWORD,
    PairingFactory,
    SupporterFactory,
    SupportRequestFactory,
    SurvivorFactory,
)

ANONYMOUS = "anonymous"


def demo_personas() -> dict[str, tuple[str, str] | None]:
    """Build the states on top of seed_demo; persona name -> (email, password) or None."""
    now = timezone.now()
    sam = User.objects.get(email="survivor@example.org")
    alex = User.objects.get(email="supporter1@example.org")
    jordan = User.objects.get(email="supporter2@example.org")

    # Sam is matched with Alex: a session held, one planned, a check-in due, care records.
    pairing = PairingFactory(
        request=SupportRequestFactory(survivor=sam, status="matched"),
        supporter=alex,
        activated_at=now - timedelta(days=20),
    )
    for starts, status in [(-7, SessionStatus.HELD), (2, SessionStatus.SCHEDULED)]:
        SupportSession.objects.create(
            pairing=pairing,
            logged_by=alex,
            starts_at=now + timedelta(days=starts),
            duration_minutes=60,
            mode=SessionMode.VIDEO,
            status=status,
            private_notes="Talked about the week.",
        )
    CheckIn.objects.create(pairing=pairing, due_at=now - timedelta(hours=1))
    Concern.objects.create(pairing=pairing, raised_by=alex, category="boundary", text="A note.")
    SafetyFlag.objects.create(pairing=pairing, raised_by=alex, category="self", text="A note.")
    DebriefRequest.objects.create(requested_by=alex, text="After a hard session.")
    ChangeRequest.objects.create(
        pairing=pairing, kind=ChangeKind.HANDOVER, requested_by=alex, reason="Moving away."
    )

    # Ash has just signed up (the agreements first); Noor has read them and may ask; River
    # waits for a match; Robin has been offered Jordan.
    SurvivorFactory(display_name="Ash", email="ash@example.org")
    noor = SurvivorFactory(display_name="Noor", email="noor@example.org")
    for version in outstanding_agreements(noor):
        agreement_acknowledge(user=noor, version_id=version.pk)
    river = SurvivorFactory(display_name="River", email="river@example.org")
    SupportRequestFactory(survivor=river)
    robin = SurvivorFactory(display_name="Robin", email="robin@example.org")
    PairingFactory(
        request=SupportRequestFactory(survivor=robin, status="open"),
        supporter=jordan,
        state="offered",
        activated_at=None,
        offered_at=now,
        offer_expires_at=now + timedelta(days=2),
    )
    SupporterFactory(
        display_name="Kai", email="applicant@example.org", profile__status=SupporterStatus.APPLIED
    )
    return {
        ANONYMOUS: None,
        "survivor, just signed up": ("ash@example.org", PASSWORD),
        "survivor, ready to ask": ("noor@example.org", PASSWORD),
        "survivor, waiting": ("river@example.org", PASSWORD),
        "survivor, offered": ("robin@example.org", PASSWORD),
        "survivor, matched": ("survivor@example.org", DEMO_PASSWORD),
        "supporter, with a caseload": ("supporter1@example.org", DEMO_PASSWORD),
        "supporter, with an offer": ("supporter2@example.org", DEMO_PASSWORD),
        "volunteer, applied": ("applicant@example.org", PASSWORD),
        "coordinator": ("coordinator@example.org", DEMO_PASSWORD),
    }
