"""The live side of a conversation: one websocket per open page, /ws/conversations/<id>/.

A socket is accepted only for one of the pairing's two people while the conversation is open
(access.py), and everything it receives is checked again against the database: the session
must still be there and still this person's (sign-out, the quick exit's flush or the idle
timeout end it), and the pairing still open. Otherwise the socket is closed. Sending a message
goes through services.message_send like the plain form; events from the group carry ids only,
and each page renders the message itself, on its own person's clock.

Sending costs one trip to a database thread (the session checked, the message written, the
sender's copy rendered), then the group hears of it from the event loop; each other page
makes one more trip (its copy). On PostgreSQL those trips
run in the pool's threads, so one page's queries need not wait behind every other page's.
"""

from __future__ import annotations

import json
import logging
import time
import zoneinfo
from importlib import import_module

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.core.exceptions import ValidationError
from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare

from matching import locking
from peersupport.people.models import User
from peersupport.platform.middleware import REFRESHED_KEY, idle_seconds_left

from . import access, live, selectors, services
from .models import Message

SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
logger = logging.getLogger(__name__)


def in_thread(function):
    """Database work off the event loop. Channels' default runs every consumer's in one thread,
    one after the other; on PostgreSQL the pool's threads (each its own connection) overlap
    them, and the services' row locks order writers as they do across gunicorn workers.
    SQLite takes one writer at a time: there it stays in the one thread."""
    return database_sync_to_async(function, thread_sensitive=connection.vendor == "sqlite")


