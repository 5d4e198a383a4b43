"""Retention: what the service deletes by age (issue 15; the periods are settings.RETENTION_*,
README "Retention"). One function per rule; each returns how many it removes and how many wait,
and removes nothing with `dry_run` (which only reads). `sweep` runs them all: beat daily
(tasks.py) and `manage.py retention_sweep [--dry-run]`.

1. `ended_pairings`: an ended pairing's sessions (with their notes), check-ins, schedules,
   reminders, lapses of contact, conversation messages, and its resolved concerns, closed safety
   flags and closed change requests. The pairing row and its transitions stay (the figures count
   them). A pairing with a safety flag not closed or a concern not resolved waits, whole.
2. `declined_applications`: the account of a volunteer not approved (the application is all it
   is), through the supporter's own deletion (mydata/supporter.py), which keeps its holds.
3. `idle_accounts`: a survivor or supporter not seen (last sign-in, else joining) for the warning
   period gets one discreet notice and email (NotificationKind.ACCOUNT_IDLE, the notice records
   that it was sent: once per idle spell); idle for the deletion period and warned at least the
   difference before, the account goes through the person's own deletion service, which waits
   while a safety matter is open. Coordinators never.
4. `audit_rows`: rows older than the period go through `audit.prune_through` (a checkpoint keeps
   the chain verifiable), never a direct delete.

Each removal is audited with counts only. Locks: a pairing's row, then its care rows, then its
sessions rows (levels 4, 5, 6 of docs/architecture.md "Lock order"); accounts through the erase
services, which take theirs in the one order.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.db.models.deletion import Collector
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ethics.care.models import (
    ChangeRequest,
    ChangeStatus,
    Concern,
    ConcernStatus,
    FlagStatus,
    SafetyFlag,
)
from matching.models import Pairing, PairingState
from peersupport.conversations.models import Message
from peersupport.people import audit
from peersupport.people.events import AuditAction, NotificationKind
from peersupport.people.models import (
    AuditEvent,
    Notification,
    Role,
    SupporterProfile,
    SupporterStatus,
    User,
)
from peersupport.people.notifications import notify
from peersupport.people.services import audit_record
from sessions.models import CheckIn, CheckInSchedule, ContactLapse, SupportSession

from .services import survivor_erase
from .supporter import _open_matter_link, supporter_erase

PEOPLE_WHO_EXPIRE = (Role.SURVIVOR, Role.SUPPORTER)  # coordinators are never deleted by age


@dataclass
class Outcome:
    removed: int = 0
    held: int = 0


def _days_ago(now: datetime.datetime, days: int) -> datetime.datetime:
    return now - datetime.timedelta(days=days)


def _would_delete(queryset: QuerySet) -> int:
    """How many rows `queryset.delete()` would remove, cascades included, without deleting."""
    collector = Collector(using=queryset.db, origin=queryset)
    collector.collect(queryset)
    return sum(len(rows) for rows in collector.data.values()) + sum(
        fast.count() for fast in collector.fast_deletes
    )


# -- 1. an ended pairing's records ------------------------------------------------------------


def _pairing_records(pairings) -> list[tuple[QuerySet, str]]:
    """What goes for `pairings` (ids, or a query of them), in the lock order: care rows, then
    sessions rows, then messages; each with the field naming its pairing. Reminders and their
    deliveries go with their check-ins, flag actions with their flags, a report with its
    concern."""
    return [
        (
            Concern.objects.filter(pairing_id__in=pairings, status=ConcernStatus.RESOLVED),
            "pairing_id",
        ),
        (
            SafetyFlag.objects.filter(pairing_id__in=pairings, status=FlagStatus.CLOSED),
            "pairing_id",
        ),
        (
            ChangeRequest.objects.filter(pairing_id__in=pairings).exclude(status=ChangeStatus.OPEN),
            "pairing_id",
        ),
        (SupportSession.objects.filter(pairing_id__in=pairings), "pairing_id"),
        (CheckIn.objects.filter(pairing_id__in=pairings), "pairing_id"),
        (CheckInSchedule.objects.filter(pairing_id__in=pairings), "pairing_id"),
        (ContactLapse.objects.filter(pairing_id__in=pairings), "pairing_id"),
        (Message.objects.filter(conversation_id__in=pairings), "conversation_id"),
    ]


def _ended_with_records(cutoff: datetime.datetime) -> list[int]:
    """Pairings ended before `cutoff` that still have something to remove."""
    ended = Pairing.objects.filter(state=PairingState.ENDED, ended_at__lt=cutoff).values("pk")
    ids: set[int] = set()
    for queryset, field in _pairing_records(ended):
        ids.update(queryset.values_list(field, flat=True).distinct())
    return sorted(ids)


def _pairing_held(pairing_id: int) -> bool:
    """A safety flag not closed or a concern not resolved keeps the whole pairing's records."""
    return (
        SafetyFlag.objects.not_closed().filter(pairing_id=pairing_id).exists()
        or Concern.objects.unresolved().filter(pairing_id=pairing_id).exists()
    )


