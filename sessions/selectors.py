"""Reads for sessions: the supporter's caseload, the survivor's panel, a pair's overview.

Each costs a fixed number of queries whatever the number of pairings or sessions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Exists, Expression, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from matching.access import pairings_visible_to
from matching.eligibility import with_places
from matching.models import CAPACITY_STATES, Pairing, PairingState
from peersupport.people.models import SupporterProfile, SupporterStatus, User
from peersupport.platform.dates import shown

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


# The pair's page shows the latest past sessions a page at a time (a phone is not the place
# for fifty rows), and the latest check-ins.
PAST_PER_PAGE = 10
OVERVIEW_CHECKINS = 20
# A number no session will have, standing for the pk in a link reversed once per page.
_PK_MARK = 987654321


def _link(name: str):
    """`name`'s link for any session pk: reversed once, then the pk (an int) put in."""
    before, after = reverse(name, kwargs={"pk": _PK_MARK}).split(str(_PK_MARK))
    return lambda pk: f"{before}{int(pk)}{after}"


@dataclass(frozen=True)
class SessionRow:
    """A session as the pair's page shows it (no notes): its words and links, worked out once."""

    pk: int
    starts_at: datetime
    url: str
    when: str
    mode_label: str
    status_label: str
    minutes: int
    length: str  # "60 minutes"
    wellbeing_label: str  # "" when none was shared
    notes_url: str  # the viewer's own notes on it, or ""
    reschedule_asked: bool


@dataclass(frozen=True)
class CheckInRow:
    """A check-in as the pair's page shows it. `note` is the survivor's words, read for this
    page only: the rows are never kept, and the page they render to only sealed
    (sessions/views.py: pairing_sessions)."""

    pk: int
    due: str
    answered: bool
    mood_label: str
    wants_session_label: str
    note: str
    answer_url: str  # for the survivor, while it waits for an answer; else ""


@dataclass(frozen=True)
class ScheduleShown:
    interval_days: int
    next_due: str
    active: bool


@dataclass
class PairOverview:
    pairing: Pairing
    is_survivor: bool
    upcoming: list[SessionRow]
    past: Page  # of SessionRow, newest first
    checkins: list[CheckInRow]
    schedule: ScheduleShown | None
    # When the clock next changes what it shows (a session begins and moves to the past, a
    # check-in falls due), if it will.
    changes_at: datetime | None = None


_SESSION_COLUMNS = (
    "pk",
    "starts_at",
    "duration_minutes",
    "mode",
    "status",
    "wellbeing",
    "logged_by_id",
    "reschedule_requested_at",
)
_CHECKIN_COLUMNS = ("pk", "due_at", "answered_at", "mood", "wants_session", "note")


def pair_overview(
    pairing: Pairing, viewer: User, *, page: str | int | None = None, now: datetime | None = None
) -> PairOverview:
    """A pair's sessions and check-ins, for one of the two of them (no private notes), with
    page `page` of the past sessions: five small queries whatever the numbers of rows (the
    schedule, the number of past sessions, the sessions coming up, the page of past ones, the
    latest check-ins), plain columns only, each row's words and links worked out here."""
    now = now or timezone.now()
    is_survivor = viewer.pk == pairing.survivor_id
    sessions = SupportSession.objects.filter(pairing=pairing)
    schedules = CheckInSchedule.objects.filter(pairing=pairing)
    schedule = next(iter(schedules.values_list("interval_days", "next_due_at", "active")), None)
    past = sessions.past(now)
    past_page = Paginator(range(past.count()), PAST_PER_PAGE).get_page(page)
    first = (past_page.number - 1) * PAST_PER_PAGE
    checkins = CheckIn.objects.filter(pairing=pairing, due_at__lte=now).order_by("-due_at", "-id")

    session_url, notes_url = _link("peer_sessions:session"), _link("peer_sessions:session_notes")
    modes, statuses, moods = _words(SessionMode), _words(SessionStatus), _words(Wellbeing)
    minutes = _("%(minutes)s minutes")

    def session_rows(queryset, format_name: str) -> list[SessionRow]:
        return [
            SessionRow(
                pk=pk,
                starts_at=starts_at,
                url=session_url(pk),
                when=shown(starts_at, format_name),
                mode_label=modes.get(mode, ""),
                status_label=statuses.get(status, ""),
                minutes=duration,
                length=minutes % {"minutes": duration},
                wellbeing_label=moods.get(wellbeing, ""),
                notes_url=notes_url(pk) if logged_by_id == viewer.pk else "",
                reschedule_asked=reschedule is not None,
            )
            for pk, starts_at, duration, mode, status, wellbeing, logged_by_id, reschedule in (
                queryset.values_list(*_SESSION_COLUMNS)
            )
        ]

    upcoming = session_rows(sessions.upcoming(now), "DATETIME_FORMAT")
    past_page.object_list = session_rows(
        past[first : first + PAST_PER_PAGE], "SHORT_DATETIME_FORMAT"
    )
    coming = [row.starts_at for row in upcoming[:1]]
    if schedule is not None and schedule[1] is not None and schedule[1] > now:
        coming.append(schedule[1])
    return PairOverview(
        pairing=pairing,
        is_survivor=is_survivor,
        upcoming=upcoming,
        past=past_page,
        checkins=_checkin_rows(
            checkins.values_list(*_CHECKIN_COLUMNS)[:OVERVIEW_CHECKINS], is_survivor=is_survivor
        ),
        schedule=(
            None
            if schedule is None
            else ScheduleShown(
                interval_days=schedule[0],
                next_due=shown(schedule[1], "DATETIME_FORMAT"),
                active=schedule[2],
            )
        ),
        changes_at=min(coming, default=None),
    )


def _checkin_rows(rows, *, is_survivor: bool) -> list[CheckInRow]:
    moods, wants = _words(Wellbeing), _words(WantsSession)
    answer_url = _link("peer_sessions:checkin")
    return [
        CheckInRow(
            pk=pk,
            due=shown(due_at, "SHORT_DATE_FORMAT"),
            answered=answered_at is not None,
            mood_label=moods.get(mood, ""),
            wants_session_label=wants.get(wants_session, ""),
            note=note or "",
            answer_url=answer_url(pk) if is_survivor and answered_at is None else "",
        )
        for pk, due_at, answered_at, mood, wants_session, note in rows
    ]


def _words(choices) -> dict:
    """The words for each code of `choices` in the current language, worked out once per
    language and process (get_<field>_display hashes every choice's lazy label, translating
    it, on every call)."""
    return _words_in(choices, get_language())


@lru_cache(maxsize=64)
def _words_in(choices, language: str | None) -> dict:
    return {value: str(label) for value, label in choices.choices}


def live_pairings_of_supporter(supporter: User):
    """The supporter's pairings that hold a place (for choosing whom a session was with)."""
    return (
        pairings_visible_to(supporter)
        .filter(Q(supporter=supporter), state__in=CAPACITY_STATES)
        .order_by("survivor__display_name", "pk")
    )
