"""The check-in reminder pipeline: schedules become check-ins with a reminder for each of the
pair, reminders are delivered (in the app, and by discreet email to those who want it), refused
emails are retried, lapses of contact are escalated, and each sweep and delivery run is recorded.
Celery drives it (tasks.py); every guarantee comes from the database, not from Celery.

Exactly once, by design:
- check-ins and reminders are made under a row lock on the schedule (SELECT ... FOR UPDATE
  SKIP LOCKED, so a second sweep skips the schedules the first holds instead of waiting), with
  unique keys (pairing, due time) and (pairing, recipient, due time) as the backstop;
- a delivery batch claims its reminders with SELECT ... FOR UPDATE SKIP LOCKED, writes the
  in-app notifications, the delivery rows and the "sent" marks, then sends the emails over
  one connection as the last step before COMMIT. Two sweeps never hold the same row; a
  worker that dies before the commit leaves its rows pending (nothing recorded as sent that
  was not), and the next sweep sends them.

The remaining window, which no database can close, is between the mail server accepting a
message and the COMMIT: a worker that dies while a batch is being handed to the mail server
resends that batch's messages later. It is kept small (every write comes before the first
message, so only the hand-over itself and the commit remain), and each reminder keeps one
Message-ID across attempts (_message_id) so mail systems can recognise a repeat.

Emails and notifications carry neutral service text only, never what a person wrote.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, fields
from datetime import datetime, time, timedelta
from time import monotonic
from typing import NamedTuple
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Exists, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from matching.models import Pairing, PairingState, PairingTransition
from peersupport.people import shown
from peersupport.people.events import AuditAction, NotificationKind
from peersupport.people.mail import discreet_message, transport_connection
from peersupport.people.models import Notification
from peersupport.people.notifications import notify_coordinators, unread_changed
from peersupport.people.services import audit_record

from .models import (
    CheckIn,
    CheckInReminder,
    CheckInSchedule,
    ContactLapse,
    DeliveryChannel,
    DeliveryOutcome,
    ReminderDelivery,
    ReminderStatus,
    SessionStatus,
    SupportSession,
    SweepKind,
    SweepRun,
)
from .services import schedule_defaults
from .timing import in_quiet_hours, next_due_after, outside_quiet_hours, zone

# -- check-ins become due ------------------------------------------------------------------


def _schedules_ensure(now: datetime) -> int:
    """Every active pairing gets the default schedule until the pair sets their own."""
    missing = list(
        Pairing.objects.filter(state=PairingState.ACTIVE, checkin_schedule__isnull=True).only(
            "pk", "activated_at", "survivor_id", "supporter_id"
        )
    )
    if not missing:
        return 0
    CheckInSchedule.objects.bulk_create(
        [schedule_defaults(pairing, now=now) for pairing in missing], ignore_conflicts=True
    )
    # No signals from a bulk write: the pair's pages show the schedule at once (people/shown.py).
    shown.touch(*{person for p in missing for person in (p.survivor_id, p.supporter_id)})
    return len(missing)


def _due_schedules(now: datetime):
    return CheckInSchedule.objects.filter(
        active=True, next_due_at__lte=now, pairing__state=PairingState.ACTIVE
    )


def _set_next_due(moves: list[tuple[int, datetime]]) -> None:
    """Move many schedules on in one statement (PostgreSQL: UPDATE ... FROM VALUES, which is
    far cheaper than the CASE that bulk_update writes)."""
    if connection.vendor != "postgresql":
        CheckInSchedule.objects.bulk_update(
            [CheckInSchedule(pk=pk, next_due_at=due) for pk, due in moves],
            ["next_due_at"],
            batch_size=500,
        )
        return
    table = connection.ops.quote_name(CheckInSchedule._meta.db_table)
    rows = ", ".join(["(%s, %s::timestamptz)"] * len(moves))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS s SET next_due_at = v.due "  # noqa: S608 - names are ours
            f"FROM (VALUES {rows}) AS v(id, due) WHERE s.id = v.id",
            [value for move in moves for value in move],
        )


class Materialised(NamedTuple):
    schedules: int  # due schedules moved on
    checkins: int  # check-ins made (fewer when some were too late to be worth making)


def _too_late_before(now: datetime) -> datetime:
    """A check-in due before this is not made at all (after a pause, or a sweep outage): made
    now, it would count as overdue at once or nearly, and remind people about a time long
    gone. Its schedule moves on to its next time in the future instead, as a missed one does
    (next_due_after). Half the overdue window leaves the survivor time to answer."""
    return now - timedelta(hours=settings.CHECKIN_OVERDUE_HOURS) / 2


def reminders_materialise_chunk(*, now: datetime | None = None, chunk: int = 500) -> Materialised:
    """Turn up to `chunk` due schedules into a check-in each, with one reminder for each of
    the pair (at their own time, out of their quiet hours), and move the schedules on. One
    transaction; schedules another sweep holds are skipped, never waited for."""
    now = now or timezone.now()
    too_late = _too_late_before(now)
    with transaction.atomic():
        schedules = list(
            _due_schedules(now)
            .select_for_update(skip_locked=True, of=("self",))
            # next_due_at alone, as the index is: the scan stops after `chunk` rows.
            .order_by("next_due_at")
            .values_list(
                "pk",
                "pairing_id",
                "next_due_at",
                "interval_days",
                "quiet_start",
                "quiet_end",
                "pairing__survivor_id",
                "pairing__survivor__time_zone",
                "pairing__supporter_id",
                "pairing__supporter__time_zone",
            )[:chunk]
        )
        if not schedules:
            return Materialised(0, 0)
        moves = [(row[0], next_due_after(row[2], row[3], row[7], now)) for row in schedules]
        timely = [row for row in schedules if row[2] >= too_late]
        checkins = CheckIn.objects.bulk_create(
            [CheckIn(pairing_id=row[1], due_at=row[2], created_at=now) for row in timely]
        )
        reminders = []
        for row, checkin in zip(timely, checkins, strict=True):
            pairing_id, due, _interval, quiet_start, quiet_end = row[1:6]
            for person_id, tz_name in (row[6:8], row[8:10]):
                reminders.append(
                    CheckInReminder(
                        checkin_id=checkin.pk,
                        pairing_id=pairing_id,
                        recipient_id=person_id,
                        due_at=due,
                        send_at=outside_quiet_hours(due, tz_name, quiet_start, quiet_end),
                        created_at=now,
                    )
                )
        CheckInReminder.objects.bulk_create(reminders)
        _set_next_due(moves)
        # Bulk writes send no signals: the pair's pages and homes show the new check-in and
        # the next time at once (people/shown.py).
        shown.touch(*{person for row in schedules for person in (row[6], row[8])})
        audit_record(
            actor=None,
            action=AuditAction.CHECKINS_DUE,
            count=len(checkins),
            too_late=len(schedules) - len(checkins),
        )
        return Materialised(len(schedules), len(checkins))


# -- delivering reminders ------------------------------------------------------------------


@dataclass
class DeliveryResult:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0
    deferred: int = 0
    batches: int = 0
    checkins_created: int = 0

    def add(self, other: DeliveryResult) -> None:
        for field in fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))


class Claimed(NamedTuple):
    """One claimed reminder with what delivering it needs (plain values: loading whole
    users, pairings and schedules as model instances costs more than the rest together)."""

    pk: int
    checkin_id: int
    pairing_id: int
    recipient_id: int
    attempts: int
    in_app_at: datetime | None
    email: str
    wants_email: bool
    recipient_active: bool
    time_zone: str
    pairing_state: str
    survivor_id: int
    quiet_start: time | None
    quiet_end: time | None
    answered_at: datetime | None


_CLAIM_VALUES = (
    "pk",
    "checkin_id",
    "pairing_id",
    "recipient_id",
    "attempts",
    "in_app_at",
    "recipient__email",
    "recipient__email_notifications",
    "recipient__is_active",
    "recipient__time_zone",
    "pairing__state",
    "pairing__survivor_id",
    "pairing__checkin_schedule__quiet_start",
    "pairing__checkin_schedule__quiet_end",
    "checkin__answered_at",
)


def _claim(now: datetime, limit: int) -> list[Claimed]:
    """Lock up to `limit` due reminders, oldest first, skipping rows another sweep holds."""
    rows = (
        CheckInReminder.objects.due(now)
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("send_at", "id")
        .values_list(*_CLAIM_VALUES)[:limit]
    )
    return [Claimed(*row) for row in rows]


def _message_id(reminder: Claimed, domain: str) -> str:
    # The same on every attempt, so a repeat after a crash can be recognised downstream.
    return f"<r{reminder.pk}@{domain}>"


class _ReminderTexts:
    """The in-app words and links for a batch, each URL pattern reversed once per batch."""

    _MARK = "987654321987"  # stands in for a pk while reversing, then replaced

    def __init__(self):
        self.survivor_text = _("It is time for a check-in. How are you doing?")
        self.supporter_text = _("A check-in is due with someone you support.")
        self._checkin = reverse("peer_sessions:checkin", kwargs={"pk": self._MARK})
        self._pairing = reverse("peer_sessions:pairing", kwargs={"pk": self._MARK})

    def for_reminder(self, reminder: Claimed) -> tuple[str, str]:
        if reminder.recipient_id == reminder.survivor_id:
            return self.survivor_text, self._checkin.replace(self._MARK, str(reminder.checkin_id))
        return self.supporter_text, self._pairing.replace(self._MARK, str(reminder.pairing_id))


def _quiet_until(reminder: Claimed, moment: datetime) -> datetime | None:
    """If `moment` is in the recipient's quiet hours, when they end; else None."""
    if reminder.quiet_start is None or reminder.quiet_end is None:
        return None
    local = moment.astimezone(zone(reminder.time_zone)).time().replace(tzinfo=None)
    if not in_quiet_hours(local, reminder.quiet_start, reminder.quiet_end):
        return None
    return outside_quiet_hours(moment, reminder.time_zone, reminder.quiet_start, reminder.quiet_end)


