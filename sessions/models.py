"""Sessions, check-in schedules and the reminders that go out for them.

The database holds what must never break: one check-in per pairing and due time, one
reminder per (pairing, recipient, due time), at most one successful delivery per reminder and
channel, one escalation per lapse of contact. The sweep (services.py) relies on these, not
on Celery delivering a task once.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matching.models import Pairing
from peersupport.people.models import User
from peersupport.platform.crypto import EncryptedTextField

MAX_SESSION_MINUTES = 480

# The times Python can read back. PostgreSQL holds dates BC and after 9999, and a row with one
# then fails every page that loads it; the services keep people to a far narrower range
# (dates.py), the database refuses what could never be read.
READABLE_FROM = datetime.min.replace(tzinfo=UTC)
READABLE_TO = datetime.max.replace(tzinfo=UTC)


class SessionMode(models.TextChoices):
    CHAT = "chat", _("Chat")
    PHONE = "phone", _("Phone")
    VIDEO = "video", _("Video")
    IN_PERSON = "in_person", _("In person")


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Planned")
    HELD = "held", _("Held")
    CANCELLED_BY_SURVIVOR = "cancelled_survivor", _("Cancelled by the person supported")
    CANCELLED_BY_SUPPORTER = "cancelled_supporter", _("Cancelled by the supporter")
    MISSED = "missed", _("Missed")


# Outcomes that say the session's time has come and gone.
OUTCOME_STATUSES = (SessionStatus.HELD, SessionStatus.MISSED)
CANCELLED_STATUSES = (SessionStatus.CANCELLED_BY_SURVIVOR, SessionStatus.CANCELLED_BY_SUPPORTER)

# What a session may become, written once (session_update and session_cancel keep to it).
# A planned session is held, missed, cancelled, or moved (planned again at another time);
# held and missed may be corrected into each other; a cancellation is final, so a session
# the survivor cancelled never silently becomes planned again.
SESSION_TRANSITIONS: dict[str, frozenset[str]] = {
    SessionStatus.SCHEDULED: frozenset(
        {SessionStatus.SCHEDULED, *OUTCOME_STATUSES, *CANCELLED_STATUSES}
    ),
    SessionStatus.HELD: frozenset(OUTCOME_STATUSES),
    SessionStatus.MISSED: frozenset(OUTCOME_STATUSES),
    SessionStatus.CANCELLED_BY_SURVIVOR: frozenset(),
    SessionStatus.CANCELLED_BY_SUPPORTER: frozenset(),
}


def session_may_become(old: str, new: str) -> bool:
    return new in SESSION_TRANSITIONS.get(old, frozenset())


class Wellbeing(models.IntegerChoices):
    STRUGGLING = 1, _("Struggling")
    LOW = 2, _("Low")
    OKAY = 3, _("Okay")
    GOOD = 4, _("Good")
    VERY_GOOD = 5, _("Really good")


class SupportSessionQuerySet(models.QuerySet):
    def upcoming(self, now=None):
        return self.filter(
            status=SessionStatus.SCHEDULED, starts_at__gte=now or timezone.now()
        ).order_by("starts_at", "id")

    def past(self, now=None):
        return self.exclude(
            status=SessionStatus.SCHEDULED, starts_at__gte=now or timezone.now()
        ).order_by("-starts_at", "-id")

    def without_notes(self):
        """Never load (or decrypt) the private notes for someone who is not their author."""
        return self.defer("private_notes")


class SupportSession(models.Model):
    """A session between a pair, planned or logged. Its notes belong to whoever logged it."""

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="support_sessions")
    logged_by = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("author")
    )
    starts_at = models.DateTimeField(_("when"), db_index=True)
    duration_minutes = models.PositiveSmallIntegerField(_("length in minutes"), default=60)
    mode = models.CharField(_("how"), max_length=20, choices=SessionMode.choices)
    status = models.CharField(_("status"), max_length=24, choices=SessionStatus.choices)
    wellbeing = models.PositiveSmallIntegerField(
        _("how they said they were doing"), null=True, blank=True, choices=Wellbeing.choices
    )
    private_notes = EncryptedTextField(_("private notes"), blank=True, default="")
    reschedule_requested_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SupportSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1) & Q(duration_minutes__lte=MAX_SESSION_MINUTES),
                name="session_length_range",
            ),
            models.CheckConstraint(
                condition=Q(status__in=SessionStatus.values), name="session_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(mode__in=SessionMode.values), name="session_mode_valid"
            ),
            models.CheckConstraint(
                condition=Q(wellbeing__isnull=True) | Q(wellbeing__gte=1, wellbeing__lte=5),
                name="session_wellbeing_range",
            ),
            models.CheckConstraint(
                condition=Q(starts_at__gte=READABLE_FROM, starts_at__lte=READABLE_TO),
                name="session_starts_at_readable",
            ),
        ]
        indexes = [models.Index(fields=["pairing", "starts_at"])]

    def __str__(self) -> str:
        return f"session {self.pk}"

    @property
    def is_upcoming(self) -> bool:
        return self.status == SessionStatus.SCHEDULED and self.starts_at >= timezone.now()


class CheckInInterval(models.IntegerChoices):
    WEEKLY = 7, _("Every week")
    FORTNIGHTLY = 14, _("Every two weeks")
    THREE_WEEKS = 21, _("Every three weeks")
    FOUR_WEEKS = 28, _("Every four weeks")


class CheckInSchedule(models.Model):
    """When a pair checks in. The time of day follows the survivor's clock (across daylight
    saving changes); each person's reminder waits until their own quiet hours are over."""

    pairing = models.OneToOneField(
        Pairing, on_delete=models.CASCADE, related_name="checkin_schedule"
    )
    interval_days = models.PositiveSmallIntegerField(
        _("how often"), choices=CheckInInterval.choices, default=CheckInInterval.WEEKLY
    )
    next_due_at = models.DateTimeField(_("next check-in"), db_index=True)
    quiet_start = models.TimeField(_("quiet hours start"))
    quiet_end = models.TimeField(_("quiet hours end"))
    active = models.BooleanField(_("reminders on"), default=True)
    updated_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(interval_days__gte=1) & Q(interval_days__lte=60),
                name="checkin_interval_range",
            ),
            models.CheckConstraint(
                condition=Q(next_due_at__gte=READABLE_FROM, next_due_at__lte=READABLE_TO),
                name="checkin_next_due_readable",
            ),
        ]

    def __str__(self) -> str:
        return f"check-in schedule {self.pk}"


