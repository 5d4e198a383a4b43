"""Support requests, pairings and their lifecycle, and blocks.

The database holds the invariants that must never break: one live request per survivor and
at most one pairing not ended per survivor (partial unique constraints), and a state and end
reason that are always one of the known values. Capacity is guarded by locking the
supporter's profile row in the transaction that offers or accepts (see services.py); the rule
itself, who may be offered someone and how many places are left, is in eligibility.py.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peersupport.people.models import Gender, Language, LivedExperienceArea, MeetingMode, User
from peersupport.platform.crypto import EncryptedTextField


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Waiting for a match")
    MATCHED = "matched", _("Matched")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    CLOSED = "closed", _("Closed")


LIVE_REQUEST_STATUSES = (RequestStatus.OPEN, RequestStatus.MATCHED)


class RelationshipPreference(models.TextChoices):
    ANY = "", _("No preference")
    SURVIVOR = "survivor", _("Someone who is a survivor themselves")
    CLOSE_SUPPORTER = (
        "close_supporter",
        _("A family member, partner or friend who supported a survivor"),
    )


class SupportRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=RequestStatus.OPEN)

    def live(self):
        return self.filter(status__in=LIVE_REQUEST_STATUSES)


class SupportRequest(models.Model):
    survivor = models.ForeignKey(User, on_delete=models.CASCADE, related_name="support_requests")
    status = models.CharField(
        max_length=20, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    areas_must = models.ManyToManyField(
        LivedExperienceArea, blank=True, related_name="+", verbose_name=_("must share")
    )
    areas_nice = models.ManyToManyField(
        LivedExperienceArea, blank=True, related_name="+", verbose_name=_("would be good to share")
    )
    languages = models.ManyToManyField(Language, related_name="+", verbose_name=_("languages"))
    meeting_modes = models.ManyToManyField(
        MeetingMode, related_name="+", verbose_name=_("ways to meet")
    )
    time_zone = models.CharField(max_length=64, default="UTC")
    availability = models.PositiveIntegerField(default=0)
    gender_pref = models.ForeignKey(
        Gender, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    gender_must = models.BooleanField(default=False)
    relationship_pref = models.CharField(
        max_length=20, choices=RelationshipPreference.choices, blank=True, default=""
    )
    relationship_must = models.BooleanField(default=False)
    note_for_supporter = EncryptedTextField(blank=True, default="")
    previous_pairing = models.ForeignKey(
        "Pairing", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = SupportRequestQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survivor"],
                condition=Q(status__in=["open", "matched"]),
                name="one_live_request_per_survivor",
            ),
            models.CheckConstraint(
                condition=Q(status__in=RequestStatus.values), name="request_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"request {self.pk}"


class PairingState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    OFFERED = "offered", _("Offered")
    AWAITING_AGREEMENT = "awaiting_agreement", _("Awaiting agreement")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    ENDED = "ended", _("Ended")


class EndReason(models.TextChoices):
    # Before a pairing started
    DECLINED = "declined", _("The supporter declined")
    EXPIRED = "expired", _("The offer expired")
    WITHDRAWN = "withdrawn", _("The offer was withdrawn")
    REQUEST_WITHDRAWN = "request_withdrawn", _("The request was withdrawn")
    # After it started
    COMPLETED = "completed", _("Completed")
    SURVIVOR_CHANGE = "survivor_change", _("Asked for a different supporter")
    SUPPORTER_HANDOVER = "supporter_handover", _("The supporter handed over")
    COORDINATOR_ENDED = "coordinator_ended", _("Ended by a coordinator")
    SAFETY = "safety", _("Ended for safety")


class TransitionReason(models.TextChoices):
    """Why a pairing moved, when it did not end (an ending's reason is an `EndReason`)."""

    MATCHER = "matcher", _("Suggested by the matcher")
    AGREED = "agreed", _("Both agreed to the expectations")
    PAUSED = "paused", _("Paused")
    RESUMED = "resumed", _("Resumed")
    BLOCKED = "blocked", _("The person blocked the supporter")
    SAFEGUARDING = "safeguarding", _("Paused until a coordinator has looked at something")
    SUPPORTER_SUSPENDED = "supporter_suspended", _("Paused while the supporter is suspended")


# States in which a pairing takes one of the supporter's places.
CAPACITY_STATES = (PairingState.AWAITING_AGREEMENT, PairingState.ACTIVE, PairingState.PAUSED)
# States in which a proposal or offer keeps a place for itself, so the matcher never offers
# a supporter more people than they have places for.
OPEN_OFFER_STATES = (PairingState.PROPOSED, PairingState.OFFERED)
# A pairing has started once it became active (and stays started after it ends): from then on
# the survivor may know who their supporter is. Written once, for rows and for querysets.
STARTED_STATES = (PairingState.ACTIVE, PairingState.PAUSED)
STARTED = Q(state__in=STARTED_STATES) | Q(state=PairingState.ENDED, activated_at__isnull=False)
# States in which the supporter may see the survivor's shared details.
SUPPORTER_VISIBLE_STATES = CAPACITY_STATES
# Reasons that mean the pair actually worked together, so never re-offer them.
ENDED_TOGETHER = (
    EndReason.COMPLETED,
    EndReason.SURVIVOR_CHANGE,
    EndReason.SUPPORTER_HANDOVER,
    EndReason.COORDINATOR_ENDED,
    EndReason.SAFETY,
)


class PairingQuerySet(models.QuerySet):
    def not_ended(self):
        return self.exclude(state=PairingState.ENDED)

    def holding_places(self):
        return self.filter(state__in=CAPACITY_STATES)

    def open_offers(self):
        """Proposals and offers not answered yet: each keeps one of its supporter's places."""
        return self.filter(state__in=OPEN_OFFER_STATES)

    def for_survivor(self, user):
        return self.filter(survivor=user)

    def started(self):
        return self.filter(STARTED)


class Pairing(models.Model):
    request = models.ForeignKey(SupportRequest, on_delete=models.CASCADE, related_name="pairings")
    survivor = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="pairings_as_survivor"
    )
    supporter = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="pairings_as_supporter"
    )
    state = models.CharField(
        max_length=24, choices=PairingState.choices, default=PairingState.PROPOSED
    )
    end_reason = models.CharField(max_length=24, choices=EndReason.choices, blank=True)
    score = models.IntegerField(default=0)
    explanation = models.JSONField(default=list, blank=True)
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_pairings"
    )
    # Paused for safeguarding (a survivor's urgent route, a concern about exploitation or harm,
    # the supporter suspended): the supporter has no access to it at all until a coordinator
    # resumes it (or it ends). matching/holds.py sets it; matching/access.py reads it.
    safeguarding_hold = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PairingQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survivor"],
                condition=~Q(state="ended"),
                name="one_pairing_not_ended_per_survivor",
            ),
            models.CheckConstraint(
                condition=Q(state__in=PairingState.values), name="pairing_state_valid"
            ),
            models.CheckConstraint(
                condition=(Q(state="ended") & ~Q(end_reason=""))
                | (~Q(state="ended") & Q(end_reason="")),
                name="pairing_end_reason_iff_ended",
            ),
            models.CheckConstraint(
                condition=~Q(survivor=models.F("supporter")), name="pairing_two_people"
            ),
        ]
        indexes = [models.Index(fields=["supporter", "state"])]

    def __str__(self) -> str:
        return f"pairing {self.pk}"

    @property
    def has_started(self) -> bool:
        """The row-side twin of STARTED."""
        return self.state in STARTED_STATES or (
            self.state == PairingState.ENDED and self.activated_at is not None
        )

    @property
    def score_points(self) -> float:
        """The score in points (it is stored in hundredths, as the matching engine counts)."""
        return self.score / 100


class PairingTransition(models.Model):
    """One row per change of state: who, when, why. Never updated or deleted."""

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=24, blank=True, choices=PairingState.choices)
    to_state = models.CharField(max_length=24, choices=PairingState.choices)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    reason = models.CharField(
        max_length=40, blank=True, choices=[*EndReason.choices, *TransitionReason.choices]
    )
    note = EncryptedTextField(max_length=500, blank=True)  # a person's words: encrypted
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state}->{self.to_state}"


class Block(models.Model):
    """A survivor never wants to be offered this supporter again."""

    survivor = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocks")
    supporter = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survivor", "supporter"], name="block_once"),
        ]

    def __str__(self) -> str:
        return f"block {self.pk}"