def _send_emails(reminders: list[Claimed]) -> dict[int, str]:
    """Send one discreet email per reminder over one connection. Returns {reminder id: error
    code} for those that failed. Never raises: an exception escaping here would roll back
    the records of messages already sent."""
    if not reminders:
        return {}
    subject, body = discreet_message(kind="reminder")
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    failures: dict[int, str] = {}
    try:
        # The mail server itself, not the outbox: reminders keep their own exactly-once record.
        mail_connection = transport_connection()
        mail_connection.open()
    except Exception as error:  # any failure to connect fails the whole batch
        return {reminder.pk: type(error).__name__[:60] for reminder in reminders}
    try:
        for reminder in reminders:
            message = EmailMessage(
                subject,
                body,
                settings.DEFAULT_FROM_EMAIL,
                [reminder.email],
                headers={"Message-ID": _message_id(reminder, domain)},
                connection=mail_connection,
            )
            try:
                mail_connection.send_messages([message])
            except Exception as error:  # recorded per message, retried later
                failures[reminder.pk] = type(error).__name__[:60]
    finally:
        with suppress(Exception):  # the messages are already handed over
            mail_connection.close()
    return failures


def _record_failures(
    failures: dict[int, str],
    reminders: list[Claimed],
    deliveries: dict[int, ReminderDelivery],
    now: datetime,
    result: DeliveryResult,
) -> None:
    """Turn the optimistic "sent" records of refused messages into failures, and schedule
    the next attempt (doubling the wait, outside quiet hours) or give up after the last."""
    by_code: dict[str, list[int]] = {}
    for reminder_id, code in failures.items():
        by_code.setdefault(code, []).append(deliveries[reminder_id].pk)
    for code, delivery_ids in by_code.items():
        ReminderDelivery.objects.filter(pk__in=delivery_ids).update(
            outcome=DeliveryOutcome.FAILED, error_code=code
        )
    changed = []
    for reminder in reminders:
        if reminder.pk not in failures:
            continue
        attempt = reminder.attempts + 1
        row = CheckInReminder(pk=reminder.pk, sent_at=None, send_at=now)
        if attempt >= settings.REMINDER_MAX_ATTEMPTS:
            row.status = ReminderStatus.FAILED
            result.failed += 1
        else:
            row.status = ReminderStatus.PENDING
            retry_at = now + timedelta(seconds=settings.REMINDER_RETRY_SECONDS * 2 ** (attempt - 1))
            row.send_at = _quiet_until(reminder, retry_at) or retry_at
            result.retrying += 1
        changed.append(row)
    CheckInReminder.objects.bulk_update(changed, ["status", "sent_at", "send_at"])
    result.sent -= len(changed)


