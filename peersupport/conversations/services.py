"""Every write in a conversation, each in a transaction.

Locks, in the one order (matching/locking.py): the survivor's user row, then the pairing; a
report goes on to the concern (care rows) through `concern_raise`; message rows last. Sending
locks the pairing so a message and a pause (or block, end, reassignment) never cross: one
waits for the other, and a message never lands in a conversation that has closed. It takes
the survivor's row first because the notice to an away person points at a user row, which
deleting the account holds.

What a person wrote goes into the message row only (encrypted): never into an audit row, a
notification, an email, a log line, a task or a channel-layer event (those carry ids).
Sending a message writes no audit row (it is the conversation itself, not a change to anyone's
support); removing and reporting one do.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ethics.care.models import RaiserSide
from ethics.care.services import concern_raise
from matching import locking
from matching.models import Block, Pairing, PairingState
from peersupport.people.events import AuditAction, NotificationKind
from peersupport.people.models import User
from peersupport.people.notifications import notify
from peersupport.people.services import audit_record

from . import live
from .models import Conversation, Message, MessageNotice, MessageReport, Presence


class ConversationClosed(ValidationError):
    """Not this person's conversation, or it is closed: pages answer 404, sockets close."""


class TooMany(ValidationError):
    """More messages in the last minute than CONVERSATION_RATE_PER_MINUTE."""


def closed_message() -> str:
    return _("This conversation is closed.")


def message_text_clean(text: str | None) -> str:
    """What will be stored: line ends made one kind, no NUL, trimmed, within the limit."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()
    if not text:
        raise ValidationError(_("Write a message first."), code="required")
    limit = settings.CONVERSATION_MAX_CHARS
    if len(text) > limit:
        raise ValidationError(
            _("A message can be up to %(limit)d characters long; this one has %(count)d.")
            % {"limit": limit, "count": len(text)},
            code="max_length",
        )
    return text


def _lock_open(user: User, pairing_id: int) -> Pairing:
    """The survivor's row and the pairing, locked, if `user` may use its conversation now."""
    pairing = locking.lock_pairing(pairing_id, gone=closed_message()).pairing
    blocked = Block.objects.filter(
        survivor_id=pairing.survivor_id, supporter_id=pairing.supporter_id
    )
    if (
        user.pk not in (pairing.survivor_id, pairing.supporter_id)
        or pairing.state != PairingState.ACTIVE
        or blocked.exists()
    ):
        raise ConversationClosed(closed_message())
    return pairing


def _check_rate(user: User) -> None:
    # Counted in the database (an index on author and time): exact across processes, and it
    # holds when Redis, where allauth's sign-in limits live, is away.
    since = timezone.now() - timedelta(minutes=1)
    recent = Message.objects.filter(author=user, created_at__gte=since).count()
    if recent >= settings.CONVERSATION_RATE_PER_MINUTE:
        raise TooMany(
            _("That is a lot of messages in a minute. Wait a moment, then send it again."),
            code="rate",
        )


def _is_here(pairing: Pairing, user_id: int) -> bool:
    since = timezone.now() - timedelta(seconds=settings.CONVERSATION_PRESENCE_SECONDS)
    return Presence.objects.filter(pairing=pairing, user_id=user_id, seen_at__gte=since).exists()


def _claim_notice(user_id: int) -> bool:
    """True if `user_id` may be told now (and it is noted): once per CONVERSATION_NOTICE_HOURS."""
    now = timezone.now()
    cutoff = now - timedelta(hours=settings.CONVERSATION_NOTICE_HOURS)
    if MessageNotice.objects.filter(user_id=user_id, sent_at__lt=cutoff).update(sent_at=now):
        return True
    _notice, created = MessageNotice.objects.get_or_create(
        user_id=user_id, defaults={"sent_at": now}
    )
    return created


def _tell_if_away(pairing: Pairing, recipient_id: int) -> None:
    """Someone who does not have the conversation open hears there is something new: in the
    app and, if they chose emails, a discreet email (no name, no words), at most once per
    CONVERSATION_NOTICE_HOURS whatever the number of messages."""
    if _is_here(pairing, recipient_id) or not _claim_notice(recipient_id):
        return
    notify(
        user=User.objects.get(pk=recipient_id),
        kind=NotificationKind.CONVERSATION_NEW,
        text=_("There is something new for you in your conversation."),
        link=reverse("conversations:conversation", args=[pairing.pk]),
    )


