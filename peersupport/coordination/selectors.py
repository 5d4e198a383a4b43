"""Reads for the coordinators' workspace. Each list costs a fixed number of queries whatever
its length (the matcher's suggestions come from one load of the page's waiting requests)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ethics.care.models import (
    ChangeKind,
    ChangeRequest,
    ChangeStatus,
    Concern,
    DebriefRequest,
    SafetyFlag,
)
from matching import engine, queue_cache, runner
from matching.eligibility import supporters_with_places, with_places
from matching.models import (
    CAPACITY_STATES,
    OPEN_OFFER_STATES,
    Pairing,
    PairingTransition,
    RequestStatus,
    SupportRequest,
)
from peersupport.people.models import SupporterProfile, SupporterStatus, User
from sessions.models import CheckIn, ContactLapse, SessionStatus, SupportSession

PAGE_SIZE = 25
SUGGESTIONS = 3

# Each hard constraint as the queue names it ("ruled out by ...: n supporters").
CONSTRAINT_LABELS = {
    engine.NO_CAPACITY: _("No place left"),
    engine.NO_LANGUAGE: _("No language in common"),
    engine.NO_MODE: _("No way to meet in common"),
    engine.MISSING_AREA: _("Missing a lived experience they must share"),
    engine.GENDER_MUST: _("Not the gender they need"),
    engine.RELATIONSHIP_MUST: _("Not the relationship to lived experience they need"),
    engine.EXCLUDED: _("Declined, blocked, or paired with them before"),
}


def int_or_none(value) -> int | None:
    """A number from a query string or a form, or None for anything else."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def paginate(queryset, page_number, per_page: int = PAGE_SIZE) -> Page:
    return Paginator(queryset, per_page).get_page(page_number)


# -- the matcher's view of the queue ----------------------------------------------------------


@dataclass(frozen=True)
class ShownReason:
    """One part of a suggestion's score, in words and points, written once (not per view)."""

    reason: str
    points: str


@dataclass
class Suggestion:
    supporter_id: int
    name: str
    score: str  # "12.5": written once, so pages do no per-row number formatting
    reasons: list[ShownReason]


@dataclass
class Unfit:
    """Why nobody fits: per hard constraint, how many supporters with places it rules out."""

    supporters: int
    reasons: list[tuple[str, int]]


@dataclass
class QueueRow:
    request: SupportRequest
    waiting_days: int
    pending: Pairing | None = None
    suggestions: list[Suggestion] = field(default_factory=list)
    unfit: Unfit | None = None


class Matcher:
    """The queue as the matcher sees it: the given open requests (by default all of them)
    against every supporter with places, loaded and scored once (runner.load_instance +
    engine.eligible_edges)."""

    def __init__(self, *, requests_qs=None, places: dict[int, int] | None = None):
        self.instance = runner.load_instance(requests_qs=requests_qs, places=places)
        self.weights = runner.weights()
        self.edges = engine.eligible_edges(
            self.instance.requests, self.instance.supporters, self.weights
        )
        self.row_of = {int(pk): i for i, pk in enumerate(self.instance.requests.ids)}

    def top(self, request_id: int, k: int, *, exclude: set[int] = frozenset()):
        """The `k` best eligible supporters for a request: (supporter index, score) pairs."""
        r = self.row_of.get(request_id)
        if r is None:
            return []
        lo, hi = np.searchsorted(self.edges.req_idx, [r, r + 1])
        sup = self.edges.sup_idx[lo:hi]
        score = self.edges.score_int[lo:hi]
        order = np.lexsort((sup, -score))
        out = []
        for i in order:
            s = int(sup[i])
            if int(self.instance.supporters.ids[s]) in exclude:
                continue
            out.append((s, int(score[i])))
            if len(out) == k:
                break
        return out

    def explain(self, request_id: int, s_idx: int) -> list[engine.Component]:
        return engine.explain(
            self.instance.requests,
            self.row_of[request_id],
            self.instance.supporters,
            s_idx,
            self.weights,
        )

    def unfit(self, request_id: int) -> Unfit | None:
        r = self.row_of.get(request_id)
        if r is None:
            return None
        supporters = len(self.instance.supporters)
        if supporters == 0:
            return Unfit(0, [])
        counts = engine.ineligibility_reasons(self.instance.requests, r, self.instance.supporters)
        reasons = [(str(CONSTRAINT_LABELS[name]), count) for name, count in counts.items() if count]
        reasons.sort(key=lambda item: -item[1])
        return Unfit(supporters, reasons)

    def suggestions(
        self, request_id: int, names: dict[int, str], k: int = SUGGESTIONS, exclude=frozenset()
    ) -> list[Suggestion]:
        return [
            Suggestion(
                supporter_id=int(self.instance.supporters.ids[s]),
                name=names.get(int(self.instance.supporters.ids[s]), ""),
                score=f"{score / engine.SCORE_SCALE:.1f}",
                reasons=[
                    ShownReason(str(part.reason), f"{part.points:.1f}")
                    for part in self.explain(request_id, s)
                ],
            )
            for s, score in self.top(request_id, k, exclude=exclude)
        ]


