"""A coordinator suspends, reinstates or retires a supporter.

Suspending (with a reason, for the coordinators only) removes the supporter's access at once:
a suspended supporter reaches no supporter page and sees no pairing (people/access.py,
access.pairings_visible_to). In the same transaction:
- their open proposals and offers are withdrawn (the requests are back in the queue);
- a pairing that has started is paused and held (holds.py): the survivor keeps their place in it
  and is told, in neutral words, that it is paused and that they can ask for a different peer
  supporter at any time; a coordinator reassigns it (reassign.py) or, once the supporter is
  reinstated, resumes it;
- a pairing accepted but not started (the survivor does not know the supporter yet) ends, and
  the survivor is back in the queue at once with the same wishes (services.pairing_end with
  `reopen`): nothing is lost by waiting for someone who may not come back.

Reinstating puts them back to approved; their pairings stay paused and held until a coordinator
resumes or reassigns each. Retiring (from approved, paused or suspended) ends every pairing,
each survivor back in the queue, and the supporter reaches no supporter page again.

Locks, in the one order (matching/locking.py): every survivor with a live pairing with this
supporter (by id), the supporter's profile, then the requests and the pairings (by id). A pairing
that appears between reading the survivors and locking the profile is refused plainly (nothing
changed; try again), never locked out of order.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from peersupport.people.events import AuditAction, NotificationKind
from peersupport.people.models import SupporterProfile, SupporterStatus, User
from peersupport.people.notifications import notify
from peersupport.people.services import audit_record

from . import services
from .holds import pairing_hold
from .locking import RowGone, lock_profile, lock_survivors
from .models import (
    CAPACITY_STATES,
    STARTED_STATES,
    EndReason,
    Pairing,
    SupportRequest,
    TransitionReason,
)


def _live_pairings(supporter_id: int):
    return Pairing.objects.filter(supporter_id=supporter_id, state__in=CAPACITY_STATES)


def lock_supporter_and_pairings(profile_id: int) -> tuple[SupporterProfile, list[Pairing]]:
    """The survivors of the supporter's live pairings, their profile, their requests, their
    pairings: in the one order."""
    user_id = SupporterProfile.objects.filter(pk=profile_id).values_list("user_id", flat=True)
    user_id = user_id.first()
    if user_id is None:
        raise RowGone(_("This supporter is no longer there. Nothing was changed."))
    survivor_ids = sorted(_live_pairings(user_id).values_list("survivor_id", flat=True))
    lock_survivors(survivor_ids)
    profile = lock_profile(pk=profile_id)
    if profile is None:
        raise RowGone(_("This supporter is no longer there. Nothing was changed."))
    live = _live_pairings(user_id)
    if sorted(live.values_list("survivor_id", flat=True)) != survivor_ids:
        raise ValidationError(
            _("This supporter's pairings changed while saving. Nothing was changed: try again.")
        )
    list(
        SupportRequest.objects.select_for_update()
        .filter(pk__in=live.values("request_id"))
        .order_by("pk")
        .values_list("pk")
    )
    pairings = list(live.select_for_update(of=("self",)).select_related("survivor").order_by("pk"))
    return profile, pairings


def _require_coordinator(actor: User) -> None:
    if not actor.is_coordinator:
        raise ValidationError(_("Only coordinators can change this."))


def _tell_supporter(profile: SupporterProfile, text: str) -> None:
    notify(
        user=profile.user, kind=NotificationKind.ACCOUNT_STANDING, text=text, link=reverse("home")
    )


def pairing_requeue(pairing: Pairing, actor: User) -> None:
    services.pairing_end(
        pairing_id=pairing.pk,
        actor=actor,
        reason=EndReason.COORDINATOR_ENDED,
        reopen=True,
        notify_parties=False,
    )
    notify(
        user=pairing.survivor,
        kind=NotificationKind.PAIRING_CHANGING,
        text=_(
            "We are finding you a new peer supporter. We will tell you as soon as they are ready."
        ),
        link=reverse("home"),
    )


@transaction.atomic
def supporter_suspend(*, profile_id: int, coordinator: User, reason: str) -> dict[str, int]:
    """Suspend a supporter at once (see the module's docstring). Returns the counts."""
    _require_coordinator(coordinator)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Please give a reason.")})
    profile, pairings = lock_supporter_and_pairings(profile_id)
    if profile.status not in (SupporterStatus.APPROVED, SupporterStatus.PAUSED):
        raise ValidationError(_("Only an approved supporter can be suspended."))
    profile.status = SupporterStatus.SUSPENDED
    profile.standing_reason = reason[:500]
    profile.save(update_fields=["status", "standing_reason", "updated_at"])
    counts = {"withdrawn": services.offers_withdraw_for(supporter=profile.user, actor=coordinator)}
    counts["paused"] = counts["requeued"] = 0
    for pairing in pairings:
        if pairing.state in STARTED_STATES:
            pairing_hold(
                pairing=pairing,
                actor=coordinator,
                reason=TransitionReason.SUPPORTER_SUSPENDED,
                tell_supporter=False,
            )
            notify(
                user=pairing.survivor,
                kind=NotificationKind.PAIRING_PAUSED,
                text=_(
                    "Your pairing has been paused. A coordinator will be in touch; if you "
                    "would like a different peer supporter, you can ask at any time."
                ),
                link=reverse("care:change_new", args=[pairing.pk]),
            )
            counts["paused"] += 1
        else:  # accepted, not started: the survivor goes back to the queue at once
            pairing_requeue(pairing, coordinator)
            counts["requeued"] += 1
    audit_record(
        actor=coordinator, action=AuditAction.SUPPORTER_SUSPENDED, target=profile, **counts
    )
    _tell_supporter(profile, _("Your account is on hold. A coordinator will be in touch."))
    return counts


@transaction.atomic
def supporter_reinstate(*, profile_id: int, coordinator: User) -> SupporterProfile:
    """Back to approved. Their pairings stay paused and held for a coordinator to resume or
    reassign, one by one."""
    _require_coordinator(coordinator)
    profile = lock_profile(pk=profile_id)
    if profile is None:
        raise RowGone(_("This supporter is no longer there. Nothing was changed."))
    if profile.status != SupporterStatus.SUSPENDED:
        raise ValidationError(_("Only a suspended supporter can be reinstated."))
    profile.status = SupporterStatus.APPROVED
    profile.standing_reason = ""
    profile.save(update_fields=["status", "standing_reason", "updated_at"])
    audit_record(actor=coordinator, action=AuditAction.SUPPORTER_REINSTATED, target=profile)
    _tell_supporter(profile, _("Your account is active again."))
    return profile


@transaction.atomic
def supporter_retire(*, profile_id: int, coordinator: User, reason: str = "") -> dict[str, int]:
    """Retire a supporter: every pairing ends and each survivor is back in the queue; they
    reach no supporter page again."""
    _require_coordinator(coordinator)
    profile, pairings = lock_supporter_and_pairings(profile_id)
    allowed = (SupporterStatus.APPROVED, SupporterStatus.PAUSED, SupporterStatus.SUSPENDED)
    if profile.status not in allowed:
        raise ValidationError(_("Only an approved or suspended supporter can be retired."))
    profile.status = SupporterStatus.RETIRED
    profile.standing_reason = (reason or "").strip()[:500]
    profile.save(update_fields=["status", "standing_reason", "updated_at"])
    counts = {"withdrawn": services.offers_withdraw_for(supporter=profile.user, actor=coordinator)}
    for pairing in pairings:
        pairing_requeue(pairing, coordinator)
    counts["ended"] = len(pairings)
    audit_record(actor=coordinator, action=AuditAction.SUPPORTER_RETIRED, target=profile, **counts)
    _tell_supporter(
        profile, _("Your time as a peer supporter with us has ended. Thank you for your support.")
    )
    return counts
