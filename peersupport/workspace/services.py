"""Writes the workspace adds: a coordinator changes a supporter's capacity."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from peersupport.models import SupporterProfile, User
from peersupport.services import audit_record, supporter_capacity_check, supporter_offers_refit


@transaction.atomic
def supporter_capacity_set(
    *, profile_id: int, coordinator: User, capacity: int
) -> SupporterProfile:
    """Change how many people a supporter supports at once. Never below the places already
    taken; if open proposals and offers no longer fit, they go back to the queue."""
    if not coordinator.is_coordinator:
        raise ValidationError(_("Only coordinators can change this."))
    profile = SupporterProfile.objects.select_for_update().get(pk=profile_id)
    used = supporter_capacity_check(
        profile,
        capacity,
        too_few=_("This supporter already supports %(used)s people; end a pairing first."),
    )
    previous = profile.capacity
    profile.capacity = capacity
    profile.save(update_fields=["capacity", "updated_at"])
    supporter_offers_refit(profile, used=used, actor=coordinator)
    audit_record(
        actor=coordinator,
        action="supporter.capacity_set",
        target=profile,
        capacity=capacity,
        previous=previous,
    )
    return profile
