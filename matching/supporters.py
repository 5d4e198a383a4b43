"""Writes that change whether a supporter can be offered people: pausing for self-care, the
number of people they support at once, being open to new people. Each one locks the supporter's
profile first (the row that guards capacity), then their open proposals and offers, in the one
order of matching/locking.py, and sends those back to the queue when they no longer fit (places
as eligibility.py counts them)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from peersupport.people.events import AuditAction
from peersupport.people.models import SupporterProfile, SupporterStatus, User
from peersupport.people.services import audit_record

from . import eligibility
from .locking import RowGone, lock_profile
from .services import offers_withdraw_for


def _lock_supporter(profile_id: int) -> SupporterProfile:
    profile = lock_profile(pk=profile_id)
    if profile is None:
        raise RowGone(_("This supporter is no longer there. Nothing was changed."))
    return profile


@transaction.atomic
def supporter_set_paused(
    *, profile_id: int, actor: User, paused: bool, reason: str = ""
) -> SupporterProfile:
    """Pause for self-care (or resume). Pausing stops new offers; it does not end pairings."""
    profile = _lock_supporter(profile_id)
    allowed_from = SupporterStatus.APPROVED if paused else SupporterStatus.PAUSED
    if profile.status != allowed_from:
        raise ValidationError(_("That change is not possible from the current status."))
    profile.status = SupporterStatus.PAUSED if paused else SupporterStatus.APPROVED
    profile.pause_reason = reason.strip() if paused else ""
    profile.save(update_fields=["status", "pause_reason"])
    if paused:
        # New people stop at once: open proposals and offers go back to the queue.
        offers_withdraw_for(supporter=profile.user, actor=actor)
    audit_record(
        actor=actor,
        action=AuditAction.SUPPORTER_PAUSED if paused else AuditAction.SUPPORTER_RESUMED,
        target=profile,
    )
    return profile


def supporter_capacity_check(profile: SupporterProfile, capacity: int, *, too_few: str) -> None:
    """Under the caller's lock on `profile`: a capacity from 1 to 10 and never below the places
    already taken (`too_few` says so, with %(used)s)."""
    if not 1 <= capacity <= 10:
        raise ValidationError(_("Choose a number from 1 to 10."))
    used = eligibility.places_held(profile.user_id)
    if capacity < used:
        raise ValidationError(too_few % {"used": used})


def supporter_offers_refit(profile: SupporterProfile, *, actor: User) -> int:
    """Under the caller's lock on `profile`, just changed: send open proposals and offers back
    to the queue when the supporter no longer takes new people or they no longer fit the
    places left. Returns how many went back."""
    if not profile.accepting_new or eligibility.places_left(profile) < 0:
        return offers_withdraw_for(supporter=profile.user, actor=actor)
    return 0


@transaction.atomic
def supporter_profile_update(
    *,
    profile_id: int,
    actor: User,
    areas,
    languages,
    meeting_modes,
    gender,
    availability: int,
    capacity: int,
    accepting_new: bool,
) -> SupporterProfile:
    """A supporter changes their own profile. Capacity never drops below the places already
    taken; closing to new people, or a capacity their open proposals and offers no longer fit,
    sends those back to the queue at once."""
    profile = _lock_supporter(profile_id)
    if profile.user_id != actor.pk:
        raise ValidationError(_("Only the supporter can change this profile."))
    supporter_capacity_check(
        profile,
        capacity,
        too_few=_(
            "You already support %(used)s people: choose at least that many, or talk to "
            "a coordinator."
        ),
    )
    previous = (profile.capacity, profile.accepting_new)
    profile.gender = gender
    profile.availability = availability
    profile.capacity = capacity
    profile.accepting_new = accepting_new
    profile.save(
        update_fields=["gender", "availability", "capacity", "accepting_new", "updated_at"]
    )
    profile.areas.set(areas)
    profile.languages.set(languages)
    profile.meeting_modes.set(meeting_modes)
    withdrawn = supporter_offers_refit(profile, actor=actor)
    audit_record(
        actor=actor,
        action=AuditAction.SUPPORTER_PROFILE_UPDATED,
        target=profile,
        capacity=capacity,
        previous_capacity=previous[0],
        accepting_new=accepting_new,
        previous_accepting_new=previous[1],
        withdrawn=withdrawn,
    )
    return profile


@transaction.atomic
def supporter_capacity_set(
    *, profile_id: int, coordinator: User, capacity: int
) -> SupporterProfile:
    """Change how many people a supporter supports at once. Never below the places already
    taken; if open proposals and offers no longer fit, they go back to the queue."""
    if not coordinator.is_coordinator:
        raise ValidationError(_("Only coordinators can change this."))
    profile = _lock_supporter(profile_id)
    supporter_capacity_check(
        profile,
        capacity,
        too_few=_("This supporter already supports %(used)s people; end a pairing first."),
    )
    previous = profile.capacity
    profile.capacity = capacity
    profile.save(update_fields=["capacity", "updated_at"])
    supporter_offers_refit(profile, actor=coordinator)
    audit_record(
        actor=coordinator,
        action=AuditAction.SUPPORTER_CAPACITY_SET,
        target=profile,
        capacity=capacity,
        previous=previous,
    )
    return profile
