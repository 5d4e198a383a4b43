"""Quiet hours and time zones: each person's reminder waits for their own morning, and the
check-in keeps its time on the survivor's clock across daylight saving."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.core import mail

from sessions import reminders
from sessions.models import CheckInReminder, CheckInSchedule, ReminderStatus
from sessions.timing import in_quiet_hours, next_due_after, outside_quiet_hours
from tests.sessions.conftest import due_schedule, materialise

QUIET = (time(21, 0), time(8, 0))


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_quiet_hours_that_run_past_midnight():
    assert in_quiet_hours(time(23, 30), *QUIET)
    assert in_quiet_hours(time(7, 59), *QUIET)
    assert not in_quiet_hours(time(8, 0), *QUIET)
    assert not in_quiet_hours(time(20, 59), *QUIET)
    assert not in_quiet_hours(time(3, 0), time(0, 0), time(0, 0))  # equal ends: none


def test_a_late_evening_reminder_waits_for_the_morning_on_the_recipients_clock():
    # 21:30 UTC in June is 22:30 in London (quiet) and 14:30 in Los Angeles (not quiet).
    due = utc(2026, 6, 10, 21, 30)
    assert outside_quiet_hours(due, "Europe/London", *QUIET) == utc(2026, 6, 11, 7, 0)
    assert outside_quiet_hours(due, "America/Los_Angeles", *QUIET) == due
    # Early morning, before the quiet hours end the same day: 05:00 in Tokyo -> 08:00.
    early = utc(2026, 6, 10, 20, 0)  # 05:00 on the 11th in Tokyo
    assert outside_quiet_hours(early, "Asia/Tokyo", *QUIET) == utc(2026, 6, 10, 23, 0)


def test_an_unknown_time_zone_counts_as_utc():
    due = utc(2026, 6, 10, 22, 0)
    assert outside_quiet_hours(due, "Nowhere/Special", *QUIET) == utc(2026, 6, 11, 8, 0)


def test_the_next_check_in_keeps_its_wall_clock_time_across_daylight_saving():
    # 18:00 in New York on Thursday 5 March 2026 (EST, UTC-5); clocks go forward on 8 March.
    due = utc(2026, 3, 5, 23, 0)
    following = next_due_after(due, 7, "America/New_York", now=due)
    assert following == utc(2026, 3, 12, 22, 0)  # still 18:00 in New York (EDT, UTC-4)


def test_missed_check_ins_are_skipped_not_queued():
    due = utc(2026, 1, 1, 12, 0)
    now = utc(2026, 2, 20, 9, 0)  # seven weeks later
    following = next_due_after(due, 7, "UTC", now=now)
    assert following == utc(2026, 2, 26, 12, 0)
    assert following > now
    assert following - timedelta(days=7) <= now


@pytest.mark.django_db
def test_each_of_the_pair_is_reminded_in_their_own_time_zone(pairing):
    pairing.survivor.time_zone = "Europe/London"
    pairing.survivor.save(update_fields=["time_zone"])
    pairing.supporter.time_zone = "America/Los_Angeles"
    pairing.supporter.save(update_fields=["time_zone"])
    due = utc(2026, 6, 10, 21, 30)
    due_schedule(pairing, due_at=due, quiet_start=QUIET[0], quiet_end=QUIET[1])

    assert materialise(now=due + timedelta(minutes=1)) == 1
    survivor_reminder = CheckInReminder.objects.get(recipient=pairing.survivor)
    supporter_reminder = CheckInReminder.objects.get(recipient=pairing.supporter)
    assert survivor_reminder.send_at == utc(2026, 6, 11, 7, 0)
    assert supporter_reminder.send_at == due

    result = reminders.reminders_deliver_batch(now=due + timedelta(minutes=2))
    assert result.sent == 1
    assert [m.to for m in mail.outbox] == [[pairing.supporter.email]]
    survivor_reminder.refresh_from_db()
    assert survivor_reminder.status == ReminderStatus.PENDING

    # Still night in London at 06:59 UTC; morning at 07:00.
    assert reminders.reminders_deliver_batch(now=utc(2026, 6, 11, 6, 59)).sent == 0
    assert reminders.reminders_deliver_batch(now=utc(2026, 6, 11, 7, 0)).sent == 1
    assert [m.to for m in mail.outbox][1] == [pairing.survivor.email]


@pytest.mark.django_db
def test_a_reminder_picked_up_late_waits_if_quiet_hours_have_begun(pairing):
    # Due at 20:50 (not quiet) but the sweep only gets to it at 21:10 London time.
    pairing.survivor.time_zone = "Europe/London"
    pairing.survivor.save(update_fields=["time_zone"])
    due = utc(2026, 6, 10, 19, 50)  # 20:50 BST
    due_schedule(pairing, due_at=due, quiet_start=QUIET[0], quiet_end=QUIET[1])
    materialise(now=due)
    late = utc(2026, 6, 10, 20, 10)  # 21:10 BST
    result = reminders.reminders_deliver_batch(now=late)
    reminder = CheckInReminder.objects.get(recipient=pairing.survivor)
    assert result.deferred == 1
    assert reminder.status == ReminderStatus.PENDING
    assert reminder.send_at == utc(2026, 6, 11, 7, 0)
    assert pairing.survivor.email not in [m.to[0] for m in mail.outbox]


@pytest.mark.django_db
def test_the_schedule_moves_on_by_its_interval_on_the_survivors_clock(pairing):
    pairing.survivor.time_zone = "America/New_York"
    pairing.survivor.save(update_fields=["time_zone"])
    due = utc(2026, 3, 5, 23, 0)
    due_schedule(pairing, due_at=due, interval_days=14)
    materialise(now=due)
    schedule = CheckInSchedule.objects.get(pairing=pairing)
    assert schedule.next_due_at == utc(2026, 3, 19, 22, 0)