def ended_pairings(*, dry_run: bool = False, now: datetime.datetime | None = None) -> Outcome:
    """Rule 1: rows removed (cascades counted) and pairings held."""
    now = now or timezone.now()
    outcome = Outcome()
    for pairing_id in _ended_with_records(_days_ago(now, settings.RETENTION_ENDED_PAIRING_DAYS)):
        with transaction.atomic():
            pairing = Pairing.objects.filter(pk=pairing_id)
            if not dry_run:
                pairing = pairing.select_for_update(of=("self",))
            pairing = pairing.first()
            if pairing is None or pairing.state != PairingState.ENDED:
                continue
            if _pairing_held(pairing_id):
                outcome.held += 1
                continue
            records = [queryset for queryset, _field in _pairing_records([pairing_id])]
            if dry_run:
                outcome.removed += sum(_would_delete(q) for q in records)
                continue
            rows = sum(q.delete()[0] for q in records)
            outcome.removed += rows
            audit_record(
                actor=None, action=AuditAction.RETENTION_PAIRING_CLEARED, target=pairing, rows=rows
            )
    return outcome


# -- 2 and 3. accounts ------------------------------------------------------------------------


def _held(user: User) -> bool:
    """A safety matter still open about this person: their deletion would wait (and tell the
    coordinators someone asked, which nobody did), so the sweep does not ask."""
    if user.role == Role.SURVIVOR:
        return SafetyFlag.objects.not_closed().filter(pairing__survivor=user).exists()
    profile = SupporterProfile.objects.filter(user=user).first()
    return _open_matter_link(user, profile) is not None


def _erase(users: list[User], *, dry_run: bool, rule: str) -> Outcome:
    outcome = Outcome()
    for user in users:
        if _held(user):
            outcome.held += 1
            continue
        if not dry_run:
            erase = survivor_erase if user.role == Role.SURVIVOR else supporter_erase
            try:
                erase(user=user)
            except ValidationError:  # a safety matter opened since: it waits
                outcome.held += 1
                continue
        outcome.removed += 1
    if not dry_run and (outcome.removed or outcome.held):
        audit_record(
            actor=None,
            action=AuditAction.RETENTION_ACCOUNTS_REMOVED,
            rule=rule,
            removed=outcome.removed,
            held=outcome.held,
        )
    return outcome


def declined_applications(
    *, dry_run: bool = False, now: datetime.datetime | None = None
) -> Outcome:
    """Rule 2: accounts of volunteers not approved, decided longer ago than the period."""
    now = now or timezone.now()
    cutoff = _days_ago(now, settings.RETENTION_DECLINED_APPLICATION_DAYS)
    users = list(
        User.objects.filter(
            role=Role.SUPPORTER,
            supporter_profile__status=SupporterStatus.DECLINED,
            supporter_profile__decided_at__lt=cutoff,
        ).order_by("pk")
    )
    return _erase(users, dry_run=dry_run, rule="declined_applications")


