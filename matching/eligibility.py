"""Capacity and eligibility, written once: how many places a supporter has left, and whether
they may be offered someone now (and if not, why).

A supporter has `capacity` places. A pairing holds one from acceptance until it ends
(CAPACITY_STATES); an open proposal or offer keeps one for itself (OPEN_OFFER_STATES), so nobody
is offered more people than they have places for. Offering, accepting, reassigning, the
matcher's loading and writing, the supporters' capacity changes and the coordinators' pages all
ask here; tests/matching/test_eligibility.py holds them to the same answers on the same data.
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from ethics.agreements.selectors import acknowledged_current_ids, outstanding_agreements
from peersupport.people.models import SupporterProfile, SupporterStatus

from .models import (
    CAPACITY_STATES,
    ENDED_TOGETHER,
    OPEN_OFFER_STATES,
    Block,
    EndReason,
    Pairing,
    PairingState,
)

# Ends after which a supporter is never offered that survivor again, on any of their requests
# (so not after a reassignment either): they declined them, or the two worked together.
NEVER_AGAIN = (EndReason.DECLINED, *ENDED_TOGETHER)


class Refusal(StrEnum):
    """Why a supporter may not be offered someone now, in the order it is checked."""

    PAUSED = "paused"
    NOT_APPROVED = "not_approved"
    NOT_ACCEPTING = "not_accepting"
    AGREEMENTS = "agreements"
    FULL = "full"
    # Only about one survivor (and, for EXPIRED, one of their requests):
    BLOCKED = "blocked"
    PAIRED_BEFORE = "paired_before"
    DECLINED = "declined"
    EXPIRED = "expired"


# In the words a coordinator reads (the reassignment page shows them).
REFUSAL_TEXT = {
    Refusal.PAUSED: _("This supporter is paused."),
    Refusal.NOT_APPROVED: _("This supporter is not approved."),
    Refusal.NOT_ACCEPTING: _("This supporter is not accepting new people."),
    Refusal.AGREEMENTS: _("This supporter has agreements to acknowledge first."),
    Refusal.FULL: _("This supporter is full: they have no places left."),
    Refusal.BLOCKED: _("This person has asked never to be paired with this supporter."),
    Refusal.PAIRED_BEFORE: _(
        "This person was paired with this supporter before; they are never re-offered."
    ),
    Refusal.DECLINED: _("This supporter declined this person before."),
    Refusal.EXPIRED: _("This supporter did not answer an earlier offer for this person in time."),
}


# -- places ---------------------------------------------------------------------------------


def places_held(supporter_id: int) -> int:
    """The places this supporter's pairings hold (accepted and not ended)."""
    return Pairing.objects.filter(supporter_id=supporter_id).holding_places().count()


def places_left(profile: SupporterProfile, *, besides: int | None = None) -> int:
    """Places left for someone new: the capacity less the places held and those kept by open
    proposals and offers (below zero when over). `besides`: one of those (the one being
    offered), which does not count against itself."""
    taken = Pairing.objects.filter(
        supporter_id=profile.user_id, state__in=(*CAPACITY_STATES, *OPEN_OFFER_STATES)
    )
    if besides is not None:
        taken = taken.exclude(pk=besides)
    return profile.capacity - taken.count()


