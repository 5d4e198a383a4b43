"""A demo pair who already talk (seed_demo --conversation): Riley, a fifth account, with Jordan,
in an active pairing with a few messages and a chat session planned for tomorrow."""

from __future__ import annotations

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.utils import timezone

from matching.models import Pairing, PairingState, RequestStatus, SupportRequest
from peersupport.conversations.models import Conversation, Message
from peersupport.people.models import Language, MeetingMode, Role, SurvivorProfile, User
from sessions.models import SessionMode, SessionStatus, SupportSession

EMAIL = "survivor2@example.org"
NAME = "Riley"
SUPPORTER_EMAIL = "supporter2@example.org"
LINES = [
    (0, "Hi Jordan. Is this a good time to write?"),
    (1, "Hi Riley, yes it is. How has your week been?"),
    (0, "Up and down. Thursday was hard, but I went for the walk we talked about."),
    (1, "That is a real step. Shall we talk it through in our chat session tomorrow?"),
]


def seed_conversation(*, password: str) -> User:
    """Idempotent: a second run finds the pairing and adds nothing."""
    survivor, created = User.objects.get_or_create(
        email=EMAIL, defaults={"display_name": NAME, "role": Role.SURVIVOR}
    )
    if created:
        survivor.set_password(password)
        survivor.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(
        user=survivor, email=EMAIL, defaults={"verified": True, "primary": True}
    )
    profile, made = SurvivorProfile.objects.get_or_create(user=survivor)
    if made:
        profile.languages.set(Language.objects.filter(slug="en"))
        profile.meeting_modes.set(MeetingMode.objects.filter(slug="chat"))
    if Pairing.objects.filter(survivor=survivor).exists():
        return survivor
    supporter = User.objects.get(email=SUPPORTER_EMAIL)
    now = timezone.now()
    request = SupportRequest.objects.create(
        survivor=survivor, status=RequestStatus.MATCHED, opened_at=now - timedelta(days=10)
    )
    request.languages.set(Language.objects.filter(slug="en"))
    request.meeting_modes.set(MeetingMode.objects.filter(slug="chat"))
    pairing = Pairing.objects.create(
        request=request,
        survivor=survivor,
        supporter=supporter,
        state=PairingState.ACTIVE,
        offered_at=now - timedelta(days=9),
        accepted_at=now - timedelta(days=8),
        activated_at=now - timedelta(days=8),
    )
    conversation = Conversation.objects.create(pairing=pairing)
    people = (survivor, supporter)
    for number, (who, text) in enumerate(LINES):
        Message.objects.create(
            conversation=conversation,
            author=people[who],
            text=text,
            created_at=now - timedelta(hours=20 - number),
        )
    SupportSession.objects.create(
        pairing=pairing,
        logged_by=supporter,
        starts_at=(now + timedelta(days=1)).replace(minute=0, second=0, microsecond=0),
        duration_minutes=45,
        mode=SessionMode.CHAT,
        status=SessionStatus.SCHEDULED,
    )
    return survivor
