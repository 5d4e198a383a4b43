"""Reads for sessions: the supporter's caseload, the survivor's panel, a pair's overview.

Each costs a fixed number of queries whatever the number of pairings or sessions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, Expression, OuterRef, Q, Subquery
from django.utils import timezone

from matching.access import pairings_visible_to
from matching.eligibility import with_places
from matching.models import CAPACITY_STATES, Pairing, PairingState
from peersupport.people.models import SupporterProfile, SupporterStatus, User

from .models import (
    CANCELLED_STATUSES,
    CheckIn,
    CheckInSchedule,
    SessionMode,
    SessionStatus,
    SupportSession,
    WantsSession,
    Wellbeing,
)


@dataclass(frozen=True)
class PairingRef:
    """What a kept caseload row holds of its pairing (ethics/care/selectors.py): the id."""

    pk: int


@dataclass
class CaseloadRow:
    pairing: Pairing | PairingRef
    name: str
    state: str
    last_contact: datetime | None
    next_session: datetime | None
    next_checkin: datetime | None
    latest_mood: int | None
    latest_wants_session: str
    overdue_checkin: bool
    open_concern: bool
    awaiting_agreement: bool
    reschedule_asked: bool
    first_session_to_plan: bool  # active, and nothing planned or held yet (cancelled aside)

    @property
    def latest_mood_label(self) -> str:
        return Wellbeing(self.latest_mood).label if self.latest_mood else ""


@dataclass
class Caseload:
    rows: list[CaseloadRow]
    capacity: int
    paused: bool
    used: int  # places held (matching.eligibility: the one rule)
    left: int  # places left for someone new, open offers counted; never below 0


def supporter_caseload(
    supporter: User,
    *,
    profile: SupporterProfile | None = None,
    now: datetime | None = None,
    open_concern: Expression | None = None,
) -> Caseload:
    """Every pairing holding one of the supporter's places (one query), and the places held
    and left by the one rule (one more).

    `open_concern` is a boolean expression over the pairing (`OuterRef("pk")`) that care adds
    (ethics/care/selectors.py: `supporter_caseload`); sessions knows nothing of concerns."""
    now = now or timezone.now()
    profile = profile or SupporterProfile.objects.get(user=supporter)
    sessions = SupportSession.objects.filter(pairing=OuterRef("pk"))
    answered = CheckIn.objects.filter(pairing=OuterRef("pk"), answered_at__isnull=False).order_by(
        "-answered_at"
    )
    overdue_before = now - timedelta(hours=settings.CHECKIN_OVERDUE_HOURS)
    latest_due = CheckIn.objects.filter(pairing=OuterRef("pk"), due_at__lte=now).order_by("-due_at")
    annotations = {
        "last_session": Subquery(
            sessions.filter(status=SessionStatus.HELD, starts_at__lte=now)
            .order_by("-starts_at")
            .values("starts_at")[:1]
        ),
        "next_session": Subquery(
            sessions.filter(status=SessionStatus.SCHEDULED, starts_at__gte=now)
            .order_by("starts_at")
            .values("starts_at")[:1]
        ),
        "last_answer": Subquery(answered.values("answered_at")[:1]),
        "latest_mood": Subquery(answered.values("mood")[:1]),
        "latest_wants": Subquery(answered.values("wants_session")[:1]),
        # Overdue is about the latest check-in only: one that was skipped long ago and
        # followed by an answered one is no reason to worry now.
        "latest_due_at": Subquery(latest_due.values("due_at")[:1]),
        "latest_due_answered_at": Subquery(latest_due.values("answered_at")[:1]),
        "any_session": Exists(sessions.exclude(status__in=CANCELLED_STATUSES)),
        "reschedule_asked": Exists(
            sessions.filter(
                status=SessionStatus.SCHEDULED,
                starts_at__gte=now,
                reschedule_requested_at__isnull=False,
            )
        ),
    }
    if open_concern is not None:
        annotations["open_concern"] = open_concern
    pairings = (
        pairings_visible_to(supporter)
        .filter(supporter=supporter, state__in=CAPACITY_STATES)
        .select_related("checkin_schedule")
        .annotate(**annotations)
        .order_by("state", "survivor__display_name", "pk")
    )
    rows = []
    for pairing in pairings:
        contacts = [d for d in (pairing.last_session, pairing.last_answer) if d is not None]
        schedule = getattr(pairing, "checkin_schedule", None)
        rows.append(
            CaseloadRow(
                pairing=pairing,
                name=pairing.survivor.display_name,
                state=pairing.state,
                last_contact=max(contacts) if contacts else None,
                next_session=pairing.next_session,
                next_checkin=schedule.next_due_at if schedule and schedule.active else None,
                latest_mood=pairing.latest_mood,
                latest_wants_session=pairing.latest_wants or "",
                overdue_checkin=(
                    pairing.latest_due_at is not None
                    and pairing.latest_due_answered_at is None
                    and pairing.latest_due_at < overdue_before
                ),
                open_concern=bool(getattr(pairing, "open_concern", False)),
                awaiting_agreement=pairing.state == PairingState.AWAITING_AGREEMENT,
                reschedule_asked=pairing.reschedule_asked,
                first_session_to_plan=(
                    pairing.state == PairingState.ACTIVE and not pairing.any_session
                ),
            )
        )
    places = with_places(SupporterProfile.objects.filter(pk=profile.pk)).values("used", "left")[0]
    return Caseload(
        rows=rows,
        capacity=profile.capacity,
        paused=profile.status == SupporterStatus.PAUSED,
        used=places["used"],
        left=max(places["left"], 0),
    )


@dataclass
class SurvivorPanel:
    pairing: Pairing | None = None
    upcoming: list[SupportSession] = field(default_factory=list)
    past: list[SupportSession] = field(default_factory=list)
    checkins_to_answer: list[CheckIn] = field(default_factory=list)


PANEL_PAST = 5


def survivor_panel(survivor: User, *, now: datetime | None = None) -> SurvivorPanel:
    """The survivor's sessions and open check-ins with their current supporter (4 queries)."""
    now = now or timezone.now()
    pairing = (
        Pairing.objects.for_survivor(survivor)
        .filter(state__in=(PairingState.ACTIVE, PairingState.PAUSED))
        .select_related("supporter")
        .first()
    )
    if pairing is None:
        return SurvivorPanel()
    sessions = SupportSession.objects.without_notes().filter(pairing=pairing)
    upcoming = list(sessions.upcoming(now)[:10])
    past = list(sessions.past(now)[:PANEL_PAST])
    checkins = list(
        CheckIn.objects.filter(pairing=pairing, answered_at__isnull=True, due_at__lte=now)
        .defer("note")
        .order_by("-due_at")[:3]
    )
    return SurvivorPanel(
        pairing=pairing,
        upcoming=upcoming,
        past=past,
        checkins_to_answer=checkins,
    )


