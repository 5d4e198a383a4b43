"""Reads for agreements, concerns, flags, debriefs and change requests (fixed query counts)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Subquery

from peersupport.people.models import User

from .models import (
    AUDIENCES_FOR_ROLE,
    Acknowledgement,
    AgreementDocument,
    AgreementItem,
    AgreementVersion,
)

# -- agreements ---------------------------------------------------------------------------


def current_versions(*, audiences: tuple[str, ...] | None = None):
    """The latest published version of each document (optionally only for `audiences`)."""
    latest = (
        AgreementVersion.objects.published()
        .filter(document=OuterRef("document"))
        .order_by("-number")
        .values("pk")[:1]
    )
    queryset = (
        AgreementVersion.objects.published()
        .filter(pk=Subquery(latest))
        .select_related("document")
        .order_by("document__order", "document__pk")
    )
    if audiences is not None:
        queryset = queryset.filter(document__audience__in=audiences)
    return queryset


def with_items(queryset):
    return queryset.prefetch_related(
        Prefetch("items", queryset=AgreementItem.objects.order_by("number"))
    )


def current_versions_for(user: User):
    return current_versions(audiences=AUDIENCES_FOR_ROLE.get(user.role, ()))


def outstanding_agreements(user: User) -> list[AgreementVersion]:
    """Current published versions for the user's role that this user has not acknowledged.

    Coordinators (and anyone without a role that acknowledges) get an empty list.
    """
    if not user.is_authenticated or not AUDIENCES_FOR_ROLE.get(user.role):
        return []
    acknowledged = Acknowledgement.objects.filter(user=user, version=OuterRef("pk"))
    return list(current_versions_for(user).exclude(Exists(acknowledged)))


def asked_again(user: User) -> list[AgreementVersion]:
    """Outstanding versions of documents this user acknowledged before: a new version was
    published since. They are sent to read it (and what changed) at their next sign-in."""
    outstanding = outstanding_agreements(user)
    if not outstanding:
        return []
    agreed_before = set(
        Acknowledgement.objects.filter(
            user=user, version__document_id__in=[v.document_id for v in outstanding]
        ).values_list("version__document_id", flat=True)
    )
    return [v for v in outstanding if v.document_id in agreed_before]


def has_acknowledged_current(user: User) -> bool:
    return not outstanding_agreements(user)


def acknowledged_current_ids(user_ids: list[int]) -> set[int]:
    """Of `user_ids`, those who have acknowledged every current version for their role.

    Three queries whatever the number of people (for the matcher's batch).
    """
    if not user_ids:
        return set()
    roles = dict(User.objects.filter(pk__in=user_ids).values_list("pk", "role"))
    current = list(current_versions().values_list("pk", "document__audience"))
    needed: dict[str, set[int]] = {
        role: {pk for pk, audience in current if audience in audiences}
        for role, audiences in AUDIENCES_FOR_ROLE.items()
    }
    done: dict[int, set[int]] = {}
    for user_id, version_id in Acknowledgement.objects.filter(
        user_id__in=list(roles), version_id__in=[pk for pk, _a in current]
    ).values_list("user_id", "version_id"):
        done.setdefault(user_id, set()).add(version_id)
    return {
        user_id
        for user_id, role in roles.items()
        if role in needed and needed[role] <= done.get(user_id, set())
    }


@dataclass
class AgreementEntry:
    """A current version as one person meets it on the acknowledgement page."""

    version: AgreementVersion
    acknowledgement: Acknowledgement | None
    previous: Acknowledgement | None = None  # their last acknowledgement of an older version
    changes: list[AgreementVersion] = field(default_factory=list)  # published since then


def agreements_page(user: User) -> list[AgreementEntry]:
    """What `user` reads: the current versions for their role, whether they have agreed, and
    (when they agreed to an older version) the summaries of what changed since."""
    versions = list(with_items(current_versions_for(user)))
    if not versions:
        return []
    documents = [v.document_id for v in versions]
    acks = list(
        Acknowledgement.objects.filter(user=user, version__document_id__in=documents)
        .select_related("version")
        .order_by("-version__number")
    )
    history = list(
        AgreementVersion.objects.published()
        .filter(document_id__in=documents)
        .order_by("number")
        .only("pk", "document_id", "number", "summary", "published_at")
    )
    entries = []
    for version in versions:
        mine = [a for a in acks if a.version.document_id == version.document_id]
        current_ack = next((a for a in mine if a.version_id == version.pk), None)
        previous = None if current_ack else next(iter(mine), None)
        changes = []
        if previous is not None:
            changes = [
                v
                for v in history
                if v.document_id == version.document_id
                and previous.version.number < v.number <= version.number
            ]
        entries.append(AgreementEntry(version, current_ack, previous, changes))
    return entries


def acknowledgement_history(user: User):
    return Acknowledgement.objects.filter(user=user).select_related("version__document")


def documents_with_versions():
    """For coordinators: every document with all its versions (newest first)."""
    return AgreementDocument.objects.prefetch_related(
        Prefetch(
            "versions",
            queryset=AgreementVersion.objects.select_related("published_by", "created_by")
            .annotate(acknowledged=Count("acknowledgements"))
            .order_by("-number"),
        )
    )


def version_with_items(pk: int) -> AgreementVersion | None:
    return with_items(AgreementVersion.objects.select_related("document")).filter(pk=pk).first()
