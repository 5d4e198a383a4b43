"""Who may see what in ethics: the object, or 404.

A concern is seen by the person who raised it and by coordinators, never by the other side
of the pairing. A safety flag is seen by the supporter who raised it and by coordinators.
A debrief is seen by the supporter who asked, the person who picked it up, coordinators,
and (while nobody has picked it up) the supporters who volunteer for debriefs.
"""

from __future__ import annotations

from django.http import Http404

from peersupport.people.models import Role, User

from .models import (
    AgreementDocument,
    AgreementVersion,
)


def _get(queryset, pk):
    try:
        return queryset.get(pk=pk)
    except queryset.model.DoesNotExist as error:
        raise Http404 from error


def _is_coordinator(user: User) -> bool:
    return user.is_authenticated and user.role == Role.COORDINATOR


# -- agreements ------------------------------------------------------------------------------


def get_version_for(user: User, pk: int) -> AgreementVersion:
    """A published version is public (it is in the guidelines); a draft is for coordinators."""
    queryset = AgreementVersion.objects.select_related("document", "published_by")
    if not _is_coordinator(user):
        queryset = queryset.published()
    return _get(queryset, pk)


def get_document_for(user: User, pk: int) -> AgreementDocument:
    if not _is_coordinator(user):
        raise Http404
    return _get(AgreementDocument.objects.all(), pk)
