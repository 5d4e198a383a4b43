"""Agreements both sides acknowledge: versioned documents and acknowledgements (the gate).

Agreement documents have numbered versions; a published version never changes (the model
refuses, and so does the service). Acknowledgements are kept forever: they are the history
of who agreed to which words, and when.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peersupport.people.models import Role, User

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
