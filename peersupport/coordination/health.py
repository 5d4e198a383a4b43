"""The service's health in counts and trends, never anyone's content: a fixed number of
aggregate queries whatever the size of the service.

Small numbers can point at a person in a small service, so what coordinators see and download
(`Health.suppressed()`: the page, its charts and its CSV) shows any count from 1 to 4 as
"fewer than 5", and the waiting times of fewer than 5 people not at all. A zero stays 0: it
tells about nobody. (`service_health()` itself keeps the exact counts, for the code that checks
them against the rule in matching/eligibility.py.)"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from django.db.models import Aggregate, Count, F, FloatField, Func, Q, Sum, Value
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ethics.care.models import Concern, ConcernCategory
from matching.eligibility import with_places
from matching.models import Pairing, PairingState, RequestStatus, SupportRequest
from peersupport.people.models import SupporterProfile, SupporterStatus
from sessions.models import (
    ContactLapse,
    DeliveryOutcome,
    ReminderDelivery,
    SessionStatus,
    SupportSession,
)

WEEKS = 8
DAY = 86400.0  # seconds
SMALL = 5  # counts from 1 to SMALL - 1 are shown as FEWER
FEWER = _("fewer than 5")


def shown(n: int):
    """A count as coordinators may see it: 0, FEWER, or the number from SMALL up."""
    return FEWER if 0 < n < SMALL else n


@dataclass
class Health:
    open_requests: int
    waiting_median_days: float | None
    waiting_p90_days: float | None
    pairings_by_state: list[tuple[str, str, int]]  # code, label, count
    # Places of approved supporters, as matching/eligibility.py counts them: their capacity,
    # the places their pairings hold, those their open proposals and offers keep, and those
    # left (each supporter's own, never below zero). Paused supporters' places are left out
    # (they take no one new) and their still-running pairings are counted apart.
    capacity_total: int
    capacity_used: int
    capacity_pending: int
    capacity_left: int
    paused_pairings: int
    supporters_approved: int
    supporters_paused: int
    sessions_per_week: list[tuple[str, int]]
    reminders_sent: int
    reminders_failed: int
    lapses_per_week: list[tuple[str, int]]
    concerns_by_category: list[tuple[str, str, int]]  # code, label, count
    concerns_open: int

    def suppressed(self) -> Health:
        """The same figures with every count from 1 to 4 as FEWER (what the page, the charts
        and the CSV show); waiting times only when 5 or more people wait."""
        few_waiting = self.open_requests < SMALL
        return replace(
            self,
            open_requests=shown(self.open_requests),
            waiting_median_days=None if few_waiting else self.waiting_median_days,
            waiting_p90_days=None if few_waiting else self.waiting_p90_days,
            pairings_by_state=[(c, label, shown(n)) for c, label, n in self.pairings_by_state],
            capacity_total=shown(self.capacity_total),
            capacity_used=shown(self.capacity_used),
            capacity_pending=shown(self.capacity_pending),
            capacity_left=shown(self.capacity_left),
            paused_pairings=shown(self.paused_pairings),
            supporters_approved=shown(self.supporters_approved),
            supporters_paused=shown(self.supporters_paused),
            sessions_per_week=[(week, shown(n)) for week, n in self.sessions_per_week],
            reminders_sent=shown(self.reminders_sent),
            reminders_failed=shown(self.reminders_failed),
            lapses_per_week=[(week, shown(n)) for week, n in self.lapses_per_week],
            concerns_by_category=[
                (c, label, shown(n)) for c, label, n in self.concerns_by_category
            ],
            concerns_open=shown(self.concerns_open),
        )

    def rows(self) -> list[tuple[str, str, object]]:
        """(section, key, value) rows: the CSV export, the same figures as the page."""
        out: list[tuple[str, str, object]] = [
            ("requests", "open", self.open_requests),
            ("requests", "waiting_median_days", _fmt(self.waiting_median_days)),
            ("requests", "waiting_p90_days", _fmt(self.waiting_p90_days)),
        ]
        out += [("pairings_by_state", code, n) for code, _label, n in self.pairings_by_state]
        out += [
            ("supporters", "approved", self.supporters_approved),
            ("supporters", "paused", self.supporters_paused),
            ("capacity", "total", self.capacity_total),
            ("capacity", "used", self.capacity_used),
            ("capacity", "proposed_or_offered", self.capacity_pending),
            ("capacity", "left", self.capacity_left),
            ("capacity", "held_by_paused_supporters", self.paused_pairings),
        ]
        out += [("sessions_held_per_week", week, n) for week, n in self.sessions_per_week]
        out += [
            ("reminders_30_days", "sent", self.reminders_sent),
            ("reminders_30_days", "failed_attempts", self.reminders_failed),
        ]
        out += [("lapses_per_week", week, n) for week, n in self.lapses_per_week]
        out += [("concerns_by_category", code, n) for code, _label, n in self.concerns_by_category]
        out.append(("concerns", "open", self.concerns_open))
        return out


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _weeks(now: datetime) -> list[datetime]:
    """The starts (Monday 00:00 UTC) of the last WEEKS weeks, oldest first."""
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=n) for n in range(WEEKS - 1, -1, -1)]


def _per_week(queryset, field: str, weeks: list[datetime]) -> list[tuple[str, int]]:
    counts = {
        row["week"].date(): row["n"]
        for row in queryset.filter(**{f"{field}__gte": weeks[0]})
        .annotate(week=TruncWeek(field, tzinfo=UTC))
        .values("week")
        .annotate(n=Count("pk"))
        .order_by()
    }
    return [(week.date().isoformat(), counts.get(week.date(), 0)) for week in weeks]


class _Percentile(Aggregate):
    """PostgreSQL's percentile_cont: the value at `fraction` of the way through the ordered
    values, interpolated between the two nearest (numpy.percentile's default, "linear"); NULL
    when there are none. Worked out in the database, so no row is fetched whatever the count."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)r) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        if not 0 <= fraction <= 1:
            raise ValueError(fraction)
        super().__init__(expression, fraction=float(fraction), **extra)


def _waited_seconds(now: datetime) -> Func:
    """How long each request has waited, in seconds, until `now`."""
    return Func(
        Value(now),
        F("opened_at"),
        template="EXTRACT(EPOCH FROM (%(expressions)s))",
        arg_joiner=" - ",
        output_field=FloatField(),
    )


def service_health(*, now: datetime | None = None) -> Health:

    now = now or timezone.now()
    weeks = _weeks(now)

    waiting = SupportRequest.objects.filter(status=RequestStatus.OPEN).aggregate(
        n=Count("pk"),
        median=_Percentile(_waited_seconds(now), 0.5),
        p90=_Percentile(_waited_seconds(now), 0.9),
    )
    median = None if waiting["median"] is None else waiting["median"] / DAY
    p90 = None if waiting["p90"] is None else waiting["p90"] / DAY

    by_state = dict(
        Pairing.objects.values_list("state")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("state", "n")
    )
    pairings_by_state = [
        (code, str(label), by_state.get(code, 0)) for code, label in PairingState.choices
    ]

    approved = Q(status=SupporterStatus.APPROVED)
    paused = Q(status=SupporterStatus.PAUSED)
    supporters = with_places(SupporterProfile.objects.all()).aggregate(
        approved=Count("pk", filter=approved),
        paused=Count("pk", filter=paused),
        # Named apart from the annotations they sum, which they would otherwise replace.
        places_total=Sum("capacity", filter=approved),
        places_used=Sum("used", filter=approved),
        places_pending=Sum("pending", filter=approved),
        places_left=Sum("left", filter=approved & Q(left__gt=0)),
        paused_pairings=Sum("used", filter=paused),
    )

    since = now - timedelta(days=30)
    deliveries = ReminderDelivery.objects.filter(at__gte=since).aggregate(
        sent=Count("pk", filter=Q(outcome=DeliveryOutcome.SENT)),
        failed=Count("pk", filter=Q(outcome=DeliveryOutcome.FAILED)),
    )
    concern_counts = dict(
        Concern.objects.values_list("category")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("category", "n")
    )
    return Health(
        open_requests=waiting["n"],
        waiting_median_days=median,
        waiting_p90_days=p90,
        pairings_by_state=pairings_by_state,
        capacity_total=supporters["places_total"] or 0,
        capacity_used=supporters["places_used"] or 0,
        capacity_pending=supporters["places_pending"] or 0,
        capacity_left=supporters["places_left"] or 0,
        paused_pairings=supporters["paused_pairings"] or 0,
        supporters_approved=supporters["approved"],
        supporters_paused=supporters["paused"],
        sessions_per_week=_per_week(
            SupportSession.objects.filter(status=SessionStatus.HELD, starts_at__lte=now),
            "starts_at",
            weeks,
        ),
        reminders_sent=deliveries["sent"],
        reminders_failed=deliveries["failed"],
        lapses_per_week=_per_week(ContactLapse.objects.all(), "escalated_at", weeks),
        concerns_by_category=[
            (code, str(label), concern_counts.get(code, 0))
            for code, label in ConcernCategory.choices
        ],
        concerns_open=Concern.objects.unresolved().count(),
    )