def _names(user_ids) -> dict[int, str]:
    return dict(User.objects.filter(pk__in=list(user_ids)).values_list("pk", "display_name"))


QUEUE_FILTERS = {
    "all": _("All open requests"),
    "waiting": _("Waiting, nothing proposed"),
    "pending": _("With a proposal or offer"),
    "reassigned": _("After a pairing ended"),
}


def open_requests(*, show: str = "all", language: int | None = None):
    pending = Pairing.objects.filter(request=OuterRef("pk"), state__in=OPEN_OFFER_STATES)
    queryset = (
        SupportRequest.objects.filter(status=RequestStatus.OPEN)
        .select_related("survivor", "gender_pref")
        .prefetch_related(
            "areas_must",
            "areas_nice",
            "languages",
            "meeting_modes",
            Prefetch(
                "pairings",
                queryset=Pairing.objects.filter(state__in=OPEN_OFFER_STATES).select_related(
                    "supporter"
                ),
                to_attr="pending_pairings",
            ),
        )
        .annotate(has_pending=Exists(pending))
        .order_by("opened_at", "pk")
    )
    if show == "waiting":
        queryset = queryset.filter(has_pending=False)
    elif show == "pending":
        queryset = queryset.filter(has_pending=True)
    elif show == "reassigned":
        queryset = queryset.filter(previous_pairing__isnull=False)
    if language:
        queryset = queryset.filter(languages=language)
    return queryset


def queue_page(
    *, page_number=None, show: str = "all", language: int | None = None, now: datetime | None = None
) -> tuple[Page, list[QueueRow]]:
    """A page of the queue, longest waiting first, each row with the matcher's best
    suggestions (and why) or why nobody fits."""
    now = now or timezone.now()
    page = paginate(open_requests(show=show, language=language), page_number)
    rows = [
        QueueRow(
            request=req,
            waiting_days=max(0, (now - req.opened_at).days),
            pending=req.pending_pairings[0] if req.pending_pairings else None,
        )
        for req in page.object_list
    ]
    waiting = [row for row in rows if row.pending is None]
    if waiting:
        views = queue_cache.cached_views([row.request for row in waiting], _score_waiting)
        for row in waiting:
            row.suggestions, row.unfit = views[row.request.pk]
    return page, rows


def _score_waiting(request_ids: list[int]) -> dict[int, tuple[list[Suggestion], Unfit | None]]:
    """What the queue shows for these waiting requests: their best supporters and why, or why
    nobody fits. Only these requests are scored (against every supporter with places), never
    the whole queue; queue_cache keeps the answer until something it depends on changes."""
    matcher = Matcher(requests_qs=runner.open_requests_queryset().filter(pk__in=request_ids))
    picks = {pk: matcher.top(pk, SUGGESTIONS) for pk in request_ids}
    names = _names(
        int(matcher.instance.supporters.ids[s]) for top in picks.values() for s, _x in top
    )
    return {
        pk: (matcher.suggestions(pk, names), None) if picks[pk] else ([], matcher.unfit(pk))
        for pk in request_ids
    }


def suggestions_for_pairing(pairing: Pairing, k: int = 5) -> tuple[list[Suggestion], Unfit | None]:
    """Who could take over this pairing's survivor: the matcher's best for its request among
    the supporters who may be offered someone (matching/eligibility.py), never the current
    supporter (the others the survivor left, blocked or was declined by are excluded by the
    matcher already)."""
    places = supporters_with_places()
    places.pop(pairing.supporter_id, None)
    matcher = Matcher(
        requests_qs=SupportRequest.objects.filter(pk=pairing.request_id), places=places
    )
    top = matcher.top(pairing.request_id, k)
    if not top:
        return [], matcher.unfit(pairing.request_id)
    names = _names(int(matcher.instance.supporters.ids[s]) for s, _x in top)
    return matcher.suggestions(pairing.request_id, names, k=k), None


# -- supporters -----------------------------------------------------------------------------


SUPPORTER_FILTERS = {
    SupporterStatus.APPLIED: _("Applications"),
    SupporterStatus.APPROVED: _("Approved"),
    SupporterStatus.PAUSED: _("Paused"),
    SupporterStatus.DECLINED: _("Not approved"),
    SupporterStatus.SUSPENDED: _("Suspended"),
    SupporterStatus.RETIRED: _("Retired"),
}


