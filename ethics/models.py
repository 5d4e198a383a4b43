"""Agreements both sides acknowledge, and what people raise about a relationship.

Agreement documents have numbered versions; a published version never changes (the model
refuses, and so does the service). Acknowledgements are kept forever: they are the history
of who agreed to which words, and when. Everything a person writes here (concerns, flags,
debriefs, change requests) is encrypted at rest and never copied into audit rows or emails.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peersupport.crypto import EncryptedTextField
from peersupport.models import Role, User

# Free text people write: long enough for a real account, short enough to stay a note.
TEXT_MAX_LENGTH = 4000


class Audience(models.TextChoices):
    SURVIVOR = "survivor", _("People seeking support")
    SUPPORTER = "supporter", _("Peer supporters")
    BOTH = "both", _("Everyone")


AUDIENCES_FOR_ROLE: dict[str, tuple[str, ...]] = {
    Role.SURVIVOR: (Audience.SURVIVOR, Audience.BOTH),
    Role.SUPPORTER: (Audience.SUPPORTER, Audience.BOTH),
    Role.COORDINATOR: (),
}


class AgreementDocument(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=120)
    audience = models.CharField(max_length=20, choices=Audience.choices)
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(audience__in=Audience.values), name="agreement_audience_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def applies_to(self, role: str) -> bool:
        return self.audience in AUDIENCES_FOR_ROLE.get(role, ())


class PublishedVersionError(ValidationError):
    """Raised when something tries to change a published version."""


class AgreementVersionQuerySet(models.QuerySet):
    """Bulk writes obey the same rule as save() and delete(): published versions never change."""

    def published(self):
        return self.filter(published_at__isnull=False)

    def drafts(self):
        return self.filter(published_at__isnull=True)

    def update(self, **kwargs):
        if self.published().exists():
            raise PublishedVersionError(_("A published version cannot be changed."))
        return super().update(**kwargs)

    def delete(self):
        if self.published().exists():
            raise PublishedVersionError(_("A published version cannot be changed."))
        return super().delete()


class AgreementVersion(models.Model):
    """One numbered version of a document. A draft until published; immutable after."""

    document = models.ForeignKey(
        AgreementDocument, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField()
    introduction = models.TextField(_("introduction"))
    summary = models.TextField(_("what changed"), blank=True, max_length=TEXT_MAX_LENGTH)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    objects = AgreementVersionQuerySet.as_manager()

    class Meta:
        ordering = ["document__order", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="agreement_version_once"),
            models.UniqueConstraint(
                fields=["document"],
                condition=Q(published_at__isnull=True),
                name="agreement_one_draft_per_document",
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="agreement_number_positive"),
        ]

    def __str__(self) -> str:
        return _("%(title)s, version %(number)s") % {
            "title": self.document.title,
            "number": self.number,
        }

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values_list("published_at", flat=True)
            if stored.first() is not None:
                raise PublishedVersionError(_("A published version cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_published:
            raise PublishedVersionError(_("A published version cannot be changed."))
        return super().delete(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def introduction_paragraphs(self) -> list[str]:
        return [p.strip() for p in self.introduction.split("\n\n") if p.strip()]


class AgreementItemQuerySet(models.QuerySet):
    """Items of a published version can be neither updated nor deleted in bulk. (bulk_create
    stays open: the data migration loads version 1, already published, with it.)"""

    def _refuse_if_any_published(self) -> None:
        if self.filter(version__published_at__isnull=False).exists():
            raise PublishedVersionError(_("A published version cannot be changed."))

    def update(self, **kwargs):
        self._refuse_if_any_published()
        return super().update(**kwargs)

    def delete(self):
        self._refuse_if_any_published()
        return super().delete()

    def bulk_update(self, objs, *args, **kwargs):
        objs = list(objs)
        for version_id in {obj.version_id for obj in objs}:
            _refuse_if_published(version_id)
        return super().bulk_update(objs, *args, **kwargs)


class AgreementItem(models.Model):
    version = models.ForeignKey(AgreementVersion, on_delete=models.CASCADE, related_name="items")
    number = models.PositiveSmallIntegerField()
    text = models.TextField()

    objects = AgreementItemQuerySet.as_manager()

    class Meta:
        ordering = ["version", "number"]
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="agreement_item_once"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:40]}"

    def save(self, *args, **kwargs):
        _refuse_if_published(self.version_id)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        _refuse_if_published(self.version_id)
        return super().delete(*args, **kwargs)


def _refuse_if_published(version_id: int) -> None:
    if AgreementVersion.objects.filter(pk=version_id, published_at__isnull=False).exists():
        raise PublishedVersionError(_("A published version cannot be changed."))


class Acknowledgement(models.Model):
    """Who agreed to which version, and when. Never updated or deleted."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="acknowledgements")
    version = models.ForeignKey(
        AgreementVersion, on_delete=models.PROTECT, related_name="acknowledgements"
    )
    acknowledged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-acknowledged_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "version"], name="acknowledge_once"),
        ]

    def __str__(self) -> str:
        return f"acknowledgement {self.pk}"


# -- concerns about a relationship -----------------------------------------------------------


class ConcernCategory(models.TextChoices):
    BOUNDARY = "boundary", _("A boundary was crossed")
    JUDGED = "judged", _("I felt judged or not respected")
    COMMITMENT = "commitment", _("A commitment was not kept")
    CONFIDENTIALITY = "confidentiality", _("Something private was shared")
    EXPLOITATION = "exploitation", _("Sexual or financial exploitation")
    OTHER = "other", _("Something else")


class ConcernStatus(models.TextChoices):
    OPEN = "open", _("Received: a coordinator will look at it soon")
    IN_REVIEW = "in_review", _("A coordinator is looking into it")
    RESOLVED = "resolved", _("Resolved")


class ConcernQuerySet(models.QuerySet):
    def unresolved(self):
        return self.exclude(status=ConcernStatus.RESOLVED)


class Concern(models.Model):
    """Raised by either side of a pairing, for the coordinators only (never the other side)."""

    pairing = models.ForeignKey(
        "matching.Pairing", on_delete=models.CASCADE, related_name="concerns"
    )
    raised_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="concerns_raised")
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
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=ConcernCategory.values), name="concern_category_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ConcernStatus.values), name="concern_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"concern {self.pk}"


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


class SafetyFlag(models.Model):
    """A supporter's report that something meets the limits of confidentiality."""

    pairing = models.ForeignKey(
        "matching.Pairing", on_delete=models.CASCADE, related_name="safety_flags"
    )
    raised_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="flags_raised")
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
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=FlagCategory.values), name="flag_category_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=FlagStatus.values), name="flag_status_valid"
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
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"flag action {self.pk}"


# -- debriefs: a supporter asks the network --------------------------------------------------


class DebriefVolunteer(models.Model):
    """An approved supporter who is willing to help other supporters debrief."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="debrief_volunteer")
    since = models.DateTimeField(default=timezone.now)

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
