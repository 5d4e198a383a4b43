"""One date style in en-GB everywhere: "1 December 2026, 7pm"."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import engines
from django.utils import timezone, translation

from peersupport.platform import dates


@pytest.mark.parametrize(
    ("hour", "minute", "expected"),
    [
        (19, 0, "7pm"),
        (7, 30, "7:30am"),
        (12, 0, "midday"),
        (0, 0, "midnight"),
        (0, 5, "12:05am"),
        (12, 45, "12:45pm"),
    ],
)
def test_times_of_day_in_the_govuk_style(hour, minute, expected):
    assert dates.time_of_day(datetime(2026, 12, 1, hour, minute, tzinfo=UTC)) == expected


def test_a_moment_is_shown_day_month_year_on_the_viewers_clock():
    moment = datetime(2026, 12, 1, 19, 0, tzinfo=UTC)
    with timezone.override(ZoneInfo("Europe/London")), translation.override("en-gb"):
        assert dates.shown(moment) == "1 December 2026, 7pm"
        assert dates.shown(moment, "SHORT_DATETIME_FORMAT") == "1 Dec 2026, 7pm"
        assert dates.shown(moment, "DATE_FORMAT") == "1 December 2026"
        assert dates.shown(date(2026, 11, 30), "SHORT_DATE_FORMAT") == "30 Nov 2026"
    with timezone.override(ZoneInfo("Asia/Tokyo")), translation.override("en-gb"):
        assert dates.shown(moment) == "2 December 2026, 4am"


def test_a_time_that_cannot_be_shown_on_the_clock_says_so():
    with timezone.override(ZoneInfo("Asia/Tokyo")):
        assert dates.shown(datetime(9999, 12, 31, 23, tzinfo=UTC)) == "date not valid"
    assert dates.shown(None) == ""


def test_templates_have_when_without_loading_anything(settings):
    template = engines["django"].from_string('{{ moment|when }} · {{ moment|date:"DATE_FORMAT" }}')
    with timezone.override(ZoneInfo("UTC")), translation.override(settings.LANGUAGE_CODE):
        text = template.render({"moment": datetime(2026, 11, 30, 13, 15, tzinfo=UTC)})
    # No US order, no "p.m.": the en-GB formats apply to Django's own `date` filter too.
    assert text == "30 November 2026, 1:15pm · 30 November 2026"
