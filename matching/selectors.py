"""Reads for matching pages, each a fixed number of queries."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from ethics.agreements.selectors import outstanding_agreements

from .models import Pairing, PairingState, RequestStatus, SupportRequest

# How far back the usual wait is measured, and how many matches it needs before it is said
# at all: with fewer, a number would be a guess dressed up as a fact.
WAIT_LOOKBACK_DAYS = 90
WAIT_MIN_MATCHES = 5
WAIT_SAMPLE = 500


@dataclass
class WaitingNext:
    """What happens while a survivor waits, from the service's own settings and figures."""

    reviewed: bool  # a coordinator checks each suggestion before it is offered
    offer_days: int  # how long a supporter has to answer
    usual_days: int | None  # half of recent matches came within this many days; None: unknown


@dataclass
class SurvivorOverview:
    request: SupportRequest | None
    pairing: Pairing | None
    status: str  # a code for templates: none / waiting / considering / ready / active / paused
    text: str
    waiting: WaitingNext | None = None
    must_agree: bool = False  # ready to start, and this survivor still has agreements to read


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
        code, text = "ready", _("A peer supporter has said yes to supporting you.")
    elif state == PairingState.ACTIVE:
        code, text = "active", _("Your pairing has started.")
    elif state == PairingState.PAUSED:
        code, text = "paused", _("Your pairing is paused.")
    elif request is not None and request.status == RequestStatus.OPEN:
        code, text = "waiting", _("Waiting: we are looking for the right peer supporter for you.")
    else:
        code, text = "none", _("You have not asked for a peer supporter.")
    waiting = waiting_next() if code in ("waiting", "considering") else None
    must_agree = code == "ready" and bool(outstanding_agreements(user))
    return SurvivorOverview(request, pairing, code, text, waiting, must_agree)


def waiting_next(now: datetime | None = None) -> WaitingNext:
    return WaitingNext(
        reviewed=not settings.MATCHING_AUTO_OFFER,
        offer_days=max(1, math.ceil(settings.OFFER_TTL_HOURS / 24)),
        usual_days=usual_wait_days(now),
    )


def usual_wait_days(now: datetime | None = None) -> int | None:
    """The median number of days (rounded up) between asking and a supporter saying yes, over
    the offers accepted in the last WAIT_LOOKBACK_DAYS; None with fewer than WAIT_MIN_MATCHES
    to go on. One query."""
    since = (now or timezone.now()) - timedelta(days=WAIT_LOOKBACK_DAYS)
    rows = (
        Pairing.objects.filter(accepted_at__gte=since)
        .order_by("-accepted_at")
        .values_list("accepted_at", "request__opened_at")[:WAIT_SAMPLE]
    )
    waits = [(accepted - opened).total_seconds() / 86400 for accepted, opened in rows]
    if len(waits) < WAIT_MIN_MATCHES:
        return None
    return max(1, math.ceil(statistics.median(waits)))


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
