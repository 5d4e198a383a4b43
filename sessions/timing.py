"""Clock arithmetic for check-ins: quiet hours in each person's own time zone, and the next
check-in at the same time of day on the survivor's clock (so daylight saving does not move it).
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@lru_cache(maxsize=512)
def zone(name: str) -> zoneinfo.ZoneInfo:
    """The zone called `name`, or UTC when the name is unknown (never fail a reminder on it)."""
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def parse_quiet_hours(value: str) -> tuple[time, time]:
    """ "21:00-08:00" -> (21:00, 08:00). Equal ends mean no quiet hours."""
    try:
        start, end = (time.fromisoformat(part.strip()) for part in value.split("-"))
    except ValueError as error:
        raise ImproperlyConfigured(
            "QUIET_HOURS must look like 21:00-08:00 (start-end, 24-hour clock)."
        ) from error
    return start, end


def default_quiet_hours() -> tuple[time, time]:
    return parse_quiet_hours(settings.QUIET_HOURS)


def in_quiet_hours(local: time, start: time, end: time) -> bool:
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end  # the window runs past midnight


def _local_datetime(day: date, at: time, tz: zoneinfo.ZoneInfo) -> datetime:
    """`day` at `at` on the wall clock of `tz`. A time skipped by a daylight-saving jump
    lands just after the jump (fold=0 reads it with the offset from before)."""
    return datetime.combine(day, at, tzinfo=tz)


def outside_quiet_hours(moment: datetime, tz_name: str, start: time, end: time) -> datetime:
    """`moment`, or the end of the quiet hours it falls in, on the recipient's clock (UTC)."""
    tz = zone(tz_name)
    local = moment.astimezone(tz)
    if not in_quiet_hours(local.time().replace(tzinfo=None), start, end):
        return moment
    day = local.date() if local.time().replace(tzinfo=None) < end else local.date() + timedelta(1)
    return _local_datetime(day, end, tz).astimezone(UTC)


def next_due_after(due_at: datetime, interval_days: int, tz_name: str, now: datetime) -> datetime:
    """The first occurrence after `now` of `due_at` repeated every `interval_days` days, at
    the same wall-clock time in `tz_name`. Missed occurrences are skipped, not queued."""
    tz = zone(tz_name)
    try:
        local = due_at.astimezone(tz)
    except OverflowError:
        # A time stored out of the calendar's range on this clock (only ever written before
        # the dates were checked): count from now, or the sweep would fail on it every run.
        due_at, local = now, now.astimezone(tz)
    wall_day, wall_time = local.date(), local.time().replace(tzinfo=None)
    steps = 1
    behind = (now - due_at).days
    if behind > interval_days:
        steps = behind // interval_days
    while True:
        candidate = _local_datetime(wall_day + timedelta(days=steps * interval_days), wall_time, tz)
        if candidate > now:
            return candidate.astimezone(UTC)
        steps += 1