def _idle(now: datetime.datetime, days: int) -> QuerySet:
    """Survivors and supporters not seen for `days`, with when they were warned in this idle
    spell (the first ACCOUNT_IDLE notice after they were last seen), or None."""
    warned = Notification.objects.filter(
        user=OuterRef("pk"),
        kind=NotificationKind.ACCOUNT_IDLE,
        created_at__gt=OuterRef("last_seen"),
    ).order_by("created_at")
    return (
        User.objects.filter(role__in=PEOPLE_WHO_EXPIRE)
        .annotate(last_seen=Coalesce("last_login", "date_joined"))
        .filter(last_seen__lt=_days_ago(now, days))
        .annotate(warned_at=Subquery(warned.values("created_at")[:1]))
        .order_by("pk")
    )


def _warn(user_id: int, now: datetime.datetime) -> bool:
    with transaction.atomic():
        # Level 1 (or a supporter's own row): a notice to the person, after locking them.
        user = User.objects.select_for_update(no_key=True).filter(pk=user_id).first()
        if user is None or user.role not in PEOPLE_WHO_EXPIRE:
            return False
        notify(
            user=user,
            kind=NotificationKind.ACCOUNT_IDLE,
            text=_(
                "You have not signed in for a long time. If you do not sign in within %(days)d "
                "days, your account and what it holds will be deleted."
            )
            % {
                "days": settings.RETENTION_IDLE_ACCOUNT_DELETE_DAYS
                - settings.RETENTION_IDLE_ACCOUNT_WARN_DAYS
            },
            link=reverse("home"),
            force_email=True,  # the one email before deletion: sent even to those who opted out
        )
        audit_record(actor=None, action=AuditAction.RETENTION_IDLE_WARNED, target=user)
    return True


def idle_accounts(
    *, dry_run: bool = False, now: datetime.datetime | None = None
) -> tuple[Outcome, int]:
    """Rule 3: (accounts deleted and held, accounts warned)."""
    now = now or timezone.now()
    warn_days = settings.RETENTION_IDLE_ACCOUNT_WARN_DAYS
    delete_days = settings.RETENTION_IDLE_ACCOUNT_DELETE_DAYS
    grace_start = _days_ago(now, delete_days - warn_days)
    due = [
        u for u in _idle(now, delete_days) if u.warned_at is not None and u.warned_at <= grace_start
    ]
    deleted = _erase(due, dry_run=dry_run, rule="idle_accounts")
    to_warn = [u.pk for u in _idle(now, warn_days) if u.warned_at is None]
    if dry_run:
        return deleted, len(to_warn)
    return deleted, sum(_warn(pk, now) for pk in to_warn)


# -- 4. the audit trail -----------------------------------------------------------------------


def audit_rows(*, dry_run: bool = False, now: datetime.datetime | None = None) -> Outcome:
    """Rule 4: audit rows older than the period, pruned behind a checkpoint."""
    now = now or timezone.now()
    cutoff = _days_ago(now, settings.RETENTION_AUDIT_DAYS)
    through = AuditEvent.objects.filter(at__lt=cutoff).aggregate(last=Max("id"))["last"]
    if through is None:
        return Outcome()
    if dry_run:
        return Outcome(removed=AuditEvent.objects.filter(id__lte=through).count())
    checkpoint = audit.prune_through(through_id=through)
    return Outcome(removed=checkpoint.data["removed"] if checkpoint else 0)


def sweep(*, dry_run: bool = False, now: datetime.datetime | None = None) -> dict[str, int]:
    """Every rule, oldest-data rules first and the audit last; counts only."""
    now = now or timezone.now()
    pairings = ended_pairings(dry_run=dry_run, now=now)
    declined = declined_applications(dry_run=dry_run, now=now)
    idle, warned = idle_accounts(dry_run=dry_run, now=now)
    audited = audit_rows(dry_run=dry_run, now=now)
    return {
        "dry_run": dry_run,
        "ended_pairing_rows": pairings.removed,
        "ended_pairings_held": pairings.held,
        "declined_applications": declined.removed,
        "declined_applications_held": declined.held,
        "idle_accounts_warned": warned,
        "idle_accounts_deleted": idle.removed,
        "idle_accounts_held": idle.held,
        "audit_rows": audited.removed,
    }
