"""The pairing state machine, written down once.

Every change of a pairing's state goes through `transition()`, which checks the move is
allowed, stores it, and writes the transition row (who, when, why) in the same transaction.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from peersupport.people.events import AuditAction
from peersupport.people.services import audit_record

from .models import EndReason, Pairing, PairingState, PairingTransition

S = PairingState
ALLOWED: dict[str, frozenset[str]] = {
    S.PROPOSED: frozenset({S.OFFERED, S.ENDED}),
    S.OFFERED: frozenset({S.AWAITING_AGREEMENT, S.ENDED}),
    S.AWAITING_AGREEMENT: frozenset({S.ACTIVE, S.ENDED}),
    S.ACTIVE: frozenset({S.PAUSED, S.ENDED}),
    S.PAUSED: frozenset({S.ACTIVE, S.ENDED}),
    S.ENDED: frozenset(),
}

# Which end reasons fit which state (an offer cannot be "completed", an active pairing
# cannot "expire").
END_REASONS_FROM: dict[str, frozenset[str]] = {
    S.PROPOSED: frozenset(
        {EndReason.WITHDRAWN, EndReason.REQUEST_WITHDRAWN, EndReason.COORDINATOR_ENDED}
    ),
    S.OFFERED: frozenset(
        {
            EndReason.DECLINED,
            EndReason.EXPIRED,
            EndReason.WITHDRAWN,
            EndReason.REQUEST_WITHDRAWN,
            EndReason.COORDINATOR_ENDED,
        }
    ),
}
_STARTED_REASONS = frozenset(
    {
        EndReason.COMPLETED,
        EndReason.SURVIVOR_CHANGE,
        EndReason.SUPPORTER_HANDOVER,
        EndReason.COORDINATOR_ENDED,
        EndReason.SAFETY,
        EndReason.REQUEST_WITHDRAWN,
    }
)
for _state in (S.AWAITING_AGREEMENT, S.ACTIVE, S.PAUSED):
    END_REASONS_FROM[_state] = _STARTED_REASONS

_TIMESTAMP = {
    S.OFFERED: "offered_at",
    S.AWAITING_AGREEMENT: "accepted_at",
    S.ACTIVE: "activated_at",
    S.ENDED: "ended_at",
}


# Rows per insert when proposals are written in bulk.
BULK_BATCH = 2000


class TransitionError(ValidationError):
    pass


def transition(
    pairing: Pairing,
    *,
    to_state: str,
    actor,
    reason: str = "",
    note: str = "",
    extra_fields: tuple[str, ...] = (),
) -> PairingTransition:
    """Move `pairing` to `to_state`. The caller holds a transaction and, where it matters,
    a lock on the pairing row (select_for_update)."""
    from_state = pairing.state
    if to_state not in ALLOWED[from_state]:
        raise TransitionError(_("That change is not possible any more: the pairing has moved on."))
    now = timezone.now()
    fields = ["state", "updated_at", *extra_fields]
    if to_state == S.ENDED:
        if reason not in END_REASONS_FROM[from_state]:
            raise TransitionError(_("That reason does not fit this pairing."))
        pairing.end_reason = reason
        fields.append("end_reason")
    stamp = _TIMESTAMP.get(to_state)
    if stamp and (to_state != S.ACTIVE or pairing.activated_at is None):
        setattr(pairing, stamp, now)
        fields.append(stamp)
    pairing.state = to_state
    pairing.save(update_fields=fields)
    row = PairingTransition.objects.create(
        pairing=pairing,
        from_state=from_state,
        to_state=to_state,
        actor=actor if actor is not None and actor.is_authenticated else None,
        reason=reason,
        note=note[:500],
        at=now,
    )
    audit_record(
        actor=actor,
        action=AuditAction(f"pairing.{to_state}"),
        target=pairing,
        from_state=from_state,
        reason=reason,
    )
    return row


def record_creation(pairing: Pairing, *, actor, reason: str = "") -> PairingTransition:
    """The first row of a pairing's history: it came into being as a proposal."""
    audit_record(actor=actor, action=AuditAction.PAIRING_PROPOSED, target=pairing, reason=reason)
    return PairingTransition.objects.create(
        pairing=pairing, from_state="", to_state=pairing.state, actor=actor, reason=reason
    )


def record_creations(pairings: list[Pairing], *, actor, reason: str = "") -> None:
    """The first rows of many proposals' histories at once (the matcher's run), in bulk: one
    insert per BULK_BATCH proposals. The caller writes one audit row for the whole batch (its
    counts); each proposal's transition already says who proposed it, when and why."""
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    PairingTransition.objects.bulk_create(
        [
            PairingTransition(
                pairing_id=pairing.pk,
                from_state="",
                to_state=pairing.state,
                actor_id=actor_id,
                reason=reason,
                at=pairing.created_at,
            )
            for pairing in pairings
        ],
        batch_size=BULK_BATCH,
    )
