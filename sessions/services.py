"""Every write in sessions: session logs, schedules, check-in answers, and the reminder sweep.

The sweep's guarantees come from the database, not from Celery:
- check-ins and reminders are created under a row lock on the schedule, with unique keys
  (pairing, due time) and (pairing, recipient, due time) as the backstop;
- a delivery batch claims its reminders with SELECT ... FOR UPDATE SKIP LOCKED, writes the
  in-app notifications, the delivery rows and the "sent" marks, then sends the emails over
  one connection as the last step before COMMIT. Two sweeps never hold the same row; a
  worker that dies before the commit leaves its rows pending (nothing recorded as sent that
  was not), and the next sweep sends them.
The one window no database can close is between the mail server accepting a message and
the COMMIT: a worker that dies while a batch is being handed to the mail server resends
that batch's messages later. It is kept small (every write comes before the first message,
so only the hand-over itself and the commit remain), and each reminder keeps one Message-ID
across attempts so mail systems can recognise a repeat.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, fields
from datetime import datetime, time, timedelta
from time import monotonic
from typing import NamedTuple
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from matching.models import Pairing, PairingState, PairingTransition
from peersupport.people.mail import discreet_message
from peersupport.people.models import Notification, User
from peersupport.people.notifications import notify, notify_coordinators
from peersupport.people.services import audit_record

from .models import (
    CANCELLED_STATUSES,
    MAX_SESSION_MINUTES,
    OUTCOME_STATUSES,
    CheckIn,
    CheckInReminder,
    CheckInSchedule,
    ContactLapse,
    DeliveryChannel,
    DeliveryOutcome,
    ReminderDelivery,
    ReminderStatus,
    SessionMode,
    SessionStatus,
    SupportSession,
    SweepKind,
    SweepRun,
    WantsSession,
    Wellbeing,
    session_may_become,
)
from .timing import default_quiet_hours, in_quiet_hours, next_due_after, outside_quiet_hours, zone

# A session marked as held may start a little ahead of the server's clock, not more.
HELD_TOLERANCE = timedelta(hours=1)
PLAN_AHEAD_LIMIT = timedelta(days=366)
MAX_NOTES = 10000
DEFAULT_INTERVAL_DAYS = 7
REMINDER_KIND = "checkin_reminder"


# -- sessions --------------------------------------------------------------------------------


def _validate_session(
    *,
    starts_at: datetime,
    duration_minutes: int,
    mode: str,
    status: str,
    wellbeing: int | None,
    now: datetime,
) -> None:
    errors: dict[str, str] = {}
    if duration_minutes is None or not 1 <= duration_minutes <= MAX_SESSION_MINUTES:
        errors["duration_minutes"] = _("Enter a length between 1 and %(max)s minutes.") % {
            "max": MAX_SESSION_MINUTES
        }
    if mode not in SessionMode.values:
        errors["mode"] = _("Choose one of the options shown.")
    if status not in SessionStatus.values:
        errors["status"] = _("Choose one of the options shown.")
    elif status in OUTCOME_STATUSES and starts_at > now + HELD_TOLERANCE:
        errors["starts_at"] = _("A session that was held or missed cannot be in the future.")
    elif status == SessionStatus.SCHEDULED and starts_at < now:
        errors["starts_at"] = _("A planned session needs a time in the future.")
    elif starts_at > now + PLAN_AHEAD_LIMIT:  # planned, or a planned one cancelled
        errors["starts_at"] = _("Plan sessions at most a year ahead.")
    if wellbeing is not None and wellbeing not in Wellbeing.values:
        errors["wellbeing"] = _("Choose one of the options shown.")
    if errors:
        raise ValidationError(errors)


def _session_link(session: SupportSession) -> str:
    return reverse("peer_sessions:session", kwargs={"pk": session.pk})


@transaction.atomic
def session_log(
    *,
    supporter: User,
    pairing_id: int,
    starts_at: datetime,
    duration_minutes: int,
    mode: str,
    status: str,
    wellbeing: int | None = None,
    notes: str = "",
    now: datetime | None = None,
) -> SupportSession:
    """Log a session that happened (or did not), or plan one ahead (status "scheduled")."""
    now = now or timezone.now()
    pairing = Pairing.objects.select_for_update().get(pk=pairing_id, supporter=supporter)
    if pairing.state != PairingState.ACTIVE:
        raise ValidationError(
            {"pairing": _("Sessions can be logged only while the pairing is active.")}
        )
    _validate_session(
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        mode=mode,
        status=status,
        wellbeing=wellbeing,
        now=now,
    )
    if len(notes) > MAX_NOTES:
        raise ValidationError({"notes": _("Keep notes under 10,000 characters.")})
    session = SupportSession.objects.create(
        pairing=pairing,
        logged_by=supporter,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        mode=mode,
        status=status,
        wellbeing=wellbeing,
        private_notes=notes.strip(),
        cancelled_at=now if status in CANCELLED_STATUSES else None,
        created_at=now,
    )
    audit_record(actor=supporter, action="session.logged", target=session, status=status)
    if status == SessionStatus.SCHEDULED:
        notify(
            user=pairing.survivor,
            kind="session_planned",
            text=_("A session has been planned with you."),
            link=_session_link(session),
        )
    return session


def _lock_session(session_id: int) -> SupportSession:
    return (
        SupportSession.objects.select_for_update(of=("self",))
        .select_related("pairing__survivor", "pairing__supporter")
        .without_notes()
        .get(pk=session_id)
    )


@transaction.atomic
def session_update(
    *,
    supporter: User,
    session_id: int,
    starts_at: datetime,
    duration_minutes: int,
    mode: str,
    status: str,
    wellbeing: int | None = None,
    now: datetime | None = None,
) -> SupportSession:
    """The supporter records how a planned session went, moves it, or cancels it; or corrects
    held into missed or back. Other changes (SESSION_TRANSITIONS) are refused on the status."""
    now = now or timezone.now()
    session = _lock_session(session_id)
    if session.pairing.supporter_id != supporter.pk:
        raise SupportSession.DoesNotExist
    previous = session.status
    if previous in CANCELLED_STATUSES:
        raise ValidationError({"status": _("A cancelled session cannot be changed.")})
    if status in SessionStatus.values and not session_may_become(previous, status):
        raise ValidationError(
            {
                "status": _("A session marked “%(old)s” cannot be changed to “%(new)s”.")
                % {"old": SessionStatus(previous).label, "new": SessionStatus(status).label}
            }
        )
    if status == SessionStatus.SCHEDULED:
        state = (
            Pairing.objects.select_for_update()
            .values_list("state", flat=True)
            .get(pk=session.pairing_id)
        )
        if state != PairingState.ACTIVE:
            raise ValidationError(
                {"status": _("Sessions can be planned only while the pairing is active.")}
            )
    _validate_session(
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        mode=mode,
        status=status,
        wellbeing=wellbeing,
        now=now,
    )
    moved = status == SessionStatus.SCHEDULED and starts_at != session.starts_at
    session.starts_at = starts_at
    session.duration_minutes = duration_minutes
    session.mode = mode
    session.status = status
    session.wellbeing = wellbeing
    if moved:
        session.reschedule_requested_at = None
    if status in CANCELLED_STATUSES and session.cancelled_at is None:
        session.cancelled_at = now
    session.save(
        update_fields=[
            "starts_at",
            "duration_minutes",
            "mode",
            "status",
            "wellbeing",
            "reschedule_requested_at",
            "cancelled_at",
            "updated_at",
        ]
    )
    audit_record(
        actor=supporter, action="session.updated", target=session, status=status, was=previous
    )
    if moved:
        notify(
            user=session.pairing.survivor,
            kind="session_moved",
            text=_("A planned session has a new time."),
            link=_session_link(session),
        )
    elif previous == SessionStatus.SCHEDULED and status in CANCELLED_STATUSES:
        notify(
            user=session.pairing.survivor,
            kind="session_cancelled",
            text=_("A planned session has been cancelled."),
            link=_session_link(session),
        )
    return session


@transaction.atomic
def session_notes_save(*, author: User, session_id: int, notes: str) -> SupportSession:
    """Replace the private notes. Only their author may; they are stored encrypted."""
    session = SupportSession.objects.select_for_update().get(pk=session_id, logged_by=author)
    if len(notes) > MAX_NOTES:
        raise ValidationError({"notes": _("Keep notes under 10,000 characters.")})
    session.private_notes = notes.strip()
    session.save(update_fields=["private_notes", "updated_at"])
    audit_record(actor=author, action="session.notes_saved", target=session)
    return session


def _upcoming_or_error(session: SupportSession, now: datetime) -> None:
    if session.status != SessionStatus.SCHEDULED or session.starts_at < now:
        raise ValidationError(_("Only a planned session that has not started can be changed."))


@transaction.atomic
def session_cancel(*, user: User, session_id: int, now: datetime | None = None) -> SupportSession:
    """Either side cancels a planned session; the other side is told."""
    now = now or timezone.now()
    session = _lock_session(session_id)
    pairing = session.pairing
    if user.pk == pairing.survivor_id:
        status, other = SessionStatus.CANCELLED_BY_SURVIVOR, pairing.supporter
    elif user.pk == pairing.supporter_id:
        status, other = SessionStatus.CANCELLED_BY_SUPPORTER, pairing.survivor
    else:
        raise SupportSession.DoesNotExist
    _upcoming_or_error(session, now)
    session.status = status
    session.cancelled_at = now
    session.save(update_fields=["status", "cancelled_at", "updated_at"])
    audit_record(actor=user, action="session.cancelled", target=session, status=status)
    notify(
        user=other,
        kind="session_cancelled",
        text=_("A planned session has been cancelled."),
        link=_session_link(session),
    )
    return session


@transaction.atomic
def session_reschedule_request(
    *, survivor: User, session_id: int, now: datetime | None = None
) -> SupportSession:
    """The survivor asks for another time; the supporter is told and moves it."""
    now = now or timezone.now()
    session = _lock_session(session_id)
    if session.pairing.survivor_id != survivor.pk:
        raise SupportSession.DoesNotExist
    _upcoming_or_error(session, now)
    if session.reschedule_requested_at is not None:
        raise ValidationError(_("You have already asked for another time."))
    session.reschedule_requested_at = now
    session.save(update_fields=["reschedule_requested_at", "updated_at"])
    audit_record(actor=survivor, action="session.reschedule_requested", target=session)
    notify(
        user=session.pairing.supporter,
        kind="session_reschedule",
        text=_("Someone you support would like another time for a session."),
        link=_session_link(session),
    )
    return session


# -- check-in schedules and answers -----------------------------------------------------------


def schedule_defaults(pairing: Pairing, *, now: datetime | None = None) -> CheckInSchedule:
    """An unsaved schedule with the defaults: weekly from the start, default quiet hours."""
    now = now or timezone.now()
    start, end = default_quiet_hours()
    first = (pairing.activated_at or now) + timedelta(days=DEFAULT_INTERVAL_DAYS)
    return CheckInSchedule(
        pairing=pairing,
        interval_days=DEFAULT_INTERVAL_DAYS,
        next_due_at=first,
        quiet_start=start,
        quiet_end=end,
    )


@transaction.atomic
def schedule_save(
    *,
    user: User,
    pairing_id: int,
    interval_days: int,
    next_due_at: datetime,
    quiet_start: time,
    quiet_end: time,
    active: bool = True,
    now: datetime | None = None,
) -> CheckInSchedule:
    """Either side of an active or paused pairing sets how often they check in."""
    now = now or timezone.now()
    pairing = (
        Pairing.objects.select_for_update()
        .filter(Q(survivor=user) | Q(supporter=user))
        .get(pk=pairing_id)
    )
    if pairing.state not in (PairingState.ACTIVE, PairingState.PAUSED):
        raise ValidationError(_("Check-ins can be set once the pairing has started."))
    errors = {}
    if not 1 <= interval_days <= 60:
        errors["interval_days"] = _("Choose one of the options shown.")
    if next_due_at <= now:
        errors["next_due_at"] = _("Choose a time in the future.")
    elif next_due_at > now + PLAN_AHEAD_LIMIT:
        errors["next_due_at"] = _("Choose a time within the next year.")
    if errors:
        raise ValidationError(errors)
    schedule = CheckInSchedule.objects.select_for_update().filter(pairing=pairing).first()
    if schedule is None:
        schedule = schedule_defaults(pairing, now=now)
    schedule.interval_days = interval_days
    schedule.next_due_at = next_due_at
    schedule.quiet_start = quiet_start
    schedule.quiet_end = quiet_end
    schedule.active = active
    schedule.updated_by = user
    schedule.save()
    audit_record(
        actor=user, action="checkins.schedule_saved", target=schedule, interval=interval_days
    )
    other = pairing.supporter if user.pk == pairing.survivor_id else pairing.survivor
    notify(
        user=other,
        kind="checkin_schedule",
        text=_("Your check-in times have changed."),
        link=reverse("peer_sessions:pairing", kwargs={"pk": pairing.pk}),
        email=False,
    )
    return schedule


@transaction.atomic
def checkin_answer(
    *,
    survivor: User,
    checkin_id: int,
    mood: int,
    wants_session: str,
    note: str = "",
    now: datetime | None = None,
) -> CheckIn:
    """The survivor answers a check-in; their supporter sees it (and is emailed if they would
    like a session)."""
    now = now or timezone.now()
    checkin = (
        CheckIn.objects.select_for_update(of=("self",))
        .select_related("pairing__supporter")
        .get(pk=checkin_id, pairing__survivor=survivor)
    )
    if checkin.answered_at is not None:
        raise ValidationError(_("You have already answered this check-in. Thank you."))
    errors = {}
    if mood not in Wellbeing.values:
        errors["mood"] = _("Choose one of the options shown.")
    if wants_session not in WantsSession.values:
        errors["wants_session"] = _("Choose one of the options shown.")
    if len(note) > 2000:
        errors["note"] = _("Keep this under 2,000 characters.")
    if errors:
        raise ValidationError(errors)
    checkin.mood = mood
    checkin.wants_session = wants_session
    checkin.note = note.strip()
    checkin.answered_at = now
    checkin.save(update_fields=["mood", "wants_session", "note", "answered_at"])
    audit_record(actor=survivor, action="checkin.answered", target=checkin)
    notify(
        user=checkin.pairing.supporter,
        kind="checkin_answered",
        text=_("A check-in has been answered."),
        link=reverse("peer_sessions:pairing", kwargs={"pk": checkin.pairing_id}),
        email=wants_session == WantsSession.YES,
    )
    return checkin


# -- the sweep: check-ins become due --------------------------------------------------------


def _schedules_ensure(now: datetime) -> int:
    """Every active pairing gets the default schedule until the pair sets their own."""
    missing = list(
        Pairing.objects.filter(state=PairingState.ACTIVE, checkin_schedule__isnull=True).only(
            "pk", "activated_at"
        )
    )
    if not missing:
        return 0
    CheckInSchedule.objects.bulk_create(
        [schedule_defaults(pairing, now=now) for pairing in missing], ignore_conflicts=True
    )
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
        audit_record(
            actor=None,
            action="checkins.due",
            count=len(checkins),
            too_late=len(schedules) - len(checkins),
        )
        return Materialised(len(schedules), len(checkins))


def reminders_materialise(*, now: datetime | None = None, chunk: int = 500) -> int:
    """Every due schedule, chunk by chunk (each chunk its own transaction). Returns the
    number of check-ins made."""
    now = now or timezone.now()
    _schedules_ensure(now)
    created = 0
    while (made := reminders_materialise_chunk(now=now, chunk=chunk)).schedules:
        created += made.checkins
    return created


# -- the sweep: delivering reminders -------------------------------------------------------------


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
        mail_connection = get_connection(fail_silently=False)
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
                        kind=REMINDER_KIND,
                        text=text,
                        link=link,
                        created_at=now,
                    )
                )
        Notification.objects.bulk_create(notifications)
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
            action="reminders.delivered",
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


# -- the sweep: contact that has lapsed -----------------------------------------------------


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
                    action="pairing.contact_lapsed",
                    target=pairing,
                    lapse_id=lapse.pk,
                    days=settings.CONTACT_LAPSE_DAYS,
                )
                notify_coordinators(
                    kind="contact_lapse",
                    text=_("A pairing has had no contact for %(days)s days.")
                    % {"days": settings.CONTACT_LAPSE_DAYS},
                    link=reverse("matching:pairing", kwargs={"pk": pairing.pk}),
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