@dataclass
class PairOverview:
    pairing: Pairing
    is_survivor: bool
    upcoming: list[SupportSession]
    past: list[SupportSession]
    checkins: list[CheckIn]
    schedule: CheckInSchedule | None


def pair_overview(pairing: Pairing, viewer: User, *, now: datetime | None = None) -> PairOverview:
    """A pair's sessions and check-ins, for one of the two of them (no private notes)."""
    now = now or timezone.now()
    sessions = SupportSession.objects.without_notes().filter(pairing=pairing)
    is_survivor = viewer.pk == pairing.survivor_id
    checkins = CheckIn.objects.filter(pairing=pairing, due_at__lte=now).order_by("-due_at")
    upcoming, past = list(sessions.upcoming(now)), list(sessions.past(now)[:50])
    checkins = list(checkins[:20])
    _label(upcoming + past, mode=SessionMode, status=SessionStatus, wellbeing=Wellbeing)
    _label(checkins, mood=Wellbeing, wants_session=WantsSession)
    return PairOverview(
        pairing=pairing,
        is_survivor=is_survivor,
        upcoming=upcoming,
        past=past,
        checkins=checkins,
        schedule=CheckInSchedule.objects.filter(pairing=pairing).first(),
    )


def _label(rows: list, **fields) -> None:
    """Each row's `<field>_label`: the words for its code, each looked up once per list
    (get_<field>_display hashes every choice's lazy label, translating it, on every call)."""
    for name, choices in fields.items():
        words = {value: str(label) for value, label in choices.choices}
        for row in rows:
            setattr(row, f"{name}_label", words.get(getattr(row, name), ""))


def live_pairings_of_supporter(supporter: User):
    """The supporter's pairings that hold a place (for choosing whom a session was with)."""
    return (
        pairings_visible_to(supporter)
        .filter(Q(supporter=supporter), state__in=CAPACITY_STATES)
        .order_by("survivor__display_name", "pk")
    )
