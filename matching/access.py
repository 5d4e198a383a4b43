"""Access to requests and pairings: the object, or 404.

A survivor sees their own requests and pairings; a supporter sees a pairing only while it
holds one of their places (awaiting agreement, active, paused) and an offer only while it is
open; once a pairing ends, the supporter's access ends with it. A pairing held for safeguarding
(matching/holds.py) and every pairing of a suspended or retired supporter are out of the
supporter's reach. Coordinators see all.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.http import Http404

from peersupport.people.models import BARRED_SUPPORTER_STATUSES, Role

from .models import SUPPORTER_VISIBLE_STATES, Block, Pairing, PairingState, SupportRequest

_PAIRING_RELATED = ("survivor", "supporter", "request")


def get_request_for(user, pk: int) -> SupportRequest:
    queryset = SupportRequest.objects.all()
    if user.role == Role.SURVIVOR:
        queryset = queryset.filter(survivor=user)
    elif user.role != Role.COORDINATOR:
        raise Http404
    try:
        return queryset.get(pk=pk)
    except SupportRequest.DoesNotExist as error:
        raise Http404 from error


def pairings_visible_to(user):
    queryset = Pairing.objects.select_related(*_PAIRING_RELATED)
    if user.role == Role.SURVIVOR:
        return queryset.filter(survivor=user)
    if user.role == Role.SUPPORTER:
        # A survivor who blocked this supporter is gone from their view at once.
        blocked = Block.objects.filter(survivor=OuterRef("survivor"), supporter=user)
        return (
            queryset.filter(supporter=user, state__in=SUPPORTER_VISIBLE_STATES)
            .exclude(Exists(blocked))
            .exclude(safeguarding_hold=True)
            .exclude(supporter__supporter_profile__status__in=BARRED_SUPPORTER_STATUSES)
        )
    if user.role == Role.COORDINATOR:
        return queryset
    return queryset.none()


def get_pairing_for(user, pk: int, *, live_only: bool = False, for_update: bool = False) -> Pairing:
    """The pairing `pk` if `user` may see it, else 404.

    live_only: only while it holds a place (awaiting agreement, active, paused), e.g. for
    logging sessions or answering check-ins.
    """
    queryset = pairings_visible_to(user)
    if live_only:
        queryset = queryset.filter(state__in=SUPPORTER_VISIBLE_STATES)
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(pk=pk)
    except Pairing.DoesNotExist as error:
        raise Http404 from error


def get_offer_for(user, pk: int, *, for_update: bool = False) -> Pairing:
    """An open offer made to this supporter, else 404."""
    if user.role != Role.SUPPORTER:
        raise Http404
    queryset = (
        Pairing.objects.select_related(*_PAIRING_RELATED)
        .filter(supporter=user, state=PairingState.OFFERED)
        .exclude(supporter__supporter_profile__status__in=BARRED_SUPPORTER_STATUSES)
    )
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(pk=pk)
    except Pairing.DoesNotExist as error:
        raise Http404 from error


def was_offered_to(user, pk: int) -> bool:
    """Whether pairing `pk` was ever offered to this supporter (whatever its state now), so
    an offer that moved on can be told apart from someone else's (which stays a 404)."""
    if user.role != Role.SUPPORTER:
        return False
    return (
        Pairing.objects.filter(pk=pk, supporter=user, offered_at__isnull=False)
        .exclude(Exists(Block.objects.filter(survivor=OuterRef("survivor"), supporter=user)))
        .exists()
    )


def survivor_may_see_supporter(pairing: Pairing) -> bool:
    """A survivor learns who their supporter is only once the pairing has started."""
    return pairing.has_started
