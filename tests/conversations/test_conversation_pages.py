"""The conversation without JavaScript (plain form and list), who reaches it, reports,
coordinators' audited reads, the discreet email, and the survivor's own data."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from ethics.care.models import Concern, SafetyFlag
from matching.models import Block
from peersupport.conversations.models import Message, MessageNotice, Presence
from peersupport.conversations.services import message_send
from peersupport.mydata.services import survivor_erase, survivor_export
from peersupport.people.events import AuditAction, NotificationKind
from peersupport.people.models import AuditEvent, Notification, OutgoingEmail
from tests.factories import CoordinatorFactory, PairingFactory, SupporterFactory, SurvivorFactory

pytestmark = pytest.mark.django_db

CANARY = "zq-canary-7781 my words"


def _url(pairing, name="conversation", **kwargs):
    return reverse(f"conversations:{name}", kwargs={"pk": pairing.pk, **kwargs})


def test_the_conversation_works_without_javascript(pairing, survivor_client, supporter_client):
    page = survivor_client.get(_url(pairing))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<title>Conversation" in html and "data-refresh" in html
    response = survivor_client.post(_url(pairing), {"text": "m-one-aa <script>x</script>"})
    assert response.status_code == 302 and response["Location"].endswith("#latest")
    survivor_client.post(_url(pairing), {"text": "m-two-bb https://example.org"})
    html = supporter_client.get(_url(pairing)).content.decode()
    assert html.index("m-one-aa") < html.index("m-two-bb")  # newest last
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>x" not in html
    assert 'href="https://example.org' not in html


def test_a_conversation_message_over_the_limit_is_refused_on_the_form(pairing, survivor_client):
    response = survivor_client.post(_url(pairing), {"text": "x" * 2001})
    assert response.status_code == 200
    assert "characters" in response.content.decode()
    assert not Message.objects.exists()


def test_every_conversation_address_is_404_for_anyone_else(pairing, client):
    message = message_send(user=pairing.supporter, pairing_id=pairing.pk, text="hello")
    outsiders = [SurvivorFactory(), SupporterFactory(), CoordinatorFactory()]
    addresses = [
        ("get", _url(pairing)),
        ("post", _url(pairing)),
        ("post", _url(pairing, "remove", message_pk=message.pk)),
        ("get", _url(pairing, "report", message_pk=message.pk)),
        ("post", _url(pairing, "report", message_pk=message.pk)),
    ]
    for person in outsiders:
        client.force_login(person)
        for method, url in addresses:
            assert getattr(client, method)(url, {"text": "x"}).status_code == 404, (person, url)
    client.logout()
    for method, url in addresses:
        assert getattr(client, method)(url).status_code in (302, 404)  # to sign in, or 404


@pytest.mark.parametrize("state", ["paused", "ended", "blocked"])
def test_the_conversation_is_404_for_both_once_closed(state, client):
    pairing = PairingFactory()
    if state == "blocked":
        Block.objects.create(survivor=pairing.survivor, supporter=pairing.supporter)
    else:
        pairing.state = state
        pairing.end_reason = "completed" if state == "ended" else ""
        pairing.save()
    for person in (pairing.survivor, pairing.supporter):
        client.force_login(person)
        assert client.get(_url(pairing)).status_code == 404
        assert client.post(_url(pairing), {"text": "x"}).status_code == 404


def test_reporting_a_conversation_message_makes_a_concern_coordinators_read_audited(
    pairing, survivor_client, coordinator_client
):
    message = message_send(user=pairing.supporter, pairing_id=pairing.pk, text=CANARY)
    own = message_send(user=pairing.survivor, pairing_id=pairing.pk, text="mine")
    assert survivor_client.get(_url(pairing, "report", message_pk=own.pk)).status_code == 404
    response = survivor_client.post(
        _url(pairing, "report", message_pk=message.pk), {"category": "boundary", "text": ""}
    )
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert concern.reported_message.text == CANARY
    page = coordinator_client.get(reverse("team:concern", args=[concern.pk])).content.decode()
    assert "read_report" not in page and CANARY not in page  # a link, not the words
    read = coordinator_client.get(reverse("conversations:read_report", args=[concern.pk]))
    assert read.status_code == 200 and CANARY in read.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.CONVERSATION_READ_REPORT).count() == 1
    # Coordinators never reach the conversation itself.
    assert coordinator_client.get(_url(pairing)).status_code == 404


def test_an_open_safety_flag_lets_coordinators_read_the_conversation_audited(
    pairing, coordinator_client
):
    message_send(user=pairing.survivor, pairing_id=pairing.pk, text=CANARY)
    flag = SafetyFlag.objects.create(
        pairing=pairing, raised_by=pairing.supporter, category="self", text="worried"
    )
    url = reverse("conversations:read_flag", args=[flag.pk])
    assert CANARY in coordinator_client.get(url).content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.CONVERSATION_READ_FLAG).count() == 1
    flag.status = "closed"
    flag.save()
    assert coordinator_client.get(url).status_code == 404


def test_removing_a_conversation_message_without_javascript(pairing, survivor_client):
    message = message_send(user=pairing.survivor, pairing_id=pairing.pk, text=CANARY)
    survivor_client.post(_url(pairing, "remove", message_pk=message.pk))
    html = survivor_client.get(_url(pairing)).content.decode()
    assert "Message removed" in html and CANARY not in html
    message.refresh_from_db()
    assert message.text == "" and message.removed_at is not None


def test_the_conversation_email_goes_to_an_away_person_at_most_every_few_hours(
    pairing, settings, django_capture_on_commit_callbacks
):
    settings.CONVERSATION_NOTICE_HOURS = 3
    supporter = pairing.supporter
    for text in ("one", "two", "three"):
        message_send(user=pairing.survivor, pairing_id=pairing.pk, text=text)
    assert OutgoingEmail.objects.filter(recipient=supporter).count() == 1
    assert (
        Notification.objects.filter(user=supporter, kind=NotificationKind.CONVERSATION_NEW).count()
        == 1
    )
    # Hours later, with the conversation open on their screen: nothing.
    MessageNotice.objects.filter(user=supporter).update(sent_at=timezone.now() - timedelta(hours=4))
    Presence.objects.create(channel_name="page-1", pairing=pairing, user=supporter)
    message_send(user=pairing.survivor, pairing_id=pairing.pk, text="four")
    assert OutgoingEmail.objects.filter(recipient=supporter).count() == 1
    # Away again (the page stopped pinging): one more.
    Presence.objects.update(seen_at=timezone.now() - timedelta(minutes=10))
    message_send(user=pairing.survivor, pairing_id=pairing.pk, text="five")
    assert OutgoingEmail.objects.filter(recipient=supporter).count() == 2
    # Someone who turned emails off gets the notice in the app only.
    MessageNotice.objects.all().delete()
    pairing.survivor.email_notifications = False
    pairing.survivor.save()
    message_send(user=supporter, pairing_id=pairing.pk, text="six")
    assert not OutgoingEmail.objects.filter(recipient=pairing.survivor).exists()


def test_no_conversation_text_in_emails_notices_audit_or_logs(
    pairing, survivor_client, supporter_client, caplog
):
    caplog.set_level(logging.DEBUG)
    survivor_client.post(_url(pairing), {"text": CANARY})
    message = Message.objects.get()
    supporter_client.post(
        _url(pairing, "report", message_pk=message.pk), {"category": "other", "text": "see it"}
    )
    survivor_client.post(_url(pairing, "remove", message_pk=message.pk))
    for row in OutgoingEmail.objects.all():
        assert CANARY not in f"{row.subject} {row.body} {row.html}"
    for email in mail.outbox:
        assert CANARY not in f"{email.subject} {email.body}"
    assert not any(CANARY in n.text for n in Notification.objects.all())
    assert not any(CANARY in str(a.data) for a in AuditEvent.objects.all())
    assert CANARY not in caplog.text


def test_conversation_messages_are_in_the_export_and_go_with_the_account(pairing):
    message_send(user=pairing.survivor, pairing_id=pairing.pk, text="from me")
    message_send(user=pairing.supporter, pairing_id=pairing.pk, text="from Alex")
    exported = survivor_export(user=pairing.survivor)["conversations"]
    assert [(m["from"], m["text"]) for m in exported] == [("you", "from me"), ("Alex", "from Alex")]
    survivor_erase(user=pairing.survivor)
    assert not Message.objects.exists()


def test_a_planned_chat_session_links_to_the_conversation(pairing, supporter_client):
    from sessions.models import SupportSession  # only this test needs the sessions model

    session = SupportSession.objects.create(
        pairing=pairing,
        logged_by=pairing.supporter,
        starts_at=timezone.now() + timedelta(hours=2),
        mode="chat",
        status="scheduled",
    )
    detail = supporter_client.get(reverse("peer_sessions:session", args=[session.pk]))
    assert _url(pairing) in detail.content.decode()
    page = supporter_client.get(_url(pairing)).content.decode()
    assert reverse("peer_sessions:session_edit", args=[session.pk]) in page
