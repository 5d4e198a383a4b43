"""Retention (peersupport/mydata/retention.py): each rule removes what is past its period and
keeps what is recent; an open safety matter holds; the idle warning goes once, neutrally,
through the outbox and the account goes only after the grace period; coordinators never; the
audit is pruned behind a checkpoint and still verifies; --dry-run removes nothing and reports
what the real run then removes."""

from __future__ import annotations

import json
from datetime import time, timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone

from ethics.care.models import ChangeRequest, Concern, FlagAction, SafetyFlag
from matching.models import Pairing
from peersupport.conversations.models import Conversation, Message
from peersupport.mydata import retention
from peersupport.people.events import AuditAction, NotificationKind
from peersupport.people.models import (
    AuditEvent,
    Notification,
    OutgoingEmail,
    SupporterProfile,
    SupporterStatus,
    User,
)
from peersupport.people.services import audit_record
from sessions.models import CheckIn, CheckInSchedule, SessionMode, SessionStatus, SupportSession
from tests.factories import CoordinatorFactory, PairingFactory, SupporterFactory, SurvivorFactory

pytestmark = pytest.mark.django_db
KEPT_MODELS = (SupportSession, CheckIn, CheckInSchedule, Message, Concern, SafetyFlag)


def _ended_pairing(days_ago: int, *, flag_status: str = "closed") -> Pairing:
    pairing = PairingFactory(activated_at=timezone.now() - timedelta(days=days_ago + 30))
    ended = timezone.now() - timedelta(days=days_ago)
    Pairing.objects.filter(pk=pairing.pk).update(
        state="ended", end_reason="completed", ended_at=ended
    )
    SupportSession.objects.create(
        pairing=pairing,
        logged_by=pairing.supporter,
        starts_at=ended - timedelta(days=3),
        mode=SessionMode.VIDEO,
        status=SessionStatus.HELD,
        private_notes="a note",
    )
    CheckIn.objects.create(pairing=pairing, due_at=ended - timedelta(days=2))
    CheckInSchedule.objects.create(
        pairing=pairing, next_due_at=ended, quiet_start=time(21), quiet_end=time(8)
    )
    conversation = Conversation.objects.create(pairing=pairing)
    Message.objects.create(conversation=conversation, author=pairing.survivor, text="hello")
    Concern.objects.create(
        pairing=pairing, raised_by=pairing.survivor, category="judged", text="t", status="resolved"
    )
    flag = SafetyFlag.objects.create(
        pairing=pairing, raised_by=pairing.supporter, category="self", text="t", status=flag_status
    )
    FlagAction.objects.create(flag=flag, actor=None, kind="note", note="n")
    ChangeRequest.objects.create(
        pairing=pairing, kind="change", requested_by=pairing.survivor, status="done"
    )
    return pairing


def _rows(pairing: Pairing) -> int:
    return sum(
        model.objects.filter(
            **({"conversation_id": pairing.pk} if model is Message else {"pairing_id": pairing.pk})
        ).count()
        for model in KEPT_MODELS
    )


def _sweep_line(capsys, *args) -> dict:
    call_command("retention_sweep", *args)
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_retention_ended_pairings_removes_old_keeps_recent_and_holds_an_open_flag():
    old = _ended_pairing(400)
    recent = _ended_pairing(100)
    flagged = _ended_pairing(400, flag_status="open")
    outcome = retention.ended_pairings()
    assert outcome.held == 1
    assert _rows(old) == 0
    assert not ChangeRequest.objects.filter(pairing=old).exists()
    assert _rows(recent) == 6 and _rows(flagged) == 6
    assert Pairing.objects.filter(pk=old.pk).exists()  # the pairing itself stays for the figures
    assert AuditEvent.objects.filter(
        action=AuditAction.RETENTION_PAIRING_CLEARED, target_id=old.pk
    ).exists()
    # Once cleared there is nothing left to remove; the flagged pairing still waits.
    again = retention.ended_pairings()
    assert (again.removed, again.held) == (0, 1)
    SafetyFlag.objects.filter(pairing=flagged).update(status="closed")
    assert retention.ended_pairings().removed > 0 and _rows(flagged) == 0


def test_retention_an_unresolved_concern_holds_the_pairing():
    pairing = _ended_pairing(400)
    Concern.objects.create(
        pairing=pairing, raised_by=pairing.survivor, category="judged", text="t", status="open"
    )
    assert retention.ended_pairings().held == 1
    assert SupportSession.objects.filter(pairing=pairing).exists()


