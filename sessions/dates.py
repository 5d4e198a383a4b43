"""Which dates people may enter in sessions (how a stored date is shown: platform.dates).

The services apply these rules as the guard; the forms apply the same ones first, to put a
kind message beside the field. Both pass the person's clock, because "the day the pairing
started" and "today" are days on that clock.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo

from django.utils.translation import gettext as _

from matching.models import Pairing
from peersupport.platform.dates import day, sane

from .models import OUTCOME_STATUSES, SessionStatus

# A session marked as held may start a little ahead of the server's clock, not more.
HELD_TOLERANCE = timedelta(hours=1)
PLAN_AHEAD_LIMIT = timedelta(days=366)


def pairing_start(pairing: Pairing) -> datetime:
    """When the pair started: activation, or the offer itself while it is not yet active."""
    return pairing.activated_at or pairing.created_at


def _range_message(first: date, last: date) -> str:
    return _("Choose a date from %(first)s to %(last)s.") % {
        "first": day(first),
        "last": day(last),
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
