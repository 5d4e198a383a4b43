"""Thin Celery tasks for check-in reminders. They take no arguments: the database says what
is due, so a task delivered twice, or two sweeps at once, find nothing left to do twice."""

from __future__ import annotations

from contextlib import contextmanager

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection

from . import reminders
from .models import SweepKind

# A delivery task hands over to a fresh one after this long, so no single task outlives the
# broker's visibility timeout.
DELIVERY_TIME_BUDGET = 300.0
_RETRY = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 5,
}


class _QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


@contextmanager
def _counting_queries():
    counter = _QueryCounter()
    with connection.execute_wrapper(counter):
        yield counter


def _same_queue(task) -> dict:
    """Fan out on the queue this task came from (the default queue when run eagerly)."""
    queue = (task.request.delivery_info or {}).get("routing_key")
    return {"queue": queue} if queue else {}


@shared_task(bind=True, **_RETRY)
def sweep_due_reminders(self) -> dict:
    """Beat runs this every REMINDER_SWEEP_SECONDS: default schedules, lapses of contact, then
    REMINDER_PARALLEL delivery tasks if anything is due."""
    run = reminders.sweep_run_start(kind=SweepKind.SWEEP)
    with _counting_queries() as counter:
        result = reminders.reminders_sweep()
        due = reminders.reminders_due_exist()
    reminders.sweep_run_finish(run=run, escalated=result.escalated, queries=counter.count)
    if due:
        for _ in range(max(settings.REMINDER_PARALLEL, 1)):
            deliver_due_reminders.apply_async(**_same_queue(self))
    return {"escalated": result.escalated, "due": due}


@shared_task(bind=True, **_RETRY)
def deliver_due_reminders(self) -> dict:
    """Make due check-ins and deliver due reminders until none is left (or the time budget
    is, and a fresh task takes over)."""
    run = reminders.sweep_run_start(kind=SweepKind.DELIVER)
    with _counting_queries() as counter:
        result, more = reminders.reminders_deliver_due(time_budget=DELIVERY_TIME_BUDGET)
    reminders.sweep_run_finish(
        run=run,
        checkins_created=result.checkins_created,
        claimed=result.claimed,
        sent=result.sent,
        failed=result.failed + result.retrying,
        skipped=result.skipped,
        deferred=result.deferred,
        queries=counter.count,
    )
    if more:
        deliver_due_reminders.apply_async(**_same_queue(self))
    return {"checkins": result.checkins_created, "sent": result.sent, "more": more}