def test_retention_dry_run_removes_nothing_and_reports_what_the_real_run_removes(capsys):
    _ended_pairing(400)
    _ended_pairing(400, flag_status="acknowledged")
    declined = SupporterFactory(profile__status=SupporterStatus.DECLINED)
    SupporterProfile.objects.filter(user=declined).update(
        decided_at=timezone.now() - timedelta(days=200)
    )
    before = {m: m.objects.count() for m in (*KEPT_MODELS, FlagAction, ChangeRequest, User)}
    dry = _sweep_line(capsys, "--dry-run")
    assert {m: m.objects.count() for m in before} == before
    assert dry["dry_run"] is True
    assert dry["ended_pairing_rows"] > 0 and dry["ended_pairings_held"] == 1
    assert dry["declined_applications"] == 1
    real = _sweep_line(capsys)
    assert real.pop("dry_run") is False and dry.pop("dry_run") is True
    assert real == dry
    removed = sum(before[m] - m.objects.count() for m in before if m is not User)
    assert removed == real["ended_pairing_rows"]
    assert not User.objects.filter(pk=declined.pk).exists()


def test_retention_declined_applications_only_when_old_and_only_declined():
    def applicant(status, days):
        user = SupporterFactory(profile__status=status)
        SupporterProfile.objects.filter(user=user).update(
            decided_at=timezone.now() - timedelta(days=days)
        )
        return user

    old = applicant(SupporterStatus.DECLINED, 200)
    recent = applicant(SupporterStatus.DECLINED, 30)
    approved = applicant(SupporterStatus.APPROVED, 400)
    assert retention.declined_applications().removed == 1
    assert not User.objects.filter(pk=old.pk).exists()
    assert User.objects.filter(pk__in=[recent.pk, approved.pk]).count() == 2


def _idle(user, days):
    User.objects.filter(pk=user.pk).update(last_login=timezone.now() - timedelta(days=days))


def test_retention_idle_accounts_warned_once_neutrally_then_deleted_after_the_grace_period():
    idle = SurvivorFactory(email_notifications=False)
    active = SurvivorFactory()
    coordinator = CoordinatorFactory()
    _idle(idle, 800)
    _idle(active, 10)
    _idle(coordinator, 2000)
    deleted, warned = retention.idle_accounts()
    assert (deleted.removed, warned) == (0, 1)
    assert Notification.objects.filter(user=idle, kind=NotificationKind.ACCOUNT_IDLE).count() == 1
    emails = list(OutgoingEmail.objects.filter(recipient=idle))
    assert len(emails) == 1 and emails[0].subject == "You have a new message"
    # Not twice, and not deleted before the grace period ends.
    deleted, warned = retention.idle_accounts(now=timezone.now() + timedelta(days=29))
    assert (deleted.removed, warned) == (0, 0)
    assert OutgoingEmail.objects.filter(recipient=idle).count() == 1
    deleted, warned = retention.idle_accounts(now=timezone.now() + timedelta(days=31))
    assert (deleted.removed, warned) == (1, 0)
    assert not User.objects.filter(pk=idle.pk).exists()
    assert User.objects.filter(pk__in=[active.pk, coordinator.pk]).count() == 2
    assert not Notification.objects.filter(user=coordinator).exists()


def test_retention_signing_in_again_starts_a_new_idle_spell_and_a_held_account_waits():
    person = SurvivorFactory()
    _idle(person, 800)
    retention.idle_accounts()
    _idle(person, 1)  # came back after the warning
    later = timezone.now() + timedelta(days=40)
    assert retention.idle_accounts(now=later)[0].removed == 0
    assert User.objects.filter(pk=person.pk).exists()
    supporter = SupporterFactory()
    pairing = PairingFactory(supporter=supporter)
    SafetyFlag.objects.create(pairing=pairing, raised_by=supporter, category="self", text="t")
    _idle(supporter, 800)
    retention.idle_accounts()
    deleted, _warned = retention.idle_accounts(now=later)
    assert deleted.held == 1 and User.objects.filter(pk=supporter.pk).exists()


def _verify_line(capsys) -> dict:
    call_command("audit_verify")
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_retention_prunes_old_audit_rows_and_the_chain_verifies(postgres, capsys):
    long_ago = timezone.now() - timedelta(days=6 * 365 + 10)
    with mock.patch("django.utils.timezone.now", return_value=long_ago):
        old = [audit_record(actor=None, action=AuditAction.MATCHING_RUN) for _ in range(3)]
    recent = audit_record(actor=None, action=AuditAction.MATCHING_RUN)
    assert retention.audit_rows(dry_run=True).removed == 3
    assert AuditEvent.objects.filter(pk__in=[r.pk for r in old]).count() == 3
    assert retention.audit_rows().removed == 3
    assert not AuditEvent.objects.filter(pk__in=[r.pk for r in old]).exists()
    assert AuditEvent.objects.filter(pk=recent.pk).exists()
    assert _verify_line(capsys) == {
        "events": AuditEvent.objects.count(),
        "ok": True,
        "first_bad_id": None,
    }
    assert retention.audit_rows().removed == 0
