"""Exactly once under concurrency, on PostgreSQL with real transactions: two sweeps running at
the same time, each in its own thread with its own database connection."""

import threading
from collections import Counter

import pytest
from django.core import mail
from django.db import connection, connections

from peersupport.people.models import Notification
from sessions import reminders, tasks
from sessions.models import CheckIn, CheckInReminder, ReminderDelivery, ReminderStatus, SweepRun
from tests.sessions.conftest import due_pairings, materialise

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run_at_once(target, count=2):
    """Run `target` in `count` threads released together; re-raise the first error."""
    barrier = threading.Barrier(count)
    errors, results = [], [None] * count

    def run(index):
        try:
            barrier.wait(timeout=10)
            results[index] = target()
        except Exception as error:  # surfaced in the test below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a sweep did not finish"
    if errors:
        raise errors[0]
    return results


def test_two_sweeps_at_the_same_time_send_every_reminder_exactly_once(postgres, settings):
    settings.EMAIL_BACKEND = "tests.sessions.mailbox.SlowConnectBackend"
    settings.REMINDER_BATCH_SIZE = 7
    pairings = due_pairings(40)

    def sweep():
        materialise(chunk=5)
        result, _more = reminders.reminders_deliver_due()
        return result

    results = _run_at_once(sweep)

    assert CheckIn.objects.count() == len(pairings)
    made = CheckInReminder.objects.all()
    assert made.count() == 2 * len(pairings)
    assert set(made.values_list("status", flat=True)) == {ReminderStatus.SENT}
    per_reminder = Counter(
        ReminderDelivery.objects.filter(outcome="sent").values_list("reminder_id", flat=True)
    )
    assert len(per_reminder) == made.count()
    assert set(per_reminder.values()) == {1}
    ids = [m.extra_headers["Message-ID"] for m in mail.outbox]
    assert len(ids) == made.count()
    assert len(set(ids)) == len(ids)
    assert Notification.objects.filter(kind="checkin_reminder").count() == made.count()
    # Both sweeps really worked (the test would prove nothing if one ran after the other).
    assert all(result.claimed > 0 for result in results), [r.claimed for r in results]
    assert sum(result.sent for result in results) == made.count()


def test_two_delivery_tasks_at_once_through_celery_send_each_reminder_once(postgres, settings):
    settings.EMAIL_BACKEND = "tests.sessions.mailbox.SlowConnectBackend"
    settings.REMINDER_BATCH_SIZE = 5
    due_pairings(20)
    materialise()
    connection.close()

    _run_at_once(lambda: tasks.deliver_due_reminders.apply(task_id="delivered-twice"))

    ids = [m.extra_headers["Message-ID"] for m in mail.outbox]
    assert len(ids) == 40
    assert len(set(ids)) == 40
    assert CheckInReminder.objects.filter(status=ReminderStatus.SENT).count() == 40
    runs = SweepRun.objects.filter(kind="deliver")
    assert runs.count() == 2
    assert sum(run.sent for run in runs) == 40