def reminders_deliver_batch(
    *, now: datetime | None = None, limit: int | None = None
) -> DeliveryResult:
    """Claim up to `limit` due reminders and deliver them, all in one transaction."""
    limit = limit or settings.REMINDER_BATCH_SIZE
    result = DeliveryResult()
    with transaction.atomic():
        now = now or timezone.now()
        batch = _claim(now, limit)
        if not batch:
            return result
        result.claimed, result.batches = len(batch), 1
        live, skipped, deferred = [], [], []
        for reminder in batch:
            if (
                reminder.pairing_state != PairingState.ACTIVE
                or not reminder.recipient_active
                # Answered in the app meanwhile (e.g. while this reminder waited out quiet
                # hours): "it is time for a check-in" would be wrong, for either of the pair.
                or reminder.answered_at is not None
            ):
                skipped.append(reminder.pk)
                continue
            quiet_until = _quiet_until(reminder, now)
            if quiet_until is not None:
                deferred.append(CheckInReminder(pk=reminder.pk, send_at=quiet_until))
                continue
            live.append(reminder)
        by_email = [r for r in live if r.wants_email and r.email]
        email_ids = {r.pk for r in by_email}

        # Every write first; sending is the last step before the commit.
        texts = _ReminderTexts()
        notifications = []
        for reminder in live:
            if reminder.in_app_at is None:
                text, link = texts.for_reminder(reminder)
                notifications.append(
                    Notification(
                        user_id=reminder.recipient_id,
                        kind=NotificationKind.CHECKIN_REMINDER,
                        text=text,
                        link=link,
                        created_at=now,
                    )
                )
        Notification.objects.bulk_create(notifications)
        unread_changed(*{n.user_id for n in notifications})
        deliveries = ReminderDelivery.objects.bulk_create(
            [
                ReminderDelivery(
                    reminder_id=r.pk,
                    channel=DeliveryChannel.EMAIL if r.pk in email_ids else DeliveryChannel.IN_APP,
                    outcome=DeliveryOutcome.SENT,
                    attempt=r.attempts + 1,
                    at=now,
                )
                for r in live
            ]
        )
        if live:
            CheckInReminder.objects.filter(pk__in=[r.pk for r in live]).update(
                status=ReminderStatus.SENT,
                sent_at=now,
                attempts=F("attempts") + 1,
                in_app_at=Coalesce("in_app_at", Value(now, output_field=models.DateTimeField())),
            )
        if skipped:
            CheckInReminder.objects.filter(pk__in=skipped).update(status=ReminderStatus.SKIPPED)
        if deferred:
            CheckInReminder.objects.bulk_update(deferred, ["send_at"])
        audit_record(
            actor=None,
            action=AuditAction.REMINDERS_DELIVERED,
            claimed=len(batch),
            delivered=len(live),
            skipped=len(skipped),
            deferred=len(deferred),
        )
        result.sent, result.skipped, result.deferred = len(live), len(skipped), len(deferred)

        failures = _send_emails(by_email)
        if failures:
            by_reminder = {d.reminder_id: d for d in deliveries}
            _record_failures(failures, by_email, by_reminder, now, result)
    return result


