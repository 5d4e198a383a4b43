"""Reassigning a pair: end a started pairing and offer the survivor a new supporter, in one
transaction, so the survivor is never left without an open request or a pairing.

Locks in the one order (matching/locking.py): the survivor's user row (so a deletion of the
account waits for us, or we for it), the new supporter's profile (guards their places), the
request, the pairing. The form's version token (the pairing's `updated_at` when the page was
drawn) is compared under the lock: a pairing that changed since (paused, ended, reassigned by
someone else) or that has gone (the account was deleted) is refused, never half-applied.

What led to it (a change request or a concern) is care's business: ethics/care/handover.py wraps
these two in the same transaction, checks the trigger and closes it.

A coordinator choosing a supporter is the review `MATCHING_AUTO_OFFER` would otherwise wait
for, so the new proposal is offered at once whatever that setting says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peersupport.people.events import AuditAction, NotificationKind
from peersupport.people.models import SupporterProfile, User
from peersupport.people.notifications import notify
from peersupport.people.services import audit_record

from . import eligibility, engine, locking, services
from .instance import load_for_pair
from .locking import stale_message
from .models import CAPACITY_STATES, EndReason, Pairing, PairingState, SupportRequest

# What a coordinator may give as the reason a started pairing ends when it is reassigned.
REASSIGN_REASONS = (
    EndReason.SURVIVOR_CHANGE,
    EndReason.SUPPORTER_HANDOVER,
    EndReason.COORDINATOR_ENDED,
    EndReason.SAFETY,
)
TRIGGER_KINDS = ("change", "concern")
# What a coordinator may give when they end a started pairing without offering someone new.
END_REASONS = (EndReason.COORDINATOR_ENDED, EndReason.SAFETY)

# Hard constraints, in words a coordinator reads when a choice is refused.
CONSTRAINT_TEXT = {
    engine.NO_CAPACITY: gettext_lazy("has no places left"),
    engine.NO_LANGUAGE: gettext_lazy("shares no language with this person"),
    engine.NO_MODE: gettext_lazy("has no way to meet in common with this person"),
    engine.MISSING_AREA: gettext_lazy("does not share a lived experience this person needs"),
    engine.GENDER_MUST: gettext_lazy("does not meet this person's gender requirement"),
    engine.RELATIONSHIP_MUST: gettext_lazy(
        "does not meet this person's lived-experience requirement"
    ),
    engine.EXCLUDED: gettext_lazy("declined, was blocked or was paired with this person before"),
}


class ReassignError(ValidationError):
    """The reassignment was refused; nothing was changed."""


@dataclass(frozen=True)
class Trigger:
    """What led to the reassignment: an open change/handover request or a concern. Matching
    only records it; ethics/care/handover.py checks it is open and closes it."""

    kind: str  # one of TRIGGER_KINDS
    pk: int


def version_token(pairing: Pairing) -> str:
    """What a form carries to prove it saw the pairing as it is now."""
    return pairing.updated_at.isoformat()


def _parse_token(token: str | datetime) -> datetime | None:
    if isinstance(token, datetime):
        return token
    try:
        return parse_datetime(token or "")
    except ValueError:
        return None


def _lock(pairing_id: int, *, profile_of: int | None = None) -> locking.PairingLocks:
    """The pairing's survivor, `profile_of`'s profile, its request and the pairing, in the one
    order; a pairing gone meanwhile (the account was deleted) is a ReassignError like any
    other refusal."""
    try:
        return locking.lock_pairing(pairing_id, profile_of=profile_of, with_request=True)
    except locking.RowGone as error:
        raise ReassignError(error.messages[0]) from error


def supporter_refusal(
    *, profile: SupporterProfile, survivor_id: int, request_id: int, current_supporter_id: int
) -> str | None:
    """Why this supporter may not be offered this survivor now, or None: eligibility.refusal
    for this survivor and their request (whose wishes the new request keeps), then the engine's
    hard constraints for that request.

    Called with the profile row locked, so the places counted cannot change under us.
    """
    if profile.user_id == current_supporter_id:
        return _("This is the supporter the pairing is ending with.")
    why = eligibility.refusal(profile, survivor_id=survivor_id, request_id=request_id)
    if why is not None:
        return str(eligibility.REFUSAL_TEXT[why])
    instance = load_for_pair(request_id, profile.user_id)
    if instance is None:  # pragma: no cover - both rows exist: we hold their locks
        return _("This supporter cannot be matched.")
    failed = [
        name
        for name, count in engine.ineligibility_reasons(
            instance.requests, 0, instance.supporters
        ).items()
        if count
    ]
    if failed:
        return _("This supporter %(why)s.") % {"why": CONSTRAINT_TEXT[failed[0]]}
    return None


@transaction.atomic
def pairing_reassign(
    *,
    pairing_id: int,
    coordinator: User,
    reason: str,
    supporter_id: int,
    expected_version: str | datetime,
    note: str = "",
    trigger: Trigger | None = None,
) -> Pairing:
    """End pairing `pairing_id` with `reason` and offer its survivor to `supporter_id`.

    Returns the new pairing (offered, linked back to the old one). Raises ReassignError with
    the reason when anything does not hold; then nothing has changed.
    """
    if not coordinator.is_coordinator:
        raise ReassignError(_("Only coordinators can reassign a pairing."))
    if reason not in REASSIGN_REASONS:
        raise ReassignError(_("Choose one of the reasons shown."))
    expected = _parse_token(expected_version)
    locked = _lock(pairing_id, profile_of=supporter_id)
    old, profile = locked.pairing, locked.profile
    if profile is None:
        raise ReassignError(_("This supporter is not approved."))
    if expected is None or old.updated_at != expected or old.state not in CAPACITY_STATES:
        raise ReassignError(stale_message())

    refusal = supporter_refusal(
        profile=profile,
        survivor_id=old.survivor_id,
        request_id=old.request_id,
        current_supporter_id=old.supporter_id,
    )
    if refusal:
        raise ReassignError(refusal)
    old, new_request = services.pairing_end(
        pairing_id=old.pk, actor=coordinator, reason=reason, note=note, reopen=True
    )
    # pairing_propose works out the score and its explanation once, from the data as it is.
    new = services.pairing_propose(
        request=new_request, supporter=profile.user, actor=coordinator, previous=old
    )
    new = services.pairing_offer(pairing_id=new.pk, actor=coordinator)
    if new.state != PairingState.OFFERED:  # pragma: no cover - checked above under the lock
        raise ReassignError(_("This supporter can no longer take someone new."))

    audit_record(
        actor=coordinator,
        action=AuditAction.PAIRING_REASSIGNED,
        target=old,
        new_pairing=new.pk,
        reason=reason,
        trigger=trigger.kind if trigger else "",
        trigger_id=trigger.pk if trigger else None,
    )
    _tell_both(old, new_request)
    return new


def _tell_both(old: Pairing, new_request: SupportRequest | None) -> None:
    """Each side hears only what concerns them, never the other side's reasons."""
    notify(
        user=old.supporter,
        kind=NotificationKind.PAIRING_ENDED,
        text=_("One of your pairings has ended. Thank you for the support you gave."),
        link=reverse("home"),
    )
    if new_request is not None:
        notify(
            user=old.survivor,
            kind=NotificationKind.PAIRING_CHANGING,
            text=_(
                "We are finding you a new peer supporter. "
                "We will tell you as soon as they are ready."
            ),
            link=reverse("matching:request", args=[new_request.pk]),
        )
    else:
        notify(
            user=old.survivor,
            kind=NotificationKind.PAIRING_ENDED,
            text=_(
                "Your pairing has ended. Whenever you want a peer supporter again, "
                "you can ask from your home page."
            ),
            link=reverse("home"),
        )


