"""Access to requests and pairings: the object, or 404.

A survivor sees their own requests and pairings; a supporter sees a pairing only while it
holds one of their places (awaiting agreement, active, paused) and an offer only while it is
open; once a pairing ends, the supporter's access ends with it. A pairing held for safeguarding
(matching/holds.py) and every pairing of a suspended or retired supporter are out of the
supporter's reach. Coordinators see all.
"""

from __future__ import annotations

from functools import cache

from django.db.models import Exists, F, OuterRef, Q
from django.http import Http404

from peersupport.people.models import BARRED_SUPPORTER_STATUSES, Role, SupporterProfile, User
from peersupport.platform.prepared import Prepared

from .models import SUPPORTER_VISIBLE_STATES, Block, Pairing, PairingState, SupportRequest

_PAIRING_RELATED = ("survivor", "supporter", "request")
# The viewer's own side of a pairing: the row get_pairing_for hands back points at the viewer
# (the same person, already loaded) instead of reading their row a second time.
_OWN_SIDE = {Role.SURVIVOR: "survivor", Role.SUPPORTER: "supporter"}


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


def _visible(user, related, *also: Q):
    """The pairings `user` may see (the rules above, in one place), with `related` rows read
    along and any further conditions `also`, in one filter."""
    # (select_related() with no names would follow every relation: never called so.)
    queryset = Pairing.objects.select_related(*related) if related else Pairing.objects.all()
    if user.role == Role.SURVIVOR:
        return queryset.filter(*also, survivor=user)
    if user.role == Role.SUPPORTER:
        # A survivor who blocked this supporter is gone from their view at once. The
        # supporter of every pairing here is `user`: a suspended or retired one sees none.
        # (Two plain subqueries on `user`, the cheapest form of these rules to build and plan;
        # NOT IN is NOT EXISTS here, as neither column can be null.)
        blocked = Block.objects.filter(supporter=user).values("survivor")
        barred = SupporterProfile.objects.filter(user=user, status__in=BARRED_SUPPORTER_STATUSES)
        return queryset.filter(
            ~Q(survivor__in=blocked),
            ~Q(supporter__in=barred.values("user")),
            *also,
            supporter=user,
            state__in=SUPPORTER_VISIBLE_STATES,
            safeguarding_hold=False,
        )
    if user.role == Role.COORDINATOR:
        return queryset.filter(*also)
    return queryset.none()


def pairings_visible_to(user):
    return _visible(user, _PAIRING_RELATED)


def get_pairing_for(
    user,
    pk: int,
    *,
    live_only: bool = False,
    for_update: bool = False,
    with_request: bool = False,
) -> Pairing:
    """The pairing `pk` if `user` may see it, else 404.

    live_only: only while it holds a place (awaiting agreement, active, paused), e.g. for
    logging sessions or answering check-ins.
    with_request: read its request along (a coordinator's always is). The two people's pages
    seldom need it; `pairing.request` still works without, at the cost of a query.
    The viewer's own side (`pairing.supporter` for their supporter, `pairing.survivor` for
    their survivor) is `user` itself.
    """
    own = _OWN_SIDE.get(user.role)
    if own is not None and not (for_update or with_request):
        # The two people's pages, on every request: the same rules, built once (_party_read).
        found = _party_read(user.role, live_only).fetch(user.pk, pk)
        if not found:
            raise Http404
        pairing = found[0]
        setattr(pairing, own, user)
        setattr(pairing, _OTHER_SIDE[own], _other_person(pairing))
        return pairing
    related = [name for name in _PAIRING_RELATED if name != own]
    if own is not None and not with_request:
        related.remove("request")
    queryset = _visible(user, related, *_also(user, pk, live_only))
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    try:
        pairing = queryset.get()
    except Pairing.DoesNotExist as error:
        raise Http404 from error
    if own is not None:
        setattr(pairing, own, user)
    return pairing


def _also(user, pk: int, live_only: bool) -> list[Q]:
    also = [Q(pk=pk)]
    if live_only and user.role != Role.SUPPORTER:  # a supporter sees live pairings only
        also.append(Q(state__in=SUPPORTER_VISIBLE_STATES))
    return also


_OTHER_SIDE = {"survivor": "supporter", "supporter": "survivor"}
# What is read of the other person along with the pairing (text and ints, the same from every
# database); anything else of theirs is read when first used.
_OTHER_FIELDS = ("id", "display_name", "role", "time_zone")


def _other_person(pairing: Pairing) -> User:
    """The other person as read along (_party_read), the rest of them read when first used.
    (from_db takes the values in the model's order of fields.)"""
    read = {name: getattr(pairing, f"other_{name}") for name in _OTHER_FIELDS}
    names = [field.attname for field in User._meta.concrete_fields if field.attname in read]
    return User.from_db(pairing._state.db, names, [read[name] for name in names])


@cache
def _party_read(role: str, live_only: bool) -> Prepared[Pairing]:
    """get_pairing_for for one of the two people, as a query built once per process."""
    other = _OTHER_SIDE[_OWN_SIDE[role]]

    def pairing_for(user_id: int, pk: int):
        user = User(pk=user_id, role=role)
        return _visible(user, (), *_also(user, pk, live_only)).annotate(
            **{f"other_{name}": F(f"{other}__{name}") for name in _OTHER_FIELDS}
        )

    return Prepared(pairing_for)


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
