"""Writes a person makes from their own pages that span layers, each in one transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from matching.supporters import supporter_profile_update
from peersupport.people.events import AuditAction
from peersupport.people.models import Role, SupporterProfile, User
from peersupport.people.services import account_update, audit_record, survivor_profile_update


@transaction.atomic
def profile_save(*, user: User, account: dict[str, Any], profile: dict[str, Any] | None) -> None:
    """Save the profile page: the account settings and the role's profile together, or
    nothing (a supporter's capacity below the places taken refuses the whole change)."""
    account_update(user=user, **account)
    if profile is not None and user.role == Role.SURVIVOR:
        survivor_profile_update(user=user, **profile)
    elif profile is not None and user.role == Role.SUPPORTER:
        # Capacity and "open to new people" are matching's: the service locks the profile,
        # checks the places taken and sends open offers that no longer fit back to the queue.
        supporter_profile_id = SupporterProfile.objects.values_list("pk", flat=True).get(user=user)
        supporter_profile_update(profile_id=supporter_profile_id, actor=user, **profile)
    audit_record(actor=user, action=AuditAction.PROFILE_UPDATED, target=user)
