"""Sample objects for the safety-frame walk (tests/platform) over matching's routes."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.factories import PairingFactory, SupportRequestFactory

# Routes with no page of their own: POST only (GET answers 405), or a step that sends on.
MATCHING_POST_ONLY = {
    "matching:offer_accept": "POST only",
    "matching:pairing_action": "POST only",
    "team:run": "POST only",
    "team:proposal_decide": "POST only",
    "matching:request_edit": "starts changing a request: on to its check page",
}


def matching_samples(*, survivor, supporter) -> dict[str, dict[str, int]]:
    # The walk's survivor is waiting; the walk's supporter has an offer for someone else.
    waiting = SupportRequestFactory(survivor=survivor)
    offer = PairingFactory(
        supporter=supporter,
        state="offered",
        activated_at=None,
        request__status="open",
        offer_expires_at=timezone.now() + timedelta(days=1),
    )
    # The parties' pairing page: the walk's supporter with someone else (coordinators have
    # their own pairing page, team:pairing, and are sent on to it).
    current = PairingFactory(supporter=supporter)
    return {
        "matching:request": {"pk": waiting.pk},
        "matching:request_edit": {"pk": waiting.pk},
        "matching:request_edit_check": {"pk": waiting.pk},
        "matching:request_edit_step": {"pk": waiting.pk, "step": "meeting"},
        "matching:request_step": {"step": "matters"},
        "matching:request_withdraw": {"pk": waiting.pk},
        "matching:offer": {"pk": offer.pk},
        "matching:offer_accept": {"pk": offer.pk},
        "matching:offer_decline": {"pk": offer.pk},
        "matching:pairing": {"pk": current.pk},
        "matching:pairing_action": {"pk": offer.pk},
        "matching:pairing_pause": {"pk": current.pk},
        "matching:pairing_finish": {"pk": current.pk},
        "team:proposal_decide": {"pk": offer.pk},
    }
