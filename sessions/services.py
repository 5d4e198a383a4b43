"""The writes people make in sessions: session logs, plans and their changes, private notes,
check-in schedules and check-in answers. Each runs in one transaction with its audit row.

The reminder pipeline that turns schedules into check-ins and reminders, and delivers them,
is in reminders.py.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from matching.locking import lock_pairing
from matching.models import Pairing, PairingState
from peersupport.people.events import AuditAction, NotificationKind
from peersupport.people.models import User
from peersupport.people.notifications import notify
from peersupport.people.services import audit_record

from . import dates
from .models import (
    CANCELLED_STATUSES,
    MAX_SESSION_MINUTES,
    CheckIn,
    CheckInSchedule,
    SessionMode,
    SessionStatus,
    SupportSession,
    WantsSession,
    Wellbeing,
    session_may_become,
)
from .timing import default_quiet_hours, zone

MAX_NOTES = 10000
DEFAULT_INTERVAL_DAYS = 7


# -- sessions --------------------------------------------------------------------------------


def _validate_session(
    *,
    pairing: Pairing,
    by: User,
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
    elif problem := _not_a_time(starts_at) or dates.session_time_problem(
        starts_at=starts_at, status=status, pairing=pairing, now=now, zone=zone(by.time_zone)
    ):
        errors["starts_at"] = problem
    if wellbeing is not None and wellbeing not in Wellbeing.values:
        errors["wellbeing"] = _("Choose one of the options shown.")
    if errors:
        raise ValidationError(errors)


def _not_a_time(moment) -> str | None:
    """The dates rules compare times across zones: they need an aware datetime."""
    if not isinstance(moment, datetime) or timezone.is_naive(moment):
        return _("Enter a date and a time.")
    return None


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
    # The one lock order (docs/architecture.md): the survivor, then the pairing.
    pairing = lock_pairing(pairing_id, supporter_id=supporter.pk).pairing
    if pairing.state != PairingState.ACTIVE:
        raise ValidationError(
            {"pairing": _("Sessions can be logged only while the pairing is active.")}
        )
    _validate_session(
        pairing=pairing,
        by=supporter,
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
    audit_record(actor=supporter, action=AuditAction.SESSION_LOGGED, target=session, status=status)
    if status == SessionStatus.SCHEDULED:
        notify(
            user=pairing.survivor,
            kind=NotificationKind.SESSION_PLANNED,
            text=_("A session has been planned with you."),
            link=_session_link(session),
        )
    return session


def _lock_session(session_id: int) -> SupportSession:
    """The session, after its pairing's survivor and the pairing (the one lock order), so a
    change to a session and the survivor deleting their account wait for each other."""
    pairing_id = (
        SupportSession.objects.filter(pk=session_id).values_list("pairing_id", flat=True).first()
    )
    if pairing_id is None:
        raise SupportSession.DoesNotExist
    lock_pairing(pairing_id)
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
    # _lock_session locked the pairing before loading the session: its state is current.
    if status == SessionStatus.SCHEDULED and session.pairing.state != PairingState.ACTIVE:
        raise ValidationError(
            {"status": _("Sessions can be planned only while the pairing is active.")}
        )
    _validate_session(
        pairing=session.pairing,
        by=supporter,
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
        actor=supporter,
        action=AuditAction.SESSION_UPDATED,
        target=session,
        status=status,
        was=previous,
    )
    if moved:
        notify(
            user=session.pairing.survivor,
            kind=NotificationKind.SESSION_MOVED,
            text=_("A planned session has a new time."),
            link=_session_link(session),
        )
    elif previous == SessionStatus.SCHEDULED and status in CANCELLED_STATUSES:
        notify(
            user=session.pairing.survivor,
            kind=NotificationKind.SESSION_CANCELLED,
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
    audit_record(actor=author, action=AuditAction.SESSION_NOTES_SAVED, target=session)
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
    audit_record(actor=user, action=AuditAction.SESSION_CANCELLED, target=session, status=status)
    notify(
        user=other,
        kind=NotificationKind.SESSION_CANCELLED,
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
    audit_record(actor=survivor, action=AuditAction.SESSION_RESCHEDULE_REQUESTED, target=session)
    notify(
        user=session.pairing.supporter,
        kind=NotificationKind.SESSION_RESCHEDULE,
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
    if not Pairing.objects.filter(Q(survivor=user) | Q(supporter=user), pk=pairing_id).exists():
        raise Pairing.DoesNotExist
    pairing = lock_pairing(pairing_id).pairing  # the survivor, then the pairing
    if pairing.state not in (PairingState.ACTIVE, PairingState.PAUSED):
        raise ValidationError(_("Check-ins can be set once the pairing has started."))
    errors = {}
    if not 1 <= interval_days <= 60:
        errors["interval_days"] = _("Choose one of the options shown.")
    if problem := _not_a_time(next_due_at) or dates.checkin_time_problem(
        next_due_at=next_due_at, now=now, zone=zone(user.time_zone)
    ):
        errors["next_due_at"] = problem
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
        actor=user,
        action=AuditAction.CHECKINS_SCHEDULE_SAVED,
        target=schedule,
        interval=interval_days,
    )
    other = pairing.supporter if user.pk == pairing.survivor_id else pairing.survivor
    notify(
        user=other,
        kind=NotificationKind.CHECKIN_SCHEDULE,
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
    pairing_id = (
        CheckIn.objects.filter(pk=checkin_id, pairing__survivor=survivor)
        .values_list("pairing_id", flat=True)
        .first()
    )
    if pairing_id is None:
        raise CheckIn.DoesNotExist
    lock_pairing(pairing_id, survivor_id=survivor.pk)  # the one lock order, then the check-in
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
    audit_record(actor=survivor, action=AuditAction.CHECKIN_ANSWERED, target=checkin)
    notify(
        user=checkin.pairing.supporter,
        kind=NotificationKind.CHECKIN_ANSWERED,
        text=_("A check-in has been answered."),
        link=reverse("peer_sessions:pairing", kwargs={"pk": checkin.pairing_id}),
        email=wants_session == WantsSession.YES,
    )
    return checkin