def message_send(*, user: User, pairing_id: int, text: str, announce: bool = True) -> Message:
    """`announce=False`: the caller tells the open pages itself once this returns (committed);
    the websocket consumer does, from its event loop, rather than hold a thread meanwhile."""
    text = message_text_clean(text)
    with transaction.atomic():
        pairing = _lock_open(user, pairing_id)
        _check_rate(user)
        conversation, _created = Conversation.objects.get_or_create(pairing=pairing)
        message = Message.objects.create(conversation=conversation, author=user, text=text)
        recipient_id = (
            pairing.supporter_id if user.pk == pairing.survivor_id else pairing.survivor_id
        )
        _tell_if_away(pairing, recipient_id)
        if announce:
            live.message_added(pairing.pk, message.pk)
    return message


def _own_message(pairing: Pairing, user: User, message_id: int) -> Message:
    message = (
        Message.objects.select_for_update()
        .filter(pk=message_id, conversation_id=pairing.pk, author=user, removed_at__isnull=True)
        .first()
    )
    if message is None:
        raise ValidationError(_("You can only remove a message you sent."))
    return message


@transaction.atomic
def message_remove(*, user: User, pairing_id: int, message_id: int) -> Message:
    """A person takes back their own message: the words are wiped, "Message removed" stays."""
    pairing = _lock_open(user, pairing_id)
    message = _own_message(pairing, user, message_id)
    message.text = ""
    message.removed_at = timezone.now()
    message.save(update_fields=["text", "removed_at"])
    audit_record(actor=user, action=AuditAction.MESSAGE_REMOVED, target=message, pairing=pairing.pk)
    live.message_removed(pairing.pk, message.pk)
    return message


def reportable_message(*, user: User, pairing: Pairing, message_id: int) -> Message:
    """A message the other person sent, still there, in this conversation."""
    message = (
        Message.objects.filter(pk=message_id, conversation_id=pairing.pk, removed_at__isnull=True)
        .exclude(author=user)
        .first()
    )
    if message is None:
        raise ValidationError(_("You can report a message the other person sent."))
    return message


@transaction.atomic
def message_report(
    *, user: User, pairing_id: int, message_id: int, category: str, text: str = ""
) -> MessageReport:
    """Either person reports a message the other sent: it becomes a concern for the
    coordinators (ethics.care), with the message's words attached as they were."""
    pairing = _lock_open(user, pairing_id)
    message = reportable_message(user=user, pairing=pairing, message_id=message_id)
    concern = concern_raise(
        user=user,
        pairing=pairing,
        category=category,
        text=text.strip() or _("A message in the conversation was reported."),
    )
    report = MessageReport.objects.create(
        concern=concern,
        message=message,
        text=message.text,
        author_side=(
            RaiserSide.SURVIVOR
            if message.author_id == pairing.survivor_id
            else RaiserSide.SUPPORTER
        ),
        sent_at=message.created_at,
    )
    audit_record(
        actor=user,
        action=AuditAction.MESSAGE_REPORTED,
        target=concern,
        pairing=pairing.pk,
        message=message.pk,
    )
    return report


# -- open pages (the websocket consumer) ------------------------------------------------------


def presence_join(*, channel_name: str, pairing_id: int, user_id: int) -> bool:
    """A page opened the conversation. False if the pairing went meanwhile."""
    try:
        Presence.objects.update_or_create(
            channel_name=channel_name,
            defaults={"pairing_id": pairing_id, "user_id": user_id, "seen_at": timezone.now()},
        )
    except IntegrityError:
        return False
    return True


def presence_touch(*, channel_name: str) -> None:
    Presence.objects.filter(channel_name=channel_name).update(seen_at=timezone.now())


def presence_leave(*, channel_name: str) -> None:
    Presence.objects.filter(channel_name=channel_name).delete()