@transaction.atomic
def pairing_end_by_coordinator(
    *,
    pairing_id: int,
    coordinator: User,
    reason: str,
    expected_version: str | datetime,
    reopen: bool = True,
    note: str = "",
    trigger: Trigger | None = None,
) -> tuple[Pairing, SupportRequest | None]:
    """End pairing `pairing_id` with `reason` without offering anyone new, for when nobody
    fits or the pairing must stop first.

    With `reopen` (the default) the survivor is back in the queue at once: a new open request
    with the same wishes, linked to the ended pairing, in this same transaction. Without it
    they are left with no request and no pairing: only when the coordinator chose that.
    Returns (the ended pairing, the new request or None). Raises ReassignError with the
    reason when anything does not hold; then nothing has changed.
    """
    if not coordinator.is_coordinator:
        raise ReassignError(_("Only coordinators can end a pairing here."))
    if reason not in END_REASONS:
        raise ReassignError(_("Choose one of the reasons shown."))
    expected = _parse_token(expected_version)
    old = _lock(pairing_id).pairing
    if expected is None or old.updated_at != expected or old.state not in CAPACITY_STATES:
        raise ReassignError(stale_message())
    # Each side is told below, in words chosen for what happens next.
    old, new_request = services.pairing_end(
        pairing_id=old.pk,
        actor=coordinator,
        reason=reason,
        note=note,
        reopen=reopen,
        notify_parties=False,
    )
    audit_record(
        actor=coordinator,
        action=AuditAction.PAIRING_ENDED_BY_COORDINATOR,
        target=old,
        reason=reason,
        reopened=new_request.pk if new_request else None,
        trigger=trigger.kind if trigger else "",
        trigger_id=trigger.pk if trigger else None,
    )
    _tell_both(old, new_request)
    return old, new_request