def reminders_deliver_due(
    *,
    now: datetime | None = None,
    limit: int | None = None,
    time_budget: float | None = None,
) -> tuple[DeliveryResult, bool]:
    """Make due check-ins and deliver due reminders, a chunk and a batch at a time, until
    neither is left. Several of these run side by side (skip-locked rows keep them apart).
    Returns the totals (with `checkins_created`) and whether the time budget ran out first."""
    total = DeliveryResult()
    started = monotonic()
    while True:
        made = reminders_materialise_chunk(now=now)
        result = reminders_deliver_batch(now=now, limit=limit)
        total.add(result)
        total.checkins_created += made.checkins
        if made.schedules == 0 and result.claimed == 0:
            return total, False
        if time_budget is not None and monotonic() - started > time_budget:
            return total, True


def reminders_due_exist(*, now: datetime | None = None) -> bool:
    """Is there a check-in to make or a reminder to send?"""
    now = now or timezone.now()
    return _due_schedules(now).exists() or CheckInReminder.objects.due(now).exists()


# -- contact that has lapsed ---------------------------------------------------------------


def lapsed_pairings(*, now: datetime | None = None):
    """Active pairings with no contact (a session held, a check-in answered) for
    CONTACT_LAPSE_DAYS, counted from the later of the start or the last resume, and not yet
    escalated for this lapse. Annotated with `last_contact`."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.CONTACT_LAPSE_DAYS)
    held = SupportSession.objects.filter(
        pairing=OuterRef("pk"), status=SessionStatus.HELD, starts_at__lte=now
    ).order_by("-starts_at")
    answered = CheckIn.objects.filter(pairing=OuterRef("pk"), answered_at__isnull=False).order_by(
        "-answered_at"
    )
    resumed = PairingTransition.objects.filter(
        pairing=OuterRef("pk"), to_state=PairingState.ACTIVE
    ).order_by("-at")
    start = Coalesce(Subquery(resumed.values("at")[:1]), F("activated_at"), F("created_at"))
    return (
        Pairing.objects.filter(state=PairingState.ACTIVE)
        # Started after the cutoff: cannot have lapsed yet (and skips the subqueries).
        .exclude(activated_at__gte=cutoff)
        .annotate(
            last_contact=Greatest(
                start,
                Coalesce(Subquery(held.values("starts_at")[:1]), start),
                Coalesce(Subquery(answered.values("answered_at")[:1]), start),
            )
        )
        .filter(last_contact__lt=cutoff)
        .exclude(
            Exists(
                ContactLapse.objects.filter(
                    pairing=OuterRef("pk"), last_contact_at=OuterRef("last_contact")
                )
            )
        )
        .only("pk")
    )


def lapses_escalate(*, now: datetime | None = None) -> int:
    """Tell the coordinators, once per lapse, about a pairing that has gone quiet."""
    now = now or timezone.now()
    escalated = 0
    for pairing in lapsed_pairings(now=now):
        try:
            with transaction.atomic():
                lapse = ContactLapse.objects.create(
                    pairing_id=pairing.pk, last_contact_at=pairing.last_contact, escalated_at=now
                )
                audit_record(
                    actor=None,
                    action=AuditAction.PAIRING_CONTACT_LAPSED,
                    target=pairing,
                    lapse_id=lapse.pk,
                    days=settings.CONTACT_LAPSE_DAYS,
                )
                notify_coordinators(
                    kind=NotificationKind.CONTACT_LAPSE,
                    text=_("A pairing has had no contact for %(days)s days.")
                    % {"days": settings.CONTACT_LAPSE_DAYS},
                    link=reverse("team:pairing", kwargs={"pk": pairing.pk}),
                )
        except IntegrityError:
            continue  # another sweep escalated this lapse first
        escalated += 1
    return escalated


# -- runs ----------------------------------------------------------------------------------


@dataclass
class SweepResult:
    schedules_created: int = 0
    escalated: int = 0


def reminders_sweep(*, now: datetime | None = None) -> SweepResult:
    """What beat runs every few minutes before the delivery tasks fan out: default schedules
    for new pairings, and escalations for lapsed contact."""
    now = now or timezone.now()
    return SweepResult(schedules_created=_schedules_ensure(now), escalated=lapses_escalate(now=now))


def sweep_run_start(*, kind: str) -> SweepRun:
    if kind not in SweepKind.values:
        raise ValueError(kind)
    return SweepRun.objects.create(kind=kind)


def sweep_run_finish(*, run: SweepRun, **counts: int) -> SweepRun:
    for name, value in counts.items():
        setattr(run, name, value)
    run.finished_at = timezone.now()
    run.save()
    return run
