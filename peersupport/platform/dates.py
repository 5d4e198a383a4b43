"""How a moment is shown to a person: on their clock, in one en-GB style.

"1 December 2026, 7pm", "1 Dec 2026, 7:30am", "1 December 2026, midday": the date from the
locale's formats (platform/formats/en_GB), the time of day written here, because Django's
format characters give "7 p.m." or "19:00".

A stored date that cannot be shown on someone's clock (9999-12-31 in UTC is year 10000 in
Tokyo) reads "date not valid" rather than failing the page.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, tzinfo
from functools import lru_cache

from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

# Years a person may enter. Far enough from 1 and 9999 that no time zone's offset can carry
# a date out of the calendar (0001-01-01 in Tokyo is year 0 in UTC, which nothing can hold).
EARLIEST_YEAR = 2000
LATEST_YEAR = 9998

# The names `when` accepts, as Django's, and which date format each one uses.
_DATE_PART = {
    "DATETIME_FORMAT": "DATE_FORMAT",
    "SHORT_DATETIME_FORMAT": "SHORT_DATE_FORMAT",
    "DATE_FORMAT": "DATE_FORMAT",
    "SHORT_DATE_FORMAT": "SHORT_DATE_FORMAT",
}
_WITH_TIME = {"DATETIME_FORMAT", "SHORT_DATETIME_FORMAT"}


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


def time_of_day(moment: datetime | time) -> str:
    """ "7pm", "7:30am", "midday", "midnight"."""
    return _time_of_day(moment.hour, moment.minute, get_language())


# A page of sessions shows dozens of moments: the words for a day or a time of day are worked
# out once per language (format strings are read from the locale, and words translated, on
# every call otherwise). Bounded: a day's text never changes, so old entries are simply dropped.
@lru_cache(maxsize=4096)
def _time_of_day(hour: int, minute: int, language: str | None) -> str:
    if minute == 0 and hour == 12:
        return _("midday")
    if minute == 0 and hour == 0:
        return _("midnight")
    suffix = _("am") if hour < 12 else _("pm")
    hour12 = hour % 12 or 12
    return f"{hour12}{suffix}" if minute == 0 else f"{hour12}:{minute:02d}{suffix}"


def day(value: date, format_name: str = "DATE_FORMAT") -> str:
    """A calendar day: "1 December 2026" (or "1 Dec 2026" with SHORT_DATE_FORMAT)."""
    if isinstance(value, datetime):
        value = value.date()
    return _day(value, _DATE_PART.get(format_name, "DATE_FORMAT"), get_language())


@lru_cache(maxsize=4096)
def _day(value: date, date_format: str, language: str | None) -> str:
    return formats.date_format(value, date_format)


def shown(moment: datetime | date | None, format_name: str = "DATETIME_FORMAT") -> str:
    """`moment` in the service's style on the viewer's clock; "" for none; "date not valid"
    for a stored value that cannot be shown. A plain date is shown as a day."""
    if moment is None or moment == "":
        return ""
    if not isinstance(moment, datetime):
        return day(moment, format_name) if isinstance(moment, date) else ""
    local = on_clock(moment)
    if local is None:
        return _("date not valid")
    text = day(local, format_name)
    if format_name in _WITH_TIME:
        text = f"{text}, {time_of_day(local)}"
    return text
