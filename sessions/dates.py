"""Which dates people may enter in sessions, and how a stored date is shown.

The services apply these rules as the guard; the forms apply the same ones first, to put a
kind message beside the field. Both pass the person's clock, because "the day the pairing
started" and "today" are days on that clock.

A stored date that cannot be shown on someone's clock (9999-12-31 in UTC is year 10000 in
Tokyo) reads "date not valid" rather than failing the page.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from matching.models import Pairing

from .models import OUTCOME_STATUSES, SessionStatus

# Years a person may enter. Far enough from 1 and 9999 that no time zone's offset can carry
# a date out of the calendar (0001-01-01 in Tokyo is year 0 in UTC, which nothing can hold).
EARLIEST_YEAR = 2000
LATEST_YEAR = 9998

# A session marked as held may start a little ahead of the server's clock, not more.
HELD_TOLERANCE = timedelta(hours=1)
PLAN_AHEAD_LIMIT = timedelta(days=366)


def sane(moment: datetime) -> bool:
    """Whether `moment` lies in the years people may enter, on its own clock and in UTC
    (checked on its own clock first, so that the conversion cannot overflow)."""
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        return False
    if timezone.is_naive(moment):
        return False
    try:
        return EARLIEST_YEAR <= moment.astimezone(UTC).year <= LATEST_YEAR
    except (OverflowError, ValueError):
        return False


def on_clock(moment: datetime | None, zone: tzinfo | None = None) -> datetime | None:
    """`moment` on `zone`'s clock (the active time zone by default), or None when it is out of
    the years people may enter or cannot be converted (a value stored before these rules)."""
    if moment is None or not isinstance(moment, datetime) or timezone.is_naive(moment):
        return None
    try:
        local = timezone.localtime(moment, zone)
    except (OverflowError, ValueError):
        return None
    return local if sane(local) else None


def shown(moment: datetime | None, format_name: str = "DATETIME_FORMAT") -> str:
    """`moment` formatted on the viewer's clock; "" for none; "date not valid" for a stored
    value that cannot be shown."""
    if moment is None or moment == "":
        return ""
    local = on_clock(moment)
    if local is None:
        return _("date not valid")
    return formats.date_format(local, format_name)


def pairing_start(pairing: Pairing) -> datetime:
    """When the pair started: activation, or the offer itself while it is not yet active."""
    return pairing.activated_at or pairing.created_at


def _range_message(first: date, last: date) -> str:
    return _("Choose a date from %(first)s to %(last)s.") % {
        "first": formats.date_format(first, "DATE_FORMAT"),
        "last": formats.date_format(last, "DATE_FORMAT"),
    }


def _local_day(moment: datetime, zone: tzinfo) -> date:
    # Only called on moments known to be sane, or computed from now: it cannot overflow.
    return moment.astimezone(zone).date()


def _session_latest(status: str, now: datetime) -> datetime:
    return now + (HELD_TOLERANCE if status in OUTCOME_STATUSES else PLAN_AHEAD_LIMIT)


def _session_days(
    *, status: str, pairing: Pairing, now: datetime, zone: tzinfo
) -> tuple[date, date]:
    """The first and last day, on `zone`'s clock, a session with `status` may be on: from
    the day the pairing started (a planned one: from today) to a year ahead (held or missed:
    to today)."""
    if status == SessionStatus.SCHEDULED:
        first = _local_day(now, zone)
    else:
        first = _local_day(pairing_start(pairing), zone)
    last = _local_day(_session_latest(status, now), zone)
    return min(first, last), last


def session_range_message(*, status: str, pairing: Pairing, now: datetime, zone: tzinfo) -> str:
    return _range_message(*_session_days(status=status, pairing=pairing, now=now, zone=zone))


def session_time_problem(
    *, starts_at: datetime, status: str, pairing: Pairing, now: datetime, zone: tzinfo
) -> str | None:
    """What is wrong with `starts_at` for a session of `pairing` with `status`, on the clock
    of `zone` (see _session_days); None when it is fine."""
    first, last = _session_days(status=status, pairing=pairing, now=now, zone=zone)
    if not sane(starts_at) or not first <= _local_day(starts_at, zone) <= last:
        return _range_message(first, last)
    if status in OUTCOME_STATUSES and starts_at > _session_latest(status, now):
        return _("A session that was held or missed cannot be in the future.")
    if status == SessionStatus.SCHEDULED and starts_at < now:
        return _("A planned session needs a time in the future.")
    if starts_at > _session_latest(status, now):
        return _("Plan sessions at most a year ahead.")
    return None


def _checkin_days(now: datetime, zone: tzinfo) -> tuple[date, date]:
    return _local_day(now, zone), _local_day(now + PLAN_AHEAD_LIMIT, zone)


def checkin_range_message(*, now: datetime, zone: tzinfo) -> str:
    return _range_message(*_checkin_days(now, zone))


def checkin_time_problem(*, next_due_at: datetime, now: datetime, zone: tzinfo) -> str | None:
    """What is wrong with the next check-in time on `zone`'s clock: it must be after now and
    at most a year ahead. None when it is fine."""
    first, last = _checkin_days(now, zone)
    if not sane(next_due_at) or not first <= _local_day(next_due_at, zone) <= last:
        return _range_message(first, last)
    if next_due_at <= now:
        return _("Choose a time in the future.")
    if next_due_at > now + PLAN_AHEAD_LIMIT:
        return _("Choose a time within the next year.")
    return None
