"""Reassigning or ending a pairing because of a care record: a change or handover request, or a
concern. One transaction: matching's reassignment (which locks the survivor's user row, the
supporter's profile, the request and the pairing: the order of matching/locking.py) and then
the trigger and the pairing's other change requests (care rows come after the pairing), checked
to be open and about this pairing, and closed. A trigger that is no longer open refuses the
whole change: nothing is half-applied.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from matching import reassign
from matching.models import Pairing, SupportRequest
from matching.reassign import ReassignError, Trigger
from peersupport.people.models import User

from .models import ChangeRequest, ChangeStatus, Concern, ConcernStatus
from .services import change_request_close, concern_update


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
    """`matching.reassign.pairing_reassign`, then the trigger closed (see the module)."""
    new = reassign.pairing_reassign(
        pairing_id=pairing_id,
        coordinator=coordinator,
        reason=reason,
        supporter_id=supporter_id,
        expected_version=expected_version,
        note=note,
        trigger=trigger,
    )
    triggers_close(pairing_id=pairing_id, coordinator=coordinator, trigger=trigger)
    return new


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
    """`matching.reassign.pairing_end_by_coordinator`, then the trigger closed."""
    result = reassign.pairing_end_by_coordinator(
        pairing_id=pairing_id,
        coordinator=coordinator,
        reason=reason,
        expected_version=expected_version,
        reopen=reopen,
        note=note,
        trigger=trigger,
    )
    triggers_close(pairing_id=pairing_id, coordinator=coordinator, trigger=trigger)
    return result


def _trigger_concern(trigger: Trigger | None, pairing_id: int) -> Concern | None:
    """Check the trigger is open and about this pairing; return it if it is a concern."""
    if trigger is None:
        return None
    if trigger.kind == "change":
        if not ChangeRequest.objects.filter(
            pk=trigger.pk, pairing_id=pairing_id, status=ChangeStatus.OPEN
        ).exists():
            raise ReassignError(_("That request has already been dealt with."))
        return None
    if trigger.kind == "concern":
        concern = (
            Concern.objects.filter(pk=trigger.pk, pairing_id=pairing_id)
            .exclude(status=ConcernStatus.RESOLVED)
            .first()
        )
        if concern is None:
            raise ReassignError(_("That concern has already been resolved."))
        return concern
    raise ReassignError(_("Choose one of the options shown."))


def triggers_close(*, pairing_id: int, coordinator: User, trigger: Trigger | None) -> None:
    """Every open change or handover request about the ended pairing is done now; the
    triggering concern is resolved (through the care services, which tell whoever asked).
    Call inside the transaction that ended the pairing."""
    concern = _trigger_concern(trigger, pairing_id)
    open_ids = ChangeRequest.objects.filter(
        pairing_id=pairing_id, status=ChangeStatus.OPEN
    ).values_list("pk", flat=True)
    for change_id in list(open_ids):
        change_request_close(request_id=change_id, actor=coordinator, status=ChangeStatus.DONE)
    if concern is not None:
        concern_update(
            concern_id=concern.pk, coordinator=coordinator, status=ConcernStatus.RESOLVED
        )
