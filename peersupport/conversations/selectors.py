"""Reads for conversations, each a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from matching.models import Pairing
from peersupport.people.models import User
from sessions.models import SessionMode, SessionStatus, SupportSession

from .models import Message

PAGE_SIZE = 100


def messages_page(pairing_id: int, *, before: int | None = None) -> tuple[list[Message], bool]:
    """The latest PAGE_SIZE messages (before message id `before`, if given), oldest first, and
    whether there are earlier ones."""
    queryset = Message.objects.filter(conversation_id=pairing_id).select_related("author")
    if before is not None:
        queryset = queryset.filter(pk__lt=before)
    newest_first = list(queryset.order_by("-created_at", "-id")[: PAGE_SIZE + 1])
    return list(reversed(newest_first[:PAGE_SIZE])), len(newest_first) > PAGE_SIZE


def all_messages(pairing_id: int) -> list[Message]:
    return list(
        Message.objects.filter(conversation_id=pairing_id)
        .select_related("author")
        .order_by("created_at", "id")
    )


def message_in(pairing_id: int, message_id: int) -> Message | None:
    return (
        Message.objects.filter(pk=message_id, conversation_id=pairing_id)
        .select_related("author")
        .first()
    )


def chat_sessions(pairing: Pairing) -> list[SupportSession]:
    """Planned chat sessions from yesterday on: the conversation is where they happen."""
    since = timezone.now() - timedelta(days=1)
    return list(
        SupportSession.objects.without_notes()
        .filter(
            pairing=pairing,
            mode=SessionMode.CHAT,
            status=SessionStatus.SCHEDULED,
            starts_at__gte=since,
        )
        .order_by("starts_at", "id")[:5]
    )


def survivor_export(user: User) -> list[dict[str, Any]]:
    """Every message in the survivor's conversations, for their own download: who sent it (you,
    or your supporter's name), when, and the words (none once removed)."""
    messages = (
        Message.objects.filter(conversation__pairing__survivor=user)
        .select_related("author")
        .order_by("conversation_id", "created_at", "id")
    )
    return [
        {
            "conversation": m.conversation_id,
            "from": "you" if m.author_id == user.pk else m.author.display_name,
            "when": m.created_at.isoformat(),
            "text": None if m.is_removed else m.text,
            "removed": m.removed_at.isoformat() if m.removed_at else None,
        }
        for m in messages
    ]