class WantsSession(models.TextChoices):
    YES = "yes", _("Yes, I would like a session")
    MAYBE = "maybe", _("Maybe, I am not sure yet")
    NO = "no", _("Not right now")


class CheckIn(models.Model):
    """One check-in of a pair: due at a time, answered (or not) by the survivor."""

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="checkins")
    due_at = models.DateTimeField()
    mood = models.PositiveSmallIntegerField(
        _("how are you doing?"), null=True, blank=True, choices=Wellbeing.choices
    )
    wants_session = models.CharField(
        _("would you like a session?"), max_length=8, choices=WantsSession.choices, blank=True
    )
    note = EncryptedTextField(_("anything you would like your supporter to know"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-due_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["pairing", "due_at"], name="checkin_once_per_due_time"),
            models.CheckConstraint(
                condition=Q(mood__isnull=True) | Q(mood__gte=1, mood__lte=5),
                name="checkin_mood_range",
            ),
        ]

    def __str__(self) -> str:
        return f"check-in {self.pk}"


class ReminderStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Could not be sent")
    SKIPPED = "skipped", _("Not needed any more")


class CheckInReminderQuerySet(models.QuerySet):
    def due(self, now):
        return self.filter(status=ReminderStatus.PENDING, send_at__lte=now)


class CheckInReminder(models.Model):
    """The truth about one reminder: to whom, for which check-in, and whether it went out.

    `send_at` is when to (next) try: the due time moved out of the recipient's quiet hours,
    or later after a failed attempt.
    """

    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="reminders")
    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    due_at = models.DateTimeField()
    send_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=ReminderStatus.choices, default=ReminderStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    in_app_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CheckInReminderQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pairing", "recipient", "due_at"], name="reminder_once_per_recipient_due"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReminderStatus.values), name="reminder_status_valid"
            ),
        ]
        indexes = [
            # The sweep's claim: pending rows in send order, so LIMIT stops early.
            models.Index(
                fields=["send_at", "id"],
                condition=Q(status="pending"),
                name="reminder_pending_send_at",
            ),
        ]

    def __str__(self) -> str:
        return f"reminder {self.pk}"


class DeliveryChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    IN_APP = "in_app", _("In the app")


class DeliveryOutcome(models.TextChoices):
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class ReminderDelivery(models.Model):
    """One attempt to deliver a reminder. Error codes are exception names, never content."""

    reminder = models.ForeignKey(
        CheckInReminder, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(max_length=10, choices=DeliveryChannel.choices)
    outcome = models.CharField(max_length=10, choices=DeliveryOutcome.choices)
    attempt = models.PositiveSmallIntegerField(default=1)
    error_code = models.CharField(max_length=60, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reminder", "channel"],
                condition=Q(outcome="sent"),
                name="delivery_sent_once_per_channel",
            ),
        ]

    def __str__(self) -> str:
        return f"delivery {self.pk}"


class ContactLapse(models.Model):
    """A pairing went quiet. One row (and one escalation) per lapse: a lapse is identified by
    the last contact before it, so contact followed by a new silence is a new lapse."""

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="contact_lapses")
    last_contact_at = models.DateTimeField()
    escalated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pairing", "last_contact_at"], name="lapse_escalated_once"
            ),
        ]

    def __str__(self) -> str:
        return f"lapse {self.pk}"


class SweepKind(models.TextChoices):
    SWEEP = "sweep", _("Sweep")
    DELIVER = "deliver", _("Delivery")


class SweepRun(models.Model):
    """What one run of the reminder machinery did: counts only, for the service's health."""

    kind = models.CharField(max_length=10, choices=SweepKind.choices)
    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    checkins_created = models.PositiveIntegerField(default=0)
    claimed = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    deferred = models.PositiveIntegerField(default=0)
    escalated = models.PositiveIntegerField(default=0)
    queries = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} run {self.pk}"
