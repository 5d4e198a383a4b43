"""Reads for matching pages, each a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .models import Pairing, PairingState, RequestStatus, SupportRequest


@dataclass
class SurvivorOverview:
    request: SupportRequest | None
    pairing: Pairing | None
    status: str  # a code for templates: none / waiting / considering / ready / active / paused
    text: str


def survivor_overview(user) -> SurvivorOverview:
    """The survivor's request and pairing, with the status in plain words. Never names a
    supporter before the pairing has started."""
    request = SupportRequest.objects.live().filter(survivor=user).order_by("-opened_at").first()
    pairing = Pairing.objects.not_ended().filter(survivor=user).select_related("supporter").first()
    if request is None and pairing is None:
        return SurvivorOverview(None, None, "none", _("You have not asked for a peer supporter."))
    state = pairing.state if pairing else None
    if state in (PairingState.PROPOSED, PairingState.OFFERED):
        code, text = "considering", _("A peer supporter is considering your request.")
    elif state == PairingState.AWAITING_AGREEMENT:
        code, text = (
            "ready",
            _("Ready to start: your pairing begins once you have both agreed to the expectations."),
        )
    elif state == PairingState.ACTIVE:
        code, text = "active", _("Your pairing has started.")
    elif state == PairingState.PAUSED:
        code, text = "paused", _("Your pairing is paused.")
    elif request is not None and request.status == RequestStatus.OPEN:
        code, text = "waiting", _("Waiting: we are looking for the right peer supporter for you.")
    else:
        code, text = "none", _("You have not asked for a peer supporter.")
    return SurvivorOverview(request, pairing, code, text)


def open_offers_for(supporter):
    return (
        Pairing.objects.filter(supporter=supporter, state=PairingState.OFFERED)
        .select_related("request")
        .order_by("offer_expires_at")
    )


def proposals_for_review():
    return (
        Pairing.objects.filter(state__in=(PairingState.PROPOSED, PairingState.OFFERED))
        .select_related("request", "survivor", "supporter")
        .order_by("state", "request__opened_at")
    )


def request_details(request: SupportRequest) -> SupportRequest:
    """The request with its vocabulary lists prefetched, for display."""
    return (
        SupportRequest.objects.select_related("gender_pref")
        .prefetch_related("areas_must", "areas_nice", "languages", "meeting_modes")
        .get(pk=request.pk)
    )
