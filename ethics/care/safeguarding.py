"""What cannot wait: a survivor's urgent route ("I don't feel safe with my supporter") and
concerns about exploitation or harm (ethics/care/models.URGENT_CATEGORIES).

Both are concerns (the survivor already raises concerns and follows their status; coordinators
already answer them), in a category that makes them urgent. In the transaction that records one:
the pairing is held (matching/holds.py: paused at once, the supporter's access removed), every
coordinator is notified and emailed through the outbox even if they turned emails off, and the
concern comes first in the coordinators' lists (ConcernQuerySet.urgent_first). The supporter is
told only that the pairing is paused. Emails and notices carry the service's own neutral words,
never what the survivor wrote, and audit rows carry ids and codes.

Locks, in the one order (matching/locking.py): the survivor's user row, the pairing, then the
concern.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from ethics.agreements.services import clean_text
from matching import locking
from matching.access import survivor_may_see_supporter
from matching.holds import pairing_hold
from matching.models import CAPACITY_STATES, Pairing
from peersupport.people.events import AuditAction, NotificationKind
from peersupport.people.models import User
from peersupport.people.notifications import notify_coordinators
from peersupport.people.services import audit_record

from .models import Concern, ConcernCategory


def safeguarding_alert(*, concern: Concern, pairing: Pairing | None, actor: User) -> None:
    """An urgent concern was recorded (or a coordinator made one urgent): hold its pairing
    (locked by the caller) and tell every coordinator, by email whatever their settings."""
    if pairing is not None:
        pairing_hold(pairing=pairing, actor=actor)
    notify_coordinators(
        kind=NotificationKind.SAFEGUARDING_NEW,
        text=_("Something needs a coordinator now. Please look at it first."),
        link=reverse("team:concern", args=[concern.pk]),
        force_email=True,
    )


def get_pairing_for_urgent_route(user: User, pk: int) -> Pairing | None:
    """The pairing `pk` if `user` is its survivor, it has started and it has not ended; None
    otherwise (the view answers 404)."""
    pairing = (
        Pairing.objects.select_related("supporter")
        .filter(pk=pk, survivor_id=user.pk, state__in=CAPACITY_STATES)
        .first()
    )
    if pairing is None or not survivor_may_see_supporter(pairing):
        return None
    return pairing


@transaction.atomic
def urgent_raise(*, survivor: User, pairing_id: int, text: str = "") -> Concern:
    """The survivor does not feel safe with their supporter. `text` is optional."""
    refused = _("This pairing has already ended.")
    pairing = locking.lock_pairing(pairing_id, survivor_id=survivor.pk, gone=refused).pairing
    if pairing.state not in CAPACITY_STATES or not survivor_may_see_supporter(pairing):
        raise ValidationError(refused)
    text = clean_text(text, field="text", required=False)
    concern = Concern.objects.create(
        pairing=pairing, raised_by=survivor, category=ConcernCategory.UNSAFE, text=text
    )
    audit_record(
        actor=survivor,
        action=AuditAction.CONCERN_RAISED,
        target=concern,
        pairing=pairing.pk,
        category=ConcernCategory.UNSAFE,
    )
    safeguarding_alert(concern=concern, pairing=pairing, actor=survivor)
    return concern