def _pairings_in(states) -> Coalesce:
    """How many of the profile's supporter's pairings are in `states`."""
    counted = (
        Pairing.objects.filter(supporter_id=OuterRef("user_id"), state__in=states)
        .order_by()
        .values("supporter_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


def with_places(profiles: QuerySet[SupporterProfile]) -> QuerySet[SupporterProfile]:
    """`profiles` annotated, in the same one query, with `used` (places held), `pending` (kept
    by open proposals and offers) and `left` (the capacity less both; below zero when over).

    Counted in subqueries rather than by a join and GROUP BY, so it composes with
    select_related, filters and sums (the figures page adds them up) without grouping by
    every column selected."""
    return profiles.annotate(
        used=_pairings_in(CAPACITY_STATES), pending=_pairings_in(OPEN_OFFER_STATES)
    ).annotate(left=F("capacity") - F("used") - F("pending"))


# -- who may be offered someone -------------------------------------------------------------


def refusal(
    profile: SupporterProfile,
    *,
    survivor_id: int | None = None,
    request_id: int | None = None,
    offer_id: int | None = None,
    accepting: bool = False,
) -> Refusal | None:
    """Why this supporter may not be offered someone now, or None: approved (not paused),
    accepting new people, the current agreements acknowledged, a place left; and, for the
    survivor `survivor_id`, not blocked by them, never declined them nor worked with them, and
    (for their request `request_id`) never let an offer of it expire.

    The caller holds the lock on `profile` (the row that guards capacity), so the places
    counted cannot change under it. `offer_id`: the proposal or offer being taken forward, which
    keeps its own place. With `accepting` the supporter is answering that offer: only the
    places pairings hold count, since the first offer accepted takes the place and the others
    then go back to the queue (services.offer_accept).
    """
    if profile.status == SupporterStatus.PAUSED:
        return Refusal.PAUSED
    if profile.status != SupporterStatus.APPROVED:
        return Refusal.NOT_APPROVED
    if not profile.accepting_new:
        return Refusal.NOT_ACCEPTING
    if outstanding_agreements(profile.user):
        return Refusal.AGREEMENTS
    if accepting:
        full = places_held(profile.user_id) >= profile.capacity
    else:
        full = places_left(profile, besides=offer_id) <= 0
    if full:
        return Refusal.FULL
    if survivor_id is None:
        return None
    return _survivor_refusal(profile.user_id, survivor_id, request_id)


def _survivor_refusal(supporter_id: int, survivor_id: int, request_id: int | None):
    if Block.objects.filter(survivor_id=survivor_id, supporter_id=supporter_id).exists():
        return Refusal.BLOCKED
    ended = set(
        Pairing.objects.filter(
            survivor_id=survivor_id, supporter_id=supporter_id, state=PairingState.ENDED
        ).values_list("end_reason", "request_id")
    )
    reasons = {reason for reason, _request in ended}
    if reasons & set(ENDED_TOGETHER):
        return Refusal.PAIRED_BEFORE
    if EndReason.DECLINED in reasons:
        return Refusal.DECLINED
    if request_id is not None and (EndReason.EXPIRED, request_id) in ended:
        return Refusal.EXPIRED
    return None


def supporters_with_places(*, user_ids: list[int] | None = None) -> dict[int, int]:
    """Every supporter who may be offered someone now, with their places left (user id ->
    places): `refusal` for all of them at once, without a survivor. At most four queries
    whatever the number of supporters; `user_ids` narrows it."""
    profiles = SupporterProfile.objects.filter(status=SupporterStatus.APPROVED, accepting_new=True)
    if user_ids is not None:
        profiles = profiles.filter(user_id__in=user_ids)
    places = dict(with_places(profiles).filter(left__gt=0).values_list("user_id", "left"))
    acknowledged = acknowledged_current_ids(list(places))
    return {user_id: n for user_id, n in places.items() if user_id in acknowledged}


def excluded_pairs(requests: QuerySet) -> set[tuple[int, int]]:
    """(survivor id, supporter id) pairs never to be proposed for `requests` (a queryset of
    requests, one open request per survivor): `refusal`'s survivor rules for all of them at
    once. Only these requests' survivors are read, not every ended pairing ever."""
    survivors = requests.values("survivor_id")
    ended = Pairing.objects.filter(state=PairingState.ENDED, survivor_id__in=survivors).filter(
        Q(end_reason__in=NEVER_AGAIN)
        | Q(end_reason=EndReason.EXPIRED, request_id__in=requests.values("pk"))
    )
    pairs = set(ended.values_list("survivor_id", "supporter_id"))
    pairs.update(
        Block.objects.filter(survivor_id__in=survivors).values_list("survivor_id", "supporter_id")
    )
    return pairs
