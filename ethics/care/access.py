"""Who may see what in ethics: the object, or 404.

A concern is seen by the person who raised it and by coordinators, never by the other side
of the pairing. A safety flag is seen by the supporter who raised it and by coordinators.
A debrief is seen by the supporter who asked, the person who picked it up, coordinators,
and (while nobody has picked it up) the supporters who volunteer for debriefs.
"""

from __future__ import annotations

from django.http import Http404

from matching.access import get_pairing_for, survivor_may_see_supporter
from matching.models import Pairing
from peersupport.people.models import Role, SupporterStatus, User

from .models import (
    ChangeRequest,
    Concern,
    DebriefRequest,
    DebriefStatus,
    DebriefVolunteer,
    SafetyFlag,
)


def _get(queryset, pk):
    try:
        return queryset.get(pk=pk)
    except queryset.model.DoesNotExist as error:
        raise Http404 from error


def _is_coordinator(user: User) -> bool:
    return user.is_authenticated and user.role == Role.COORDINATOR


def is_approved_supporter(user: User, *, paused_ok: bool = True) -> bool:
    profile = getattr(user, "supporter_profile", None)
    allowed = (
        (SupporterStatus.APPROVED, SupporterStatus.PAUSED)
        if paused_ok
        else (SupporterStatus.APPROVED,)
    )
    return user.role == Role.SUPPORTER and profile is not None and profile.status in allowed


# -- pairings, for raising something about them ----------------------------------------------


def get_pairing_to_raise_concern(user: User, pk: int) -> Pairing:
    """Either side, once they know each other: the survivor from the start of the pairing
    (also after it ended), the supporter while it holds their place."""
    if user.role == Role.SURVIVOR:
        pairing = get_pairing_for(user, pk)
        if not survivor_may_see_supporter(pairing):
            raise Http404
        return pairing
    if user.role == Role.SUPPORTER:
        return get_pairing_for(user, pk, live_only=True)
    raise Http404


def get_pairing_to_flag(user: User, pk: int) -> Pairing:
    if not is_approved_supporter(user):
        raise Http404
    return get_pairing_for(user, pk, live_only=True)


def get_pairing_to_change(user: User, pk: int) -> Pairing:
    """A survivor may ask for someone else at any time while paired; a supporter may ask to
    hand over while the pairing holds their place."""
    if user.role not in (Role.SURVIVOR, Role.SUPPORTER):
        raise Http404
    return get_pairing_for(user, pk, live_only=True)


def get_pairing_to_block(user: User, pk: int, *, for_update: bool = False) -> Pairing:
    """A survivor may block a supporter they have met (the pairing started)."""
    if user.role != Role.SURVIVOR:
        raise Http404
    pairing = get_pairing_for(user, pk, for_update=for_update)
    if not survivor_may_see_supporter(pairing):
        raise Http404
    return pairing


# -- the things raised ---------------------------------------------------------------------


def get_concern_for(user: User, pk: int) -> Concern:
    queryset = Concern.objects.select_related(
        "pairing__survivor", "pairing__supporter", "raised_by", "handled_by"
    )
    if _is_coordinator(user):
        return _get(queryset, pk)
    if user.role in (Role.SURVIVOR, Role.SUPPORTER):
        return _get(queryset.filter(raised_by=user), pk)
    raise Http404


def get_flag_for(user: User, pk: int) -> SafetyFlag:
    queryset = SafetyFlag.objects.select_related(
        "pairing__survivor", "pairing__supporter", "raised_by", "acknowledged_by"
    )
    if _is_coordinator(user):
        return _get(queryset, pk)
    if user.role == Role.SUPPORTER:
        return _get(queryset.filter(raised_by=user), pk)
    raise Http404


def get_change_request_for(user: User, pk: int) -> ChangeRequest:
    queryset = ChangeRequest.objects.select_related(
        "pairing__survivor", "pairing__supporter", "requested_by", "closed_by"
    )
    if _is_coordinator(user):
        return _get(queryset, pk)
    if user.role in (Role.SURVIVOR, Role.SUPPORTER):
        return _get(queryset.filter(requested_by=user), pk)
    raise Http404


def get_debrief_for(user: User, pk: int) -> DebriefRequest:
    queryset = DebriefRequest.objects.select_related("requested_by", "picked_up_by")
    if _is_coordinator(user):
        return _get(queryset, pk)
    if not is_approved_supporter(user):
        raise Http404
    debrief = _get(queryset, pk)
    if user.pk in (debrief.requested_by_id, debrief.picked_up_by_id):
        return debrief
    if (
        debrief.status == DebriefStatus.OPEN
        and is_approved_supporter(user, paused_ok=False)
        and DebriefVolunteer.objects.filter(user=user).exists()
    ):
        return debrief
    raise Http404