class ConversationConsumer(AsyncJsonWebsocketConsumer):
    user: User | None = None
    pairing_id: int = 0
    group: str = ""
    # Messages this page sent and already has (rendered with the "sent" answer): their group
    # event is not rendered again for it.
    placed: set[int]

    # -- opening and closing ------------------------------------------------------------------

    async def connect(self) -> None:
        self.pairing_id = int(self.scope["url_route"]["kwargs"]["pk"])
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close()
            return
        self.user = user
        self.placed = set()
        # Join before checking: a "closed" sent between the check and the join is not missed.
        self.group = live.group_name(self.pairing_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        if await in_thread(self._refusal)() is not None or not (
            await in_thread(services.presence_join)(
                channel_name=self.channel_name, pairing_id=self.pairing_id, user_id=user.pk
            )
        ):
            await self.channel_layer.group_discard(self.group, self.channel_name)
            self.user = None
            await self.close()  # before accept: the handshake is refused
            return
        await self.accept()

    async def disconnect(self, code) -> None:
        if self.user is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            await in_thread(services.presence_leave)(channel_name=self.channel_name)
            self.user = None

    async def _end(self, code: int) -> None:
        await self.send_json(
            {"type": "closed", "reason": "signed_out" if code == live.SIGNED_OUT else "closed"}
        )
        await self.disconnect(code)
        await self.close(code=code)

    # -- what the page sends -----------------------------------------------------------------------

    @classmethod
    async def decode_json(cls, text_data):
        try:
            content = json.loads(text_data)
        except ValueError:
            return {}
        return content if isinstance(content, dict) else {}

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        if text_data is None:
            return  # no attachments, no binary frames: ignored
        await super().receive(text_data=text_data, **kwargs)

    async def receive_json(self, content, **kwargs) -> None:
        if self.user is None:
            return
        kind = content.get("type")
        if kind == "send":
            await self._send_message(content)  # checks as below, in the same trip
            return
        refusal = await in_thread(self._refusal)()
        if refusal is not None:
            await self._end(refusal)
            return
        if kind == "ping":
            await in_thread(services.presence_touch)(channel_name=self.channel_name)
        elif kind == "remove":
            await self._remove_message(content)

    async def _send_message(self, content: dict) -> None:
        text = content.get("text")
        answers = await in_thread(self._send)(text if isinstance(text, str) else "")
        if isinstance(answers, int):
            await self._end(answers)
            return
        for answer in answers:
            await self.send_json(answer)
        if answers[0]["type"] == "sent":
            # Stored and committed: now the other pages (as live.message_added would have).
            try:
                await self.channel_layer.group_send(
                    self.group, live.message_event(answers[0]["id"])
                )
            except Exception as error:  # noqa: BLE001 - a live update is a nicety
                logger.warning("conversations: live update not sent (%s)", type(error).__name__)

    async def _remove_message(self, content: dict) -> None:
        message_id = content.get("id")
        if not isinstance(message_id, int):
            return
        try:
            await in_thread(services.message_remove)(
                user=self.user, pairing_id=self.pairing_id, message_id=message_id
            )
        except services.ConversationClosed:
            await self._end(live.CLOSED)
        except ValidationError as error:
            await self.send_json({"type": "error", "message": error.messages[0]})

    # -- what the group sends -------------------------------------------------------------------

    async def conversation_message(self, event: dict) -> None:
        if event["id"] in self.placed:
            self.placed.discard(event["id"])  # this page sent it and has it
            return
        html = await in_thread(self._render)(event["id"])
        if html is not None:
            await self.send_json({"type": "message", "id": event["id"], "html": html})

    async def conversation_removed(self, event: dict) -> None:
        html = await in_thread(self._render)(event["id"])
        if html is not None:
            await self.send_json({"type": "removed", "id": event["id"], "html": html})

    async def conversation_closed(self, event: dict) -> None:
        if self.user is not None:
            await self._end(live.CLOSED)

    # -- database work (in a thread) ------------------------------------------------------------

    def _session(self):
        key = self.scope["session"].session_key
        if not key:
            return None
        store = SessionStore(session_key=key)
        # Read once (load() alone would not keep what it read, and every get() read again);
        # an ended or expired session reads as empty.
        return store if store.get(SESSION_KEY) else None

    def _refusal(self) -> int | None:
        """None while this page may go on; else the close code. The session must still exist
        and belong to this person (a password change ends it too), and the pairing be open."""
        refusal = self._signed_out(self._session())
        if refusal is None and not access.may_talk(self.user.pk, self.pairing_id):
            return live.CLOSED
        return refusal

    def _signed_out(self, store) -> int | None:
        """SIGNED_OUT unless `store` is a live session of this (active) person."""
        user = User.objects.filter(pk=self.user.pk, is_active=True).first()
        if (
            store is None
            or user is None
            or store.get(SESSION_KEY) != str(user.pk)
            or not constant_time_compare(
                store.get(HASH_SESSION_KEY, ""), user.get_session_auth_hash()
            )
        ):
            return live.SIGNED_OUT
        self.user = user
        return None

    def _send(self, text: str) -> list[dict] | int:
        """A message from this page: the answers for it, or the close code. The session is
        checked as for everything a page sends; the service checks the pairing again under its
        lock (ConversationClosed), so a message never lands in a closed conversation."""
        store = self._session()
        refusal = self._signed_out(store)
        if refusal is not None:
            return refusal
        try:
            message = services.message_send(
                user=self.user, pairing_id=self.pairing_id, text=text, announce=False
            )
        except services.ConversationClosed:
            return live.CLOSED
        except locking.RowGone:
            return live.CLOSED  # the pairing went (an account deleted)
        except ValidationError as error:
            return [{"type": "error", "message": error.messages[0]}]
        message.author = self.user
        self.placed.add(message.pk)
        return [
            {"type": "sent", "id": message.pk, "seconds_left": self._keep_session(store)},
            {"type": "message", "id": message.pk, "html": self._render_message(message)},
        ]

    def _keep_session(self, store) -> int:
        """Writing counts as being active: the idle timeout moves on (at most once a minute, as
        pages do). The seconds left go to the page, whose idle warning plans from them."""
        now = int(time.time())
        if now - store.get(REFRESHED_KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
            store[REFRESHED_KEY] = now
            try:
                store.save()
            except Exception:  # noqa: BLE001 - ended meanwhile (quick exit): nothing to keep
                return 0
        return idle_seconds_left(store)

    def _render(self, message_id: int) -> str | None:
        message = selectors.message_in(self.pairing_id, message_id)
        if message is None or self.user is None:
            return None
        return self._render_message(message)

    def _render_message(self, message: Message) -> str:
        try:
            zone = zoneinfo.ZoneInfo(self.user.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = None
        with timezone.override(zone), translation.override(settings.LANGUAGE_CODE):
            return render_to_string(
                "conversations/_message.html",
                {"message": message, "viewer": self.user, "pairing_id": self.pairing_id},
            )