def supporters(*, status: str = SupporterStatus.APPROVED, search: str = ""):
    """Supporters of one status with their places used (pairings holding a place), pending
    (proposals and offers) and left (matching/eligibility.py), one query per page."""
    queryset = with_places(
        SupporterProfile.objects.filter(status=status).select_related("user")
    ).order_by("created_at" if status == SupporterStatus.APPLIED else "user__display_name", "pk")
    if search:
        queryset = queryset.filter(user__display_name__icontains=search)
    return queryset


DEBRIEF_FILTERS = {
    "not_closed": _("Not closed"),
    "open": _("Waiting to be picked up"),
    "picked_up": _("Picked up"),
    "closed": _("Closed"),
}


def debriefs(*, show: str = "not_closed"):
    """Supporters' debrief requests: who and when, never what they wrote. By default those
    not closed yet; or those of one status."""
    queryset = DebriefRequest.objects.select_related("requested_by", "picked_up_by").defer("text")
    if show in ("open", "picked_up", "closed"):
        queryset = queryset.filter(status=show)
    else:
        queryset = queryset.not_closed()
    return queryset.order_by("-created_at" if show == "closed" else "created_at", "pk")


# -- pairings at risk -----------------------------------------------------------------------


RISK_FILTERS = {
    "all": _("Everything"),
    "flag": _("Safety flags"),
    "concern": _("Concerns"),
    "change": _("Asked for a change"),
    "handover": _("Handover requests"),
    "lapsed": _("Contact lapsed"),
}


def pairings_at_risk(*, show: str = "all"):
    """Live pairings with an open safety flag, concern, change or handover request, or lapsed
    contact; safety flags first, always, then the longest-standing."""
    changes = ChangeRequest.objects.filter(pairing=OuterRef("pk"), status=ChangeStatus.OPEN)
    # A lapse the sweep escalated, with no session held or check-in answered since.
    lapsed = ContactLapse.objects.filter(pairing=OuterRef("pk")).exclude(
        Exists(
            SupportSession.objects.filter(
                pairing=OuterRef("pairing"),
                status=SessionStatus.HELD,
                starts_at__gt=OuterRef("last_contact_at"),
            )
        )
        | Exists(
            CheckIn.objects.filter(
                pairing=OuterRef("pairing"), answered_at__gt=OuterRef("last_contact_at")
            )
        )
    )
    flags = {
        "flag": Exists(SafetyFlag.objects.not_closed().filter(pairing=OuterRef("pk"))),
        "concern": Exists(Concern.objects.unresolved().filter(pairing=OuterRef("pk"))),
        "change": Exists(changes.exclude(kind=ChangeKind.HANDOVER)),
        "handover": Exists(changes.filter(kind=ChangeKind.HANDOVER)),
        "lapsed": Exists(lapsed),
    }
    queryset = (
        Pairing.objects.filter(state__in=CAPACITY_STATES)
        .select_related("survivor", "supporter")
        .annotate(**{f"risk_{name}": expr for name, expr in flags.items()})
    )
    if show in flags:
        queryset = queryset.filter(**{f"risk_{show}": True})
    else:
        any_risk = Q()
        for name in flags:
            any_risk |= Q(**{f"risk_{name}": True})
        queryset = queryset.filter(any_risk)
    return queryset.order_by("-risk_flag", "created_at", "pk")


# -- one pairing ----------------------------------------------------------------------------


def pairing_history(pairing: Pairing) -> list[Pairing]:
    """Every pairing of this survivor, oldest first, each with its transitions (who, when,
    why): the whole story on one page, in three queries."""
    return list(
        Pairing.objects.filter(survivor_id=pairing.survivor_id)
        .select_related("supporter")
        .prefetch_related(
            Prefetch(
                "transitions",
                queryset=PairingTransition.objects.select_related("actor").order_by("at", "id"),
            )
        )
        .order_by("created_at", "pk")
    )


def open_items_for(pairing: Pairing) -> dict[str, list]:
    """The open things raised about this pairing (ids and categories; the text stays on the
    ethics pages, where opening it is audited)."""
    return {
        "flags": list(SafetyFlag.objects.not_closed().filter(pairing=pairing).defer("text")),
        "concerns": list(
            Concern.objects.unresolved().filter(pairing=pairing).defer("text", "response")
        ),
        "changes": list(
            ChangeRequest.objects.filter(pairing=pairing, status=ChangeStatus.OPEN).defer("reason")
        ),
    }
