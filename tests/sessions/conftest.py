"""Fixtures for sessions: a live pairing of the personas, and helpers to make check-ins due."""

from __future__ import annotations

from datetime import time, timedelta

from django.utils import timezone

from sessions import reminders
from sessions.models import CheckInSchedule
from tests.factories import PairingFactory

NO_QUIET_HOURS = {"quiet_start": time(0, 0), "quiet_end": time(0, 0)}


def due_schedule(pairing, *, due_at=None, **fields) -> CheckInSchedule:
    """A check-in schedule for `pairing` that is due now (quiet hours off unless given)."""
    values = {
        "interval_days": 7,
        "next_due_at": due_at or timezone.now() - timedelta(minutes=1),
        **NO_QUIET_HOURS,
        **fields,
    }
    schedule, _created = CheckInSchedule.objects.update_or_create(pairing=pairing, defaults=values)
    return schedule


def due_pairings(count: int, **fields) -> list:
    """`count` active pairings (new people each), each with a check-in due now."""
    pairings = [PairingFactory() for _ in range(count)]
    for pairing in pairings:
        due_schedule(pairing, **fields)
    return pairings


def materialise(*, now=None, chunk: int = 500) -> int:
    """Make every due check-in (and its reminders) without delivering any, chunk by chunk as
    the delivery task does, each chunk its own transaction. Returns the check-ins made."""
    now = now or timezone.now()
    made = 0
    while (chunk_made := reminders.reminders_materialise_chunk(now=now, chunk=chunk)).schedules:
        made += chunk_made.checkins
    return made
