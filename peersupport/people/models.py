"""People: the user model, roles, profiles, the vocabularies they draw on, the audit log,
notifications and the outbox of emails leaving the service."""

from __future__ import annotations

import zoneinfo

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peersupport.platform.crypto import EncryptedTextField

from . import time_zones
from .events import audit_action_choices

TIMEZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones())]

# Weekly availability is a bitmask of 21 slots: 7 days x 3 parts of the day.
DAYS = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]
PARTS = [_("morning"), _("afternoon"), _("evening")]
AVAILABILITY_SLOTS = 21


def availability_choices() -> list[tuple[str, str]]:
    return [
        (str(day * 3 + part), f"{DAYS[day]} {PARTS[part]}") for day in range(7) for part in range(3)
    ]


class Role(models.TextChoices):
    SURVIVOR = "survivor", _("Person seeking support")
    SUPPORTER = "supporter", _("Peer supporter")
    COORDINATOR = "coordinator", _("Coordinator")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("role", Role.COORDINATOR)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """An account. `display_name` is a pseudonym: nobody is asked for a real name."""

    email = models.EmailField(_("email"), unique=True)
    display_name = models.CharField(
        _("name to show"),
        max_length=60,
        help_text=_("A first name or any name you like. It does not have to be your real name."),
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.SURVIVOR)
    time_zone = models.CharField(
        max_length=64, choices=TIMEZONE_CHOICES, default=time_zones.default_time_zone
    )
    email_notifications = models.BooleanField(
        _("send me discreet email reminders"),
        default=True,
        help_text=_("Emails never say what they are about: just a link to sign in."),
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="user_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or f"user {self.pk}"

    @property
    def is_survivor(self) -> bool:
        return self.role == Role.SURVIVOR

    @property
    def is_supporter(self) -> bool:
        return self.role == Role.SUPPORTER

    @property
    def is_coordinator(self) -> bool:
        return self.role == Role.COORDINATOR


class VocabularyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class Vocabulary(models.Model):
    """A term coordinators can add, rename, reorder or retire (never delete: people use it)."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    active = models.BooleanField(_("offered to people"), default=True)

    objects = VocabularyQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class LivedExperienceArea(Vocabulary):
    description = models.CharField(_("description"), max_length=240, blank=True)

    class Meta(Vocabulary.Meta):
        verbose_name = _("lived-experience area")


class Language(Vocabulary):
    class Meta(Vocabulary.Meta):
        verbose_name = _("language")


class MeetingMode(Vocabulary):
    class Meta(Vocabulary.Meta):
        verbose_name = _("meeting mode")


class Gender(Vocabulary):
    class Meta(Vocabulary.Meta):
        verbose_name = _("gender")


class CrisisResource(models.Model):
    """A line on the crisis-resources page. Data, so coordinators keep it right for their region."""

    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    url = models.URLField(_("website"), blank=True)
    region = models.CharField(_("region"), max_length=60, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    active = models.BooleanField(_("shown"), default=True)

    objects = VocabularyQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("crisis resource")

    def __str__(self) -> str:
        return self.name


class Relationship(models.TextChoices):
    """How a supporter (or a person seeking support) relates to the lived experience."""

    SURVIVOR = "survivor", _("I am a survivor")
    FAMILY = "family", _("A family member of a survivor")
    PARTNER = "partner", _("The partner of a survivor")
    FRIEND = "friend", _("A friend who closely supported a survivor")


class SurvivorProfile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="survivor_profile")
    relationship = models.CharField(
        _("my experience"),
        max_length=20,
        choices=Relationship.choices,
        default=Relationship.SURVIVOR,
    )
    languages = models.ManyToManyField(Language, blank=True, verbose_name=_("languages"))
    meeting_modes = models.ManyToManyField(MeetingMode, blank=True, verbose_name=_("ways to meet"))
    areas = models.ManyToManyField(
        LivedExperienceArea,
        blank=True,
        verbose_name=_("experiences I would like my supporter to share"),
    )
    preferred_gender = models.ForeignKey(
        Gender,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("I would prefer a supporter who is"),
    )
    prefers_survivor_supporter = models.BooleanField(
        _("I would prefer a supporter who is a survivor themselves"), default=False
    )
    availability = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"survivor profile {self.pk}"


class SupporterStatus(models.TextChoices):
    APPLIED = "applied", _("Application received")
    APPROVED = "approved", _("Approved")
    PAUSED = "paused", _("Paused")
    DECLINED = "declined", _("Not approved")
    # Set by a coordinator (matching/standing.py): no supporter page and no pairing at all.
    SUSPENDED = "suspended", _("Suspended")
    RETIRED = "retired", _("Retired")


# A supporter in one of these reaches no supporter page and sees no pairing.
BARRED_SUPPORTER_STATUSES = (SupporterStatus.SUSPENDED, SupporterStatus.RETIRED)


class SupporterProfileQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=SupporterStatus.APPROVED)

    def pending(self):
        return self.filter(status=SupporterStatus.APPLIED)


class SupporterProfile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="supporter_profile")
    status = models.CharField(
        max_length=20, choices=SupporterStatus.choices, default=SupporterStatus.APPLIED
    )
    relationship = models.CharField(
        _("my lived experience"), max_length=20, choices=Relationship.choices
    )
    areas = models.ManyToManyField(
        LivedExperienceArea, verbose_name=_("lived experience I can share")
    )
    languages = models.ManyToManyField(Language, verbose_name=_("languages"))
    meeting_modes = models.ManyToManyField(MeetingMode, verbose_name=_("ways to meet"))
    gender = models.ForeignKey(
        Gender, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("gender")
    )
    availability = models.PositiveIntegerField(default=0)
    capacity = models.PositiveSmallIntegerField(
        _("how many people I can support at once"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    accepting_new = models.BooleanField(_("open to new people"), default=True)
    # What people write here is encrypted at rest. On these fields max_length limits the
    # form only: the column holds the token, which is longer.
    motivation = EncryptedTextField(_("why I want to be a peer supporter"), max_length=2000)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = EncryptedTextField(max_length=500, blank=True)
    pause_reason = EncryptedTextField(max_length=500, blank=True)
    # A coordinator's reason for suspending or retiring them (for the coordinators only).
    standing_reason = EncryptedTextField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SupporterProfileQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1) & models.Q(capacity__lte=10),
                name="supporter_capacity_range",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=SupporterStatus.values),
                name="supporter_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"supporter profile {self.pk}"

    @property
    def is_approved(self) -> bool:
        return self.status == SupporterStatus.APPROVED


class AuditAppendOnly(Exception):
    """An audit row was asked to change or go: the trail is append-only."""


class AuditEventQuerySet(models.QuerySet):
    """Reads only: rows are appended by `peersupport.people.audit.append` (through
    `audit_record`), never updated or deleted here. The two documented exceptions (removing a
    deleted person's identity, pruning behind a checkpoint) live in `audit.py`."""

    def update(self, **kwargs):
        raise AuditAppendOnly("audit rows cannot be changed")

    def delete(self):
        raise AuditAppendOnly("audit rows cannot be deleted")

    def bulk_create(self, *args, **kwargs):
        raise AuditAppendOnly("audit rows are appended one by one, through audit_record")

    def bulk_update(self, *args, **kwargs):
        raise AuditAppendOnly("audit rows cannot be changed")

    def for_person(self, user_id: int):
        return self.filter(Q(actor_id=user_id) | Q(target_type=USER_LABEL, target_id=user_id))

    def for_pairing(self, pairing_id: int):
        return self.filter(
            Q(target_type=PAIRING_LABEL, target_id=pairing_id) | Q(data__pairing=pairing_id)
        )


USER_LABEL = "peersupport.user"
PAIRING_LABEL = "matching.pairing"


class AuditEvent(models.Model):
    """Who did what to which object, and when: one append-only, hash-chained trail of writes
    and of reads of sensitive pages. Holds ids, codes and counts, never what anyone wrote.

    The actor is kept without a database constraint (nothing cascades into the trail when an
    account is deleted); the deletion empties the person's ids instead, the one change the
    trail allows (`audit.forget_person`, docs/architecture.md)."""

    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False
    )
    actor_role = models.CharField(max_length=20, blank=True)  # the role when they acted
    actor_salt = models.CharField(max_length=32, null=True, blank=True)
    actor_ref = models.CharField(max_length=64, blank=True)
    action = models.CharField(max_length=80, choices=audit_action_choices)
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.BigIntegerField(null=True, blank=True)
    target_salt = models.CharField(max_length=32, null=True, blank=True)
    target_ref = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}:{self.target_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditAppendOnly("audit rows cannot be changed")
        if not self.hash:
            raise AuditAppendOnly("audit rows are appended through audit_record")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditAppendOnly("audit rows cannot be deleted")


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An in-app message. Its text is written by the service, never copied from a person."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=60)
    text = models.CharField(max_length=300)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.kind


class OutgoingEmailKind(models.TextChoices):
    NOTICE = "notice", _("Discreet notice")  # sent only if the person still wants emails
    URGENT = "urgent", _("Discreet notice that must not be missed")  # sent either way
    ACCOUNT = "account", _("Account email")  # allauth's: verification, a reset link, ...
    RESET = "reset", _("Password reset asked for")  # delivery writes the email, if any is due


class OutgoingEmailStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Could not be sent")
    DROPPED = "dropped", _("Not sent: nobody to send it to")


class OutgoingEmail(models.Model):
    """One email leaving the service (peersupport/people/outbox.py), written in the same
    transaction as the change it tells someone about.

    The address and the body are encrypted at rest (a body can hold a password-reset link)
    and blanked once the row is sent or dropped. Deleting an account deletes its rows, so
    nothing is sent to an account that is gone.
    """

    kind = models.CharField(max_length=10, choices=OutgoingEmailKind.choices)
    recipient = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    address = EncryptedTextField(blank=True)
    from_email = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=255, blank=True)
    body = EncryptedTextField(blank=True)
    html = EncryptedTextField(blank=True)
    status = models.CharField(
        max_length=10, choices=OutgoingEmailStatus.choices, default=OutgoingEmailStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=60, blank=True)  # an exception's type, never text

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=OutgoingEmailStatus.values), name="outbox_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=OutgoingEmailKind.values), name="outbox_kind_valid"
            ),
        ]
        indexes = [
            # The delivery's claim: pending rows in due order, so LIMIT stops early.
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(status="pending"),
                name="outbox_pending_due",
            ),
        ]

    def __str__(self) -> str:
        return f"outgoing email {self.pk}"
