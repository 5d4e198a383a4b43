"""Holding a pairing for safeguarding: paused at once and out of the supporter's reach.

A survivor's urgent route, a concern about exploitation or harm (ethics/care/safeguarding.py)
and a supporter's suspension (matching/standing.py) all hold the pairing the same way: it
pauses (if it was active) with a reason that says why, `safeguarding_hold` is set, and from
that moment `access.pairings_visible_to` hides it from the supporter: its pages, sessions,
check-ins, notes and conversation answer 404. Only a coordinator lifts the hold, by resuming
the pairing (services.pairing_set_paused) or by reassigning or ending it.

The caller holds the transaction and the locks of the one order (the survivor's user row, then
the pairing: matching/locking.py). The supporter is told only that the pairing is paused.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from peersupport.people.events import AuditAction, NotificationKind
from peersupport.people.models import User
from peersupport.people.notifications import notify
from peersupport.people.services import audit_record

from . import lifecycle
from .models import CAPACITY_STATES, Pairing, PairingState, TransitionReason


def pairing_hold(
    *,
    pairing: Pairing,
    actor: User | None,
    reason: str = TransitionReason.SAFEGUARDING,
    tell_supporter: bool = True,
) -> bool:
    """Pause `pairing` (locked by the caller) and take it out of its supporter's reach.
    Returns False when there was nothing to hold (it ended, or was held already)."""
    if pairing.state not in CAPACITY_STATES or pairing.safeguarding_hold:
        return False
    pairing.safeguarding_hold = True
    if pairing.state == PairingState.ACTIVE:
        lifecycle.transition(
            pairing,
            to_state=PairingState.PAUSED,
            actor=actor,
            reason=reason,
            extra_fields=("safeguarding_hold",),
        )
    else:  # paused already, or waiting for both to agree (it does not start while held)
        pairing.save(update_fields=["safeguarding_hold", "updated_at"])
    audit_record(actor=actor, action=AuditAction.PAIRING_HELD, target=pairing, reason=str(reason))
    if tell_supporter:
        # Neutral, and to their home: the pairing's own pages are no longer theirs to open.
        notify(
            user=pairing.supporter,
            kind=NotificationKind.PAIRING_PAUSED,
            text=_("One of your pairings has been paused. A coordinator will be in touch."),
            link=reverse("home"),
        )
    return True
