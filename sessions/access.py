"""Access to a pair's sessions, schedule and check-ins: the object, or 404.

Only the two people of a pairing reach these pages; coordinators do not (they are not part of
the pairing, and session notes are not theirs to read). A survivor reaches them only once the
pairing has started (before that, the supporter's name is not theirs to see). A session's
private notes are reached only by their author.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from django.http import Http404

from matching.access import get_pairing_for, pairings_visible_to, survivor_may_see_supporter
from matching.models import CAPACITY_STATES, STARTED, Pairing
from peersupport.people.models import BARRED_SUPPORTER_STATUSES

from .models import CheckIn, SupportSession


def _party(user) -> Q:
    """The pairings `user` is one of the two people of, as far as they may see them: the
    survivor only once it has started (the same rule as survivor_may_see_supporter)."""
    return (Q(survivor=user) & STARTED) | Q(supporter=user)


def get_pairing_as_party(user, pk) -> Pairing:
    """The pairing `pk` if `user` is one of its two people and it is live, else 404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError) as error:
        raise Http404 from error
    pairing = get_pairing_for(user, pk, live_only=True)
    if user.pk == pairing.supporter_id:
        return pairing
    if user.pk == pairing.survivor_id and survivor_may_see_supporter(pairing):
        return pairing
    raise Http404


def _party_pairings(user, *, live_only: bool):
    pairings = pairings_visible_to(user).filter(_party(user))
    if live_only:
        pairings = pairings.filter(state__in=CAPACITY_STATES)
    return pairings.values("pk")


def get_session_for(user, pk: int, *, live_only: bool = False) -> SupportSession:
    """A session of one of `user`'s pairings, without its private notes."""
    queryset = (
        SupportSession.objects.without_notes()
        .select_related("pairing__survivor", "pairing__supporter")
        .filter(pairing__in=_party_pairings(user, live_only=live_only))
    )
    try:
        return queryset.get(pk=pk)
    except SupportSession.DoesNotExist as error:
        raise Http404 from error


def is_supporter_of(user, pairing: Pairing) -> bool:
    return user.pk == pairing.supporter_id


def get_session_to_edit(user, pk: int) -> SupportSession:
    """A session of a live pairing, for that pairing's supporter only (to record how it went)."""
    session = get_session_for(user, pk, live_only=True)
    if not is_supporter_of(user, session.pairing):
        raise Http404
    return session


def get_session_notes_for(user, pk: int) -> SupportSession:
    """A session with its private notes, for their author only: while the pairing is live,
    or also after it ended when KEEP_PRIVATE_NOTES_AFTER_END is on (then read-only)."""
    queryset = SupportSession.objects.select_related("pairing__survivor").filter(logged_by=user)
    if settings.KEEP_PRIVATE_NOTES_AFTER_END:
        # Kept after the end, but never while the pairing is held from them or they are barred.
        queryset = queryset.filter(pairing__supporter=user, pairing__safeguarding_hold=False)
        queryset = queryset.exclude(
            pairing__supporter__supporter_profile__status__in=BARRED_SUPPORTER_STATUSES
        )
    else:
        queryset = queryset.filter(pairing__in=_party_pairings(user, live_only=True))
    try:
        return queryset.get(pk=pk)
    except SupportSession.DoesNotExist as error:
        raise Http404 from error


def get_checkin_for(user, pk: int, *, to_answer: bool = False) -> CheckIn:
    """A check-in of one of `user`'s live pairings; `to_answer`: only its survivor."""
    queryset = CheckIn.objects.select_related("pairing__survivor", "pairing__supporter").filter(
        pairing__in=_party_pairings(user, live_only=True)
    )
    if to_answer:
        queryset = queryset.filter(pairing__survivor=user)
    try:
        return queryset.get(pk=pk)
    except CheckIn.DoesNotExist as error:
        raise Http404 from error
