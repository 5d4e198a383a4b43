"""Telling the open pages of a conversation: one channel-layer group per conversation.

Events carry ids only, never what someone wrote: each open page reads the message from the
database (encrypted at rest) and renders it on its own person's clock. A channel layer that
is away (Redis down) costs the live update, never the write: the message is stored and the
page shows it on its next load, and a page that missed a "closed" event is closed at its next
ping (the consumer checks access again on everything it receives).
"""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

# Close codes the page understands (conversation.js): closed for good, do not reconnect.
CLOSED = 4000  # the conversation closed (pause, block, end, reassignment, account deleted)
SIGNED_OUT = 4001  # the session ended (sign-out, quick exit, idle timeout)


def group_name(pairing_id: int) -> str:
    return f"conversation.{pairing_id}"


def publish(pairing_id: int, event: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group_name(pairing_id), event)
    except Exception as error:  # noqa: BLE001 - a live update is a nicety; the write stands
        logger.warning("conversations: live update not sent (%s)", type(error).__name__)


def publish_after_commit(pairing_id: int, event: dict) -> None:
    """After the transaction commits (nothing is announced for a write that rolled back)."""
    transaction.on_commit(lambda: publish(pairing_id, event))


def message_event(message_id: int) -> dict:
    return {"type": "conversation.message", "id": message_id}


def message_added(pairing_id: int, message_id: int) -> None:
    publish_after_commit(pairing_id, message_event(message_id))


def message_removed(pairing_id: int, message_id: int) -> None:
    publish_after_commit(pairing_id, {"type": "conversation.removed", "id": message_id})


def conversation_closed(pairing_id: int) -> None:
    publish_after_commit(pairing_id, {"type": "conversation.closed"})
