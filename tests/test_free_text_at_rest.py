"""Every free text a person writes is encrypted at rest: a canary typed into every form, as
each role and through the real views, is saved (the models read it back) and is found in no
table of the database, read raw (nor in the audit rows, notifications and outbox, nor in the
emails sent, the sessions or the logs).

Not driven here, as they hold no one's account of their experience: the agreements a
coordinator drafts (the service's own published words), the vocabularies and crisis
resources, and the pseudonym (display_name). matching:pairing_action and the pause and
finish buttons on team:pairing take no text.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ethics.care.models import (
    ChangeRequest,
    Concern,
    DebriefMessage,
    DebriefRequest,
    FlagAction,
    SafetyFlag,
)
from matching.models import EndReason, Pairing, PairingTransition, SupportRequest
from matching.reassign import version_token
from peersupport.people import outbox
from peersupport.people.models import (
    Language,
    LivedExperienceArea,
    MeetingMode,
    OutgoingEmail,
    SupporterProfile,
    SupporterStatus,
)
from sessions.models import CheckIn, SupportSession
from tests.factories import (
    PASSWORD,
    CoordinatorFactory,
    PairingFactory,
    SupporterFactory,
    SurvivorFactory,
)
from tests.helpers import (
    acknowledge_current,
    emails_through_the_outbox,  # noqa: F401 - an autouse fixture
)
from tests.matching.steps import send_request, step_url

CANARY = "canary-7f3a-c41e"
TEXT_TYPES = ("text", "character varying", "jsonb", "json")

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _typed(what: str) -> str:
    return f"{CANARY} {what}"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(client: Client, url: str, data: dict) -> None:
    """A successful submission redirects; anything else is a form that refused it."""
    response = client.post(url, data)
    assert response.status_code == 302, (url, response.status_code)


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _live_pairing(**kwargs) -> Pairing:
    pairing = PairingFactory(activated_at=timezone.now() - timedelta(days=3), **kwargs)
    acknowledge_current(pairing.survivor, pairing.supporter)
    return pairing


# -- the forms, as each role fills them ------------------------------------------------------


def _supporter_applies_and_is_declined(coordinator) -> list:
    anonymous = Client()
    _post(
        anonymous,
        reverse("supporter_apply"),
        {
            "email": "applicant@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "display_name": "Kit",
            "relationship": "friend",
            "areas": [LivedExperienceArea.objects.get(slug="childhood").pk],
            "languages": [Language.objects.get(slug="en").pk],
            "meeting_modes": [MeetingMode.objects.get(slug="phone").pk],
            "availability": ["0", "4"],
            "capacity": "2",
            "motivation": _typed("motivation"),
        },
    )
    applied = SupporterProfile.objects.get(user__email="applicant@example.org")
    _post(
        _client(coordinator),
        reverse("team:application", args=[applied.pk]),
        {"decision": "decline", "reason": _typed("application declined")},
    )
    # The other way to decline, from the list of supporters.
    other = SupporterFactory(profile__status=SupporterStatus.APPLIED).supporter_profile
    _post(
        _client(coordinator),
        reverse("team:supporter_action", args=[other.pk]),
        {"action": "decline", "reason": _typed("declined from the list")},
    )
    return [
        (applied, "motivation", _typed("motivation")),
        (applied, "decision_reason", _typed("application declined")),
        (other, "decision_reason", _typed("declined from the list")),
    ]


def _supporters_are_paused(coordinator) -> list:
    by_themselves = SupporterFactory().supporter_profile
    _post(
        _client(by_themselves.user),
        reverse("supporter_pause"),
        {"reason": _typed("pausing myself")},
    )
    by_coordinator = SupporterFactory().supporter_profile
    _post(
        _client(coordinator),
        reverse("team:supporter_action", args=[by_coordinator.pk]),
        {"action": "pause", "reason": _typed("paused by a coordinator")},
    )
    return [
        (by_themselves, "pause_reason", _typed("pausing myself")),
        (by_coordinator, "pause_reason", _typed("paused by a coordinator")),
    ]


def _survivor_asks_for_a_supporter() -> list:
    survivor = SurvivorFactory()
    acknowledge_current(survivor)
    client = _client(survivor)
    data = {
        "languages": [Language.objects.get(slug="en").pk],
        "meeting_modes": [MeetingMode.objects.get(slug="chat").pk],
        "time_zone": "Europe/London",
        "availability": ["0"],
        "note_for_supporter": _typed("request note"),
    }
    # In steps, then sent from the check page (tests/matching/steps.py).
    assert send_request(client, data).status_code == 302
    request = SupportRequest.objects.get(survivor=survivor)
    edited = {**data, "note_for_supporter": _typed("request note edited")}
    assert send_request(client, edited, pk=request.pk).status_code == 302
    # A change left unsent: its answers wait in the session (encrypted) when the tables are read.
    client.get(reverse("matching:request_edit", args=[request.pk]))
    _post(
        client,
        step_url("anything-else", request.pk) + "?change=1",
        {"note_for_supporter": _typed("request note not sent")},
    )
    return [(request, "note_for_supporter", _typed("request note edited"))]


def _supporter_declines_an_offer() -> list:
    supporter = SupporterFactory()
    acknowledge_current(supporter)
    now = timezone.now()
    offer = PairingFactory(
        request__status="open",
        supporter=supporter,
        state="offered",
        activated_at=None,
        offered_at=now,
        offer_expires_at=now + timedelta(days=1),
    )
    _post(
        _client(supporter),
        reverse("matching:offer_decline", args=[offer.pk]),
        {"note": _typed("offer declined")},
    )
    declined = PairingTransition.objects.get(pairing=offer, reason=EndReason.DECLINED)
    return [(declined, "note", _typed("offer declined"))]


def _both_sides_raise_things(pairing: Pairing, coordinator) -> list:
    survivor, supporter = _client(pairing.survivor), _client(pairing.supporter)
    coordinator_client = _client(coordinator)
    _post(
        survivor,
        reverse("care:concern_new", args=[pairing.pk]),
        {"category": "judged", "text": _typed("survivor's concern")},
    )
    _post(
        supporter,
        reverse("care:concern_new", args=[pairing.pk]),
        {"category": "other", "text": _typed("supporter's concern")},
    )
    concern = Concern.objects.get(raised_by=pairing.survivor)
    _post(
        coordinator_client,
        reverse("team:concern", args=[concern.pk]),
        {"status": "in_review", "response": _typed("concern response")},
    )
    _post(
        supporter,
        reverse("care:flag_new", args=[pairing.pk]),
        {"category": "self", "text": _typed("safety flag")},
    )
    flag = SafetyFlag.objects.get(pairing=pairing)
    for kind in ("acknowledged", "note", "closed"):
        _post(
            coordinator_client,
            reverse("team:flag", args=[flag.pk]),
            {"kind": kind, "note": _typed(f"flag {kind}")},
        )
    _post(
        survivor,
        reverse("care:change_new", args=[pairing.pk]),
        {"reason": _typed("change asked")},
    )
    _post(
        supporter,
        reverse("care:change_new", args=[pairing.pk]),
        {"reason": _typed("handover asked")},
    )
    saved = [
        (concern, "text", _typed("survivor's concern")),
        (concern, "response", _typed("concern response")),
        (Concern.objects.get(raised_by=pairing.supporter), "text", _typed("supporter's concern")),
        (flag, "text", _typed("safety flag")),
        (ChangeRequest.objects.get(kind="change"), "reason", _typed("change asked")),
        (ChangeRequest.objects.get(kind="handover"), "reason", _typed("handover asked")),
    ]
    for kind in ("acknowledged", "note", "closed"):
        saved.append((FlagAction.objects.get(flag=flag, kind=kind), "note", _typed(f"flag {kind}")))
    return saved


def _sessions_and_check_ins(pairing: Pairing) -> list:
    supporter = _client(pairing.supporter)
    _post(
        supporter,
        reverse("peer_sessions:session_new"),
        {
            "pairing": pairing.pk,
            "starts_at": _local(timezone.now() - timedelta(hours=2)),
            "duration_minutes": 50,
            "mode": "video",
            "status": "held",
            "wellbeing": "4",
            "notes": _typed("session notes"),
        },
    )
    session = SupportSession.objects.get(pairing=pairing)
    _post(
        supporter,
        reverse("peer_sessions:session_notes", args=[session.pk]),
        {"notes": _typed("session notes rewritten")},
    )
    checkin = CheckIn.objects.create(pairing=pairing, due_at=timezone.now() - timedelta(hours=1))
    _post(
        _client(pairing.survivor),
        reverse("peer_sessions:checkin", args=[checkin.pk]),
        {"mood": "2", "wants_session": "yes", "note": _typed("check-in answer")},
    )
    return [
        (session, "private_notes", _typed("session notes rewritten")),
        (checkin, "note", _typed("check-in answer")),
    ]


def _supporters_debrief(asker, coordinator) -> list:
    volunteer = SupporterFactory()
    acknowledge_current(volunteer)
    helper, asking = _client(volunteer), _client(asker)
    _post(helper, reverse("care:debriefs"), {"volunteer": "1"})
    _post(asking, reverse("care:debrief_new"), {"text": _typed("debrief")})
    debrief = DebriefRequest.objects.get(requested_by=asker)
    url = reverse("care:debrief", args=[debrief.pk])
    _post(helper, url, {"action": "pick_up"})
    _post(helper, url, {"action": "message", "text": _typed("volunteer's message")})
    _post(asking, url, {"action": "message", "text": _typed("asker's message")})
    # A coordinator picks up a second one and talks it through on the team's page.
    _post(asking, reverse("care:debrief_new"), {"text": _typed("second debrief")})
    second = DebriefRequest.objects.exclude(pk=debrief.pk).get(requested_by=asker)
    team_url = reverse("team:debrief", args=[second.pk])
    team = _client(coordinator)
    _post(team, team_url, {"action": "pick_up"})
    _post(team, team_url, {"action": "message", "text": _typed("coordinator's message")})
    return [
        (debrief, "text", _typed("debrief")),
        (second, "text", _typed("second debrief")),
        (DebriefMessage.objects.get(author=volunteer), "text", _typed("volunteer's message")),
        (DebriefMessage.objects.get(author=asker), "text", _typed("asker's message")),
        (DebriefMessage.objects.get(author=coordinator), "text", _typed("coordinator's message")),
    ]


def _coordinator_reassigns_and_ends(pairing: Pairing, other: Pairing, coordinator) -> list:
    newcomer = SupporterFactory()
    acknowledge_current(newcomer)
    team = _client(coordinator)
    _post(
        team,
        reverse("team:pairing", args=[pairing.pk]),
        {
            "supporter": newcomer.pk,
            "reason": EndReason.SURVIVOR_CHANGE,
            "note": _typed("reassign note"),
            "version": version_token(pairing),
        },
    )
    _post(
        team,
        reverse("team:pairing", args=[other.pk]),
        {
            "action": "end",
            "end-reason": EndReason.COORDINATOR_ENDED,
            "end-then": "reopen",
            "end-note": _typed("end note"),
            "end-version": version_token(other),
        },
    )
    reassigned = PairingTransition.objects.get(pairing=pairing, to_state="ended")
    ended = PairingTransition.objects.get(pairing=other, to_state="ended")
    return [(reassigned, "note", _typed("reassign note")), (ended, "note", _typed("end note"))]


# -- reading the database raw ----------------------------------------------------------------


def _text_columns() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND data_type = ANY(%s) "
            "ORDER BY table_name, column_name",
            [list(TEXT_TYPES)],
        )
        return cursor.fetchall()


def _columns_holding(needle: str) -> list[str]:
    """Every table.column whose raw value contains `needle`, jsonb and json as text."""
    found = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, column in _text_columns():
            # The names come from the catalogue; only the needle is a parameter.
            query = f"SELECT count(*) FROM {quote(table)} WHERE {quote(column)}::text ILIKE %s"  # noqa: S608
            cursor.execute(query, [f"%{needle}%"])
            if cursor.fetchone()[0]:
                found.append(f"{table}.{column}")
    return found


@pytest.fixture
def scannable(postgres, seed_data):
    """PostgreSQL with the seed data, and a scan that reaches the tables the free text lives
    in and those it must never reach."""
    tables = {table for table, _column in _text_columns()}
    for table in (
        "peersupport_supporterprofile",
        "matching_pairingtransition",
        "peersupport_auditevent",
        "peersupport_notification",
        "peersupport_outgoingemail",
        "django_session",
    ):
        assert table in tables, table


def test_the_scan_finds_a_canary_left_in_plain_text(scannable):
    """The scan itself can fail: plain text written past the field is found."""
    pairing = _live_pairing()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO matching_pairingtransition (pairing_id, from_state, to_state, reason, "
            "note, at) VALUES (%s, '', 'active', '', %s, now())",
            [pairing.pk, _typed("left plain")],
        )
    assert _columns_holding(CANARY) == ["matching_pairingtransition.note"]


def test_a_canary_typed_into_every_form_is_found_in_no_table(scannable, caplog):
    caplog.set_level(logging.DEBUG)
    coordinator = CoordinatorFactory()
    pairing, other = _live_pairing(), _live_pairing()

    saved = [
        *_supporter_applies_and_is_declined(coordinator),
        *_supporters_are_paused(coordinator),
        *_survivor_asks_for_a_supporter(),
        *_supporter_declines_an_offer(),
        *_both_sides_raise_things(pairing, coordinator),
        *_sessions_and_check_ins(pairing),
        *_supporters_debrief(pairing.supporter, coordinator),
        *_coordinator_reassigns_and_ends(pairing, other, coordinator),
    ]

    # Each submission was saved, and the model reads back exactly what was typed.
    for instance, field, typed in saved:
        instance.refresh_from_db(fields=[field])
        assert getattr(instance, field) == typed, (type(instance).__name__, field)
    assert len({typed for _instance, _field, typed in saved}) == len(saved) == 25

    # Nowhere in the database in plain text: no column of any table, read raw.
    assert _columns_holding(CANARY) == []
    # Nor in the signed-in sessions (and the messages they carry), decoded.
    for session in Session.objects.all():
        assert CANARY not in str(session.get_decoded())
    # Nor in the emails: those in the outbox, their body decrypted, then as they are sent.
    emails = list(OutgoingEmail.objects.all())
    assert emails, "the flows write emails: the checks below would be empty otherwise"
    for email in emails:
        assert CANARY not in f"{email.subject} {email.body} {email.html}"
    outbox.outbox_deliver()
    assert mail.outbox
    for message in mail.outbox:
        assert CANARY not in f"{message.subject} {message.body}"
        assert all(CANARY not in str(part) for part, _type in getattr(message, "alternatives", []))
    # Nor in the logs.
    assert CANARY not in caplog.text
