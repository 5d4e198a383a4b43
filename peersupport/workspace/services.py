"""Writes the workspace adds: a coordinator changes a supporter's capacity."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from peersupport.models import SupporterProfile, User
from peersupport.services import audit_record


@transaction.atomic
def supporter_capacity_set(
    *, profile_id: int, coordinator: User, capacity: int
) -> SupporterProfile:
    """Change how many people a supporter supports at once. Never below the places already
    taken; if open proposals and offers no longer fit, they go back to the queue."""
    from matching.models import CAPACITY_STATES, Pairing
    from matching.services import OPEN_OFFER_STATES, offers_withdraw_for

    if not coordinator.is_coordinator:
        raise ValidationError(_("Only coordinators can change this."))
    if not 1 <= capacity <= 10:
        raise ValidationError(_("Choose a number from 1 to 10."))
    profile = SupporterProfile.objects.select_for_update().get(pk=profile_id)
    taken = Pairing.objects.filter(supporter_id=profile.user_id, state__in=CAPACITY_STATES)
    used = taken.count()
    if capacity < used:
        raise ValidationError(
            _("This supporter already supports %(used)s people; end a pairing first.")
            % {"used": used}
        )
    previous = profile.capacity
    profile.capacity = capacity
    profile.save(update_fields=["capacity", "updated_at"])
    pending = Pairing.objects.filter(supporter_id=profile.user_id, state__in=OPEN_OFFER_STATES)
    if used + pending.count() > capacity:
        offers_withdraw_for(supporter=profile.user, actor=coordinator)
    audit_record(
        actor=coordinator,
        action="supporter.capacity_set",
        target=profile,
        capacity=capacity,
        previous=previous,
    )
    return profile
