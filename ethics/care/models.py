"""What people raise about a relationship: concerns, safety flags, debriefs, change requests.

Everything a person writes here is encrypted at rest and never copied into audit rows or
emails. The tables were made by the `ethics` app and keep their names (`db_table`).

Concerns and safety flags are safeguarding records: they outlive the accounts of the people in
the pairing. When either person deletes their account the pairing goes and the record stays,
with no link to them: `pairing` and `raised_by` become empty, and what was noted when it was
raised (the pairing's number, and whether the survivor or the supporter raised it) is enough
for a coordinator to read it as "raised by the supporter about a pairing that has ended".
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peersupport.people.models import User
from peersupport.platform.crypto import EncryptedTextField

# -- what outlives an account ----------------------------------------------------------------


class RaiserSide(models.TextChoices):
    SURVIVOR = "survivor", _("Person seeking support")
    SUPPORTER = "supporter", _("Peer supporter")


class SafeguardRecord(models.Model):
    """A concern or a safety flag: about a pairing, raised by one side of it, kept after either
    person leaves. Names no one once they have gone (only ids and a side)."""

    pairing = models.ForeignKey(
        "matching.Pairing", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Noted when the record is made, so they hold after the pairing and the person are gone.
    pairing_ref = models.BigIntegerField(null=True, blank=True, editable=False)
    raiser_side = models.CharField(
        max_length=20, choices=RaiserSide.choices, blank=True, default="", editable=False
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pairing_id is not None and self.pairing_ref is None:
            self.pairing_ref = self.pairing_id
        if not self.raiser_side and self.pairing_id is not None and self.raised_by_id is not None:
            self.raiser_side = (
                RaiserSide.SURVIVOR
                if self.raised_by_id == self.pairing.survivor_id
                else RaiserSide.SUPPORTER
            )
        super().save(*args, **kwargs)

    @property
    def person_left(self) -> bool:
        """The pairing is gone: one of its two people deleted their account."""
        return self.pairing_id is None


# -- concerns about a relationship -----------------------------------------------------------


class ConcernCategory(models.TextChoices):
    BOUNDARY = "boundary", _("A boundary was crossed")
    JUDGED = "judged", _("I felt judged or not respected")
    COMMITMENT = "commitment", _("A commitment was not kept")
    CONFIDENTIALITY = "confidentiality", _("Something private was shared")
    EXPLOITATION = "exploitation", _("Sexual or financial exploitation")
    HARM = "harm", _("Someone was harmed, or is at risk of harm")
    UNSAFE = "unsafe", _("I don't feel safe with my supporter")
    OTHER = "other", _("Something else")


# A concern in one of these pauses the pairing at once, takes the supporter's access away, is
# emailed to every coordinator whatever their settings, and comes first in their lists
# (ethics/care/safeguarding.py). UNSAFE is the survivor's urgent route, never a form choice.
URGENT_CATEGORIES = (ConcernCategory.UNSAFE, ConcernCategory.EXPLOITATION, ConcernCategory.HARM)


class ConcernStatus(models.TextChoices):
    OPEN = "open", _("Received: a coordinator will look at it soon")
    IN_REVIEW = "in_review", _("A coordinator is looking into it")
    RESOLVED = "resolved", _("Resolved")


class ConcernQuerySet(models.QuerySet):
    def unresolved(self):
        return self.exclude(status=ConcernStatus.RESOLVED)

    def urgent(self):
        return self.filter(category__in=URGENT_CATEGORIES)

    def urgent_first(self):
        """Urgent categories first, then newest first."""
        return self.annotate(
            _routine=models.Case(
                models.When(category__in=URGENT_CATEGORIES, then=models.Value(0)),
                default=models.Value(1),
            )
        ).order_by("_routine", "-created_at", "-id")


class Concern(SafeguardRecord):
    """Raised by either side of a pairing, for the coordinators only (never the other side)."""

    pairing = models.ForeignKey(
        "matching.Pairing",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="concerns",
    )
    raised_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="concerns_raised"
    )
    category = models.CharField(max_length=20, choices=ConcernCategory.choices)
    text = EncryptedTextField()
    status = models.CharField(
        max_length=20, choices=ConcernStatus.choices, default=ConcernStatus.OPEN
    )
    # The coordinator's words back to the person who raised it.
    response = EncryptedTextField(blank=True, default="")
    handled_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = ConcernQuerySet.as_manager()

    class Meta:
        db_table = "ethics_concern"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=ConcernCategory.values), name="concern_category_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ConcernStatus.values), name="concern_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(raiser_side__in=[*RaiserSide.values, ""]),
                name="concern_raiser_side_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"concern {self.pk}"

    @property
    def is_urgent(self) -> bool:
        return self.category in URGENT_CATEGORIES


# -- safety flags: the limits of confidentiality ---------------------------------------------


class FlagCategory(models.TextChoices):
    SELF = "self", _("Danger to themselves")
    OTHERS = "others", _("Danger to others")
    CHILD = "child", _("A child at risk of harm")


class FlagStatus(models.TextChoices):
    OPEN = "open", _("Sent: waiting for a coordinator")
    ACKNOWLEDGED = "acknowledged", _("A coordinator is handling it")
    CLOSED = "closed", _("Closed")


class SafetyFlagQuerySet(models.QuerySet):
    def not_closed(self):
        return self.exclude(status=FlagStatus.CLOSED)


class SafetyFlag(SafeguardRecord):
    """A supporter's report that something meets the limits of confidentiality."""

    pairing = models.ForeignKey(
        "matching.Pairing",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="safety_flags",
    )
    raised_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="flags_raised"
    )
    category = models.CharField(max_length=20, choices=FlagCategory.choices)
    text = EncryptedTextField()
    status = models.CharField(max_length=20, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    acknowledged_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = SafetyFlagQuerySet.as_manager()

    class Meta:
        db_table = "ethics_safetyflag"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=FlagCategory.values), name="flag_category_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=FlagStatus.values), name="flag_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(raiser_side__in=[*RaiserSide.values, ""]),
                name="flag_raiser_side_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"flag {self.pk}"


