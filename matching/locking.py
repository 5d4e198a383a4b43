"""The one lock order for every write that locks more than one row, taken here so each
service takes it the same way (docs/architecture.md, "Lock order"):

    survivor's user row -> supporter's profile row -> support request -> pairing
    -> care rows (flag, concern, change request) -> sessions rows

A service may skip a level, never go back up. Deleting an account locks the user row first
and then deletes everything that hangs off it; a write that touches a survivor's rows (their
request, their pairing, a notice to them, a care record) therefore locks that user row first,
or it can hold a row the deletion waits for while itself waiting for the user row (a
deadlock). A row that has gone (the account was deleted meanwhile) is a refusal, `RowGone`,
never DoesNotExist.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from peersupport.people.models import SupporterProfile, User

from .models import Pairing, SupportRequest


class RowGone(ValidationError):
    """What was to be changed is no longer there (deleted meanwhile); nothing was changed."""


def stale_message() -> str:
    return _(
        "This pairing changed after the page was loaded (someone may have reassigned or "
        "ended it). Nothing was changed: look at it again."
    )


def gone_message() -> str:
    return _("This pairing is no longer there (the person may have left). Nothing was changed.")


def lock_survivor(survivor_id: int, *, gone: str | None = None) -> User:
    """Lock the survivor's user row, the first lock of the order. FOR NO KEY UPDATE: it waits
    for (and holds back) a deletion and any other write taking this order, but not the rows
    that merely point at the user (a notice, an audit row)."""
    user = User.objects.select_for_update(no_key=True).filter(pk=survivor_id).first()
    if user is None:
        raise RowGone(gone or gone_message())
    return user


def lock_survivors(survivor_ids: list[int]) -> None:
    """`lock_survivor` for many at once (by id, so two batches never cross); those gone are
    simply not there to lock."""
    list(
        User.objects.select_for_update(no_key=True)
        .filter(pk__in=survivor_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def lock_survivor_to_erase(survivor_id: int) -> User | None:
    """For deleting the account: the user row FOR UPDATE (what the delete takes anyway), then
    their requests and pairings, in the order every other write takes them. None if the
    account has already gone."""
    user = User.objects.select_for_update().filter(pk=survivor_id).first()
    if user is None:
        return None
    list(
        SupportRequest.objects.select_for_update()
        .filter(survivor_id=survivor_id)
        .order_by("pk")
        .values_list("pk")
    )
    list(
        Pairing.objects.select_for_update()
        .filter(survivor_id=survivor_id)
        .order_by("pk")
        .values_list("pk")
    )
    return user


def lock_profile(*, user_id: int | None = None, pk: int | None = None) -> SupporterProfile | None:
    """A supporter's profile row (it guards their places), or None if there is none."""
    queryset = SupporterProfile.objects.select_for_update(of=("self",)).select_related("user")
    return queryset.filter(**({"pk": pk} if pk is not None else {"user_id": user_id})).first()


@dataclass(frozen=True)
class PairingLocks:
    survivor: User
    profile: SupporterProfile | None
    request: SupportRequest | None
    pairing: Pairing


def lock_pairing(
    pairing_id: int,
    *,
    survivor_id: int | None = None,
    supporter_id: int | None = None,
    profile_of: int | None = None,
    supporters_profile: bool = False,
    with_request: bool = False,
    gone: str | None = None,
) -> PairingLocks:
    """Lock, in order: the pairing's survivor, a supporter's profile (the pairing's own
    supporter's with `supporters_profile`, or user `profile_of`'s; None in the result if they
    have none), the pairing's request (`with_request`), the pairing.

    `survivor_id` / `supporter_id`: the pairing must be theirs, else it is as good as gone.
    Raises RowGone (with `gone`, by default gone_message()) when the pairing, its request or
    its survivor is not there, whenever that happened."""
    message = gone or gone_message()
    which = Pairing.objects.filter(pk=pairing_id)
    if survivor_id is not None:
        which = which.filter(survivor_id=survivor_id)
    if supporter_id is not None:
        which = which.filter(supporter_id=supporter_id)
    # Read before locking: a pairing's survivor and request never change once it exists.
    ids = which.values_list("survivor_id", "request_id", "supporter_id").first()
    if ids is None:
        raise RowGone(message)
    survivor_of_pairing, request_id, supporter_of_pairing = ids
    survivor = lock_survivor(survivor_of_pairing, gone=message)
    if supporters_profile:
        profile_of = supporter_of_pairing
    profile = lock_profile(user_id=profile_of) if profile_of is not None else None
    request = None
    if with_request:
        request = SupportRequest.objects.select_for_update().filter(pk=request_id).first()
        if request is None:
            raise RowGone(message)
    pairing = which.select_for_update(of=("self",)).first()
    if pairing is None:
        raise RowGone(message)
    return PairingLocks(survivor=survivor, profile=profile, request=request, pairing=pairing)


def lock_with_survivor(queryset: QuerySet, pk: int, *, survivor_field: str, gone: str) -> Model:
    """A row that belongs to a survivor (a concern, a change request): their user row first,
    then the row. `survivor_field` is the path to the survivor's id (e.g.
    "pairing__survivor_id"). Raises RowGone with `gone` if either is not there."""
    survivor_id = queryset.filter(pk=pk).values_list(survivor_field, flat=True).first()
    if survivor_id is None:
        raise RowGone(gone)
    lock_survivor(survivor_id, gone=gone)
    row = queryset.select_for_update(of=("self",)).filter(pk=pk).first()
    if row is None:
        raise RowGone(gone)
    return row
