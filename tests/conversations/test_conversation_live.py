"""A conversation over its websocket, through the real ASGI application and channel layer
(Redis when REDIS_URL is set, else in memory), with real transactions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ethics.care.handover import pairing_reassign
from ethics.care.models import Concern
from ethics.care.services import supporter_block
from matching.models import EndReason, Pairing
from matching.reassign import version_token
from matching.services import pairing_end, pairing_set_paused
from peersupport.conversations import live as live_events
from peersupport.conversations.models import Message, Presence
from peersupport.conversations.services import message_report
from tests.factories import CoordinatorFactory, PairingFactory, SupporterFactory, SurvivorFactory
from tests.helpers import acknowledge_current

from .live import assert_closed, next_of_type, opened, refused, session_key

pytestmark = pytest.mark.django_db(transaction=True)
db = database_sync_to_async


@pytest.fixture(autouse=True)
def _seed(seed_data):
    pass


@pytest.fixture
def pair():
    pairing = PairingFactory(activated_at=timezone.now() - timedelta(days=2))
    return pairing, session_key(pairing.survivor), session_key(pairing.supporter)


def test_a_conversation_message_reaches_the_other_person_and_is_stored_encrypted(pair):
    pairing, survivor_key, supporter_key = pair

    async def scenario():
        survivor = await opened(survivor_key, pairing.pk)
        supporter = await opened(supporter_key, pairing.pk)
        await survivor.send_json_to(
            {"type": "send", "text": "Hello <b>there</b> https://x.example"}
        )
        sent = await next_of_type(survivor, "sent")
        got = await next_of_type(supporter, "message")
        assert got["id"] == sent["id"]
        assert "Hello &lt;b&gt;there&lt;/b&gt; https://x.example" in got["html"]
        assert '<a href="https://x.example' not in got["html"]  # links stay text
        assert "Report" in got["html"] and "Remove" not in got["html"]
        mine = await next_of_type(survivor, "message")
        assert "Remove" in mine["html"]
        await survivor.disconnect()
        await supporter.disconnect()

    async_to_sync(scenario)()
    message = Message.objects.get()
    assert message.author == pairing.survivor
    from django.db import connection  # the raw column, not the decrypting field

    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM conversations_message")
        (raw,) = cursor.fetchone()
    assert "Hello" not in raw
    assert Presence.objects.count() == 0  # both pages closed


def test_a_conversation_socket_is_refused_to_anyone_else(pair):
    pairing, _survivor_key, _supporter_key = pair
    others = [
        session_key(SurvivorFactory()),
        session_key(SupporterFactory()),
        session_key(CoordinatorFactory()),
        None,  # not signed in
    ]
    other_pairing = PairingFactory()

    async def scenario():
        for key in others:
            assert await refused(key, pairing.pk)
        # One of the pair, from another site's page, or at another pairing's address.
        assert await refused(session_key_of_survivor, pairing.pk, origin="https://evil.example")
        assert await refused(session_key_of_survivor, other_pairing.pk)
        assert await refused(session_key_of_survivor, 999999)

    session_key_of_survivor = _survivor_key
    async_to_sync(scenario)()


@pytest.mark.parametrize("state", ["paused", "ended"])
def test_a_conversation_socket_is_refused_once_the_pairing_is_not_active(state):
    pairing = PairingFactory(
        state=state, end_reason="completed" if state == "ended" else "", ended_at=None
    )
    key = session_key(pairing.survivor)
    assert async_to_sync(refused)(key, pairing.pk)


def _pause(pairing):
    pairing_set_paused(pairing_id=pairing.pk, actor=pairing.supporter, paused=True)


def _block(pairing):
    supporter_block(survivor=pairing.survivor, pairing_id=pairing.pk)


def _end(pairing):
    pairing_end(pairing_id=pairing.pk, actor=pairing.survivor, reason=EndReason.COMPLETED)


def _reassign(pairing):
    new_supporter = SupporterFactory()
    acknowledge_current(pairing.survivor, pairing.supporter, new_supporter)
    pairing_reassign(
        pairing_id=pairing.pk,
        coordinator=CoordinatorFactory(),
        reason=EndReason.COORDINATOR_ENDED,
        supporter_id=new_supporter.pk,
        expected_version=version_token(Pairing.objects.get(pk=pairing.pk)),
    )


@pytest.mark.parametrize("change", [_pause, _block, _end, _reassign], ids=lambda f: f.__name__)
def test_a_conversation_closes_at_once_for_both_when_the_pairing_leaves_active(pair, change):
    pairing, survivor_key, supporter_key = pair

    async def scenario():
        survivor = await opened(survivor_key, pairing.pk)
        supporter = await opened(supporter_key, pairing.pk)
        await db(change)(pairing)
        await assert_closed(survivor, live_events.CLOSED)
        await assert_closed(supporter, live_events.CLOSED)
        assert await refused(survivor_key, pairing.pk)
        assert await refused(supporter_key, pairing.pk)

    async_to_sync(scenario)()
    for key in (survivor_key, supporter_key):
        client = Client()
        client.cookies["sid"] = key
        assert (
            client.get(reverse("conversations:conversation", args=[pairing.pk])).status_code == 404
        )


def test_a_conversation_socket_that_missed_the_close_event_is_closed_at_its_next_message(pair):
    """The channel layer may be away when the pairing changes: the socket checks again."""
    pairing, survivor_key, _supporter_key = pair

    async def scenario():
        survivor = await opened(survivor_key, pairing.pk)
        await db(Pairing.objects.filter(pk=pairing.pk).update)(state="paused")  # no event
        await survivor.send_json_to({"type": "send", "text": "still there?"})
        await assert_closed(survivor, live_events.CLOSED)

    async_to_sync(scenario)()
    assert not Message.objects.exists()


def test_the_quick_exit_ends_the_conversation_socket(pair):
    pairing, survivor_key, _supporter_key = pair

    async def scenario():
        survivor = await opened(survivor_key, pairing.pk)
        client = Client()
        client.cookies["sid"] = survivor_key
        response = await db(client.get)(reverse("quick_exit"))
        assert response.status_code == 302
        assert not await db(Session.objects.filter(session_key=survivor_key).exists)()
        await survivor.send_json_to({"type": "send", "text": "after the exit"})
        await assert_closed(survivor, live_events.SIGNED_OUT)

    async_to_sync(scenario)()
    assert not Message.objects.exists()


def test_removing_a_conversation_message_wipes_it_for_both(pair):
    pairing, survivor_key, supporter_key = pair

    async def scenario():
        survivor = await opened(survivor_key, pairing.pk)
        supporter = await opened(supporter_key, pairing.pk)
        await supporter.send_json_to({"type": "send", "text": "take this back"})
        sent = await next_of_type(supporter, "sent")
        await next_of_type(survivor, "message")
        # Only the author can remove it.
        await survivor.send_json_to({"type": "remove", "id": sent["id"]})
        assert (await next_of_type(survivor, "error"))["message"]
        await supporter.send_json_to({"type": "remove", "id": sent["id"]})
        removed = await next_of_type(survivor, "removed")
        assert "Message removed" in removed["html"] and "take this back" not in removed["html"]

    async_to_sync(scenario)()
    message = Message.objects.get()
    assert message.removed_at is not None and message.text == ""


def test_conversation_limits_on_length_and_rate_hold_over_the_socket(pair, settings):
    settings.CONVERSATION_RATE_PER_MINUTE = 3
    pairing, survivor_key, _supporter_key = pair

    async def scenario():
        survivor = await opened(survivor_key, pairing.pk)
        await survivor.send_json_to(
            {"type": "send", "text": "x" * (settings.CONVERSATION_MAX_CHARS + 1)}
        )
        assert "characters" in (await next_of_type(survivor, "error"))["message"]
        await survivor.send_json_to({"type": "send", "text": "   "})
        assert (await next_of_type(survivor, "error"))["message"]
        for number in range(3):
            await survivor.send_json_to({"type": "send", "text": f"message {number}"})
            await next_of_type(survivor, "sent")
        await survivor.send_json_to({"type": "send", "text": "one too many"})
        assert "minute" in (await next_of_type(survivor, "error"))["message"]
        await survivor.send_to(bytes_data=b"an attachment")  # ignored, the socket stays
        await survivor.send_to(text_data="not json")
        await survivor.send_json_to({"type": "ping"})
        assert await survivor.receive_nothing(timeout=0.3)
        await survivor.disconnect()

    async_to_sync(scenario)()
    assert Message.objects.count() == 3


def test_a_reported_conversation_message_becomes_a_concern_and_the_conversation_goes_on(pair):
    pairing, survivor_key, supporter_key = pair

    async def scenario():
        survivor = await opened(survivor_key, pairing.pk)
        supporter = await opened(supporter_key, pairing.pk)
        await supporter.send_json_to({"type": "send", "text": "something unkind"})
        sent = await next_of_type(supporter, "sent")
        await next_of_type(survivor, "message")
        await db(message_report)(
            user=pairing.survivor, pairing_id=pairing.pk, message_id=sent["id"], category="judged"
        )
        assert await survivor.receive_nothing(timeout=0.3)  # still open
        await survivor.disconnect()
        await supporter.disconnect()

    async_to_sync(scenario)()
    concern = Concern.objects.get()
    assert concern.raised_by == pairing.survivor and concern.pairing == pairing
    assert concern.reported_message.text == "something unkind"