class FlagActionKind(models.TextChoices):
    ACKNOWLEDGED = "acknowledged", _("Took it on")
    NOTE = "note", _("Added a note")
    CLOSED = "closed", _("Closed it")


class FlagAction(models.Model):
    """Each coordinator action on a flag: who, what, when (and their note, encrypted)."""

    flag = models.ForeignKey(SafetyFlag, on_delete=models.CASCADE, related_name="actions")
    actor = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=20, choices=FlagActionKind.choices)
    note = EncryptedTextField(blank=True, default="")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "ethics_flagaction"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"flag action {self.pk}"


# -- debriefs: a supporter asks the network --------------------------------------------------


class DebriefVolunteer(models.Model):
    """An approved supporter who is willing to help other supporters debrief."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="debrief_volunteer")
    since = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "ethics_debriefvolunteer"

    def __str__(self) -> str:
        return f"debrief volunteer {self.pk}"


class DebriefStatus(models.TextChoices):
    OPEN = "open", _("Waiting for someone to pick it up")
    PICKED_UP = "picked_up", _("Picked up")
    CLOSED = "closed", _("Closed")


class DebriefRequestQuerySet(models.QuerySet):
    def not_closed(self):
        return self.exclude(status=DebriefStatus.CLOSED)


class DebriefRequest(models.Model):
    """No pairing here on purpose: a debrief never names the person being supported."""

    requested_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="debriefs")
    text = EncryptedTextField()
    status = models.CharField(
        max_length=20, choices=DebriefStatus.choices, default=DebriefStatus.OPEN
    )
    picked_up_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="debriefs_picked"
    )
    picked_up_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = DebriefRequestQuerySet.as_manager()

    class Meta:
        db_table = "ethics_debriefrequest"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DebriefStatus.values), name="debrief_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(picked_up_by=models.F("requested_by")),
                name="debrief_not_picked_by_requester",
            ),
        ]

    def __str__(self) -> str:
        return f"debrief {self.pk}"


class DebriefMessage(models.Model):
    """A short message between the two people of a debrief, e.g. to arrange a time."""

    debrief = models.ForeignKey(DebriefRequest, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    text = EncryptedTextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "ethics_debriefmessage"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"debrief message {self.pk}"


# -- asking for a different supporter, handing over, blocking --------------------------------


class ChangeKind(models.TextChoices):
    CHANGE = "change", _("Asked for a different peer supporter")
    HANDOVER = "handover", _("The supporter asked to hand over")
    BLOCKED = "blocked", _("The supporter was blocked")


class ChangeStatus(models.TextChoices):
    OPEN = "open", _("Waiting for a coordinator")
    DONE = "done", _("Done")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ChangeRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=ChangeStatus.OPEN)


class ChangeRequest(models.Model):
    """A request for the coordinators to move a pairing on. The move itself is theirs."""

    pairing = models.ForeignKey(
        "matching.Pairing", on_delete=models.CASCADE, related_name="change_requests"
    )
    kind = models.CharField(max_length=20, choices=ChangeKind.choices)
    status = models.CharField(
        max_length=20, choices=ChangeStatus.choices, default=ChangeStatus.OPEN
    )
    requested_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="change_requests")
    reason = EncryptedTextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    closed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ChangeRequestQuerySet.as_manager()

    class Meta:
        db_table = "ethics_changerequest"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["pairing", "kind"],
                condition=Q(status="open"),
                name="one_open_change_per_pairing_and_kind",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ChangeKind.values), name="change_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ChangeStatus.values), name="change_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"change request {self.pk}"
