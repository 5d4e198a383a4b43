"""A real Celery worker (a separate process, Redis as the broker, PostgreSQL as the database)
killed with SIGKILL in the middle of a delivery task: nothing is lost and nothing is sent twice.

The worker records every email it sends to files (tests/sessions/mailbox.RecordingBackend).
The first worker is killed at a known point: after two batches were committed, with the third
claimed (rows locked, notifications, deliveries and "sent" marks written) but not committed
and not yet handed to the mail server. A second worker, given the same task twice (as a broker
redelivering it would), must then send exactly the rest.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
import redis
from celery import Celery
from django.conf import settings
from django.db import connection

from peersupport.people.models import Notification
from peersupport.platform.scratch_db import database_url
from sessions.models import CheckInReminder, ReminderDelivery, ReminderStatus, SweepRun
from tests.sessions.conftest import due_pairings, materialise

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

REDIS_DB = 4  # this app's own Redis database; only it is flushed
DELIVER = "sessions.tasks.deliver_due_reminders"


def _redis_url(url: str) -> str:
    client = redis.Redis.from_url(url)
    kwargs = client.connection_pool.connection_kwargs
    client.close()
    return f"redis://{kwargs.get('host', '127.0.0.1')}:{kwargs.get('port', 6379)}/{REDIS_DB}"


def _wait_for(condition, *, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {seconds}s waiting for {what}")


class Worker:
    def __init__(self, *, broker: str, queue: str, mailbox: Path, stall_after: int | None):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.sessions.worker_settings",
            "DATABASE_URL": database_url(connection.settings_dict["NAME"]),
            "REDIS_URL": broker,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "REMINDER_BATCH_SIZE": "10",
            "TEST_MAILBOX_DIR": str(mailbox),
            "TEST_MAIL_STALL_AFTER_BATCHES": "" if stall_after is None else str(stall_after),
        }
        self.log = mailbox / f"worker-{uuid.uuid4().hex[:6]}.txt"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "peersupport",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                f"--queues={queue}",
                f"--hostname=test-{uuid.uuid4().hex[:8]}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the kill reaches the pool too
        )

    def kill(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def _recorded(mailbox: Path) -> list[str]:
    lines = []
    for path in mailbox.glob("*.log"):
        lines += [line.split()[0] for line in path.read_text().splitlines() if line.strip()]
    return lines


def test_a_worker_killed_mid_task_loses_nothing_and_sends_nothing_twice(
    postgres, redis_url, tmp_path
):
    broker = _redis_url(redis_url)
    redis.Redis.from_url(broker).flushdb()
    queue = f"test-reminders-{uuid.uuid4().hex[:8]}"
    publisher = Celery("test-publisher", broker=broker)
    due_pairings(30)
    materialise()
    total = CheckInReminder.objects.count()
    assert total == 60
    connection.close()

    workers = []
    try:
        first = Worker(broker=broker, queue=queue, mailbox=tmp_path, stall_after=2)
        workers.append(first)
        publisher.send_task(DELIVER, queue=queue)
        _wait_for(lambda: (tmp_path / "stalled").exists(), seconds=60, what="the third batch")
        first.kill()

        # Two batches of 10 were committed before the kill; the third rolled back with it.
        pending = CheckInReminder.objects.filter(status=ReminderStatus.PENDING)
        _wait_for(lambda: pending.count() == total - 20, seconds=30, what="the rollback")
        assert CheckInReminder.objects.filter(status=ReminderStatus.SENT).count() == 20
        assert len(_recorded(tmp_path)) == 20
        assert ReminderDelivery.objects.count() == 20

        (tmp_path / "stalled").unlink()
        second = Worker(broker=broker, queue=queue, mailbox=tmp_path, stall_after=None)
        workers.append(second)
        task_id = str(uuid.uuid4())
        publisher.send_task(DELIVER, queue=queue, task_id=task_id)
        publisher.send_task(DELIVER, queue=queue, task_id=task_id)  # delivered twice
        finished = SweepRun.objects.filter(kind="deliver", finished_at__isnull=False)
        _wait_for(lambda: finished.count() == 2, seconds=60, what="both deliveries")
        second.stop()
    finally:
        for worker in workers:
            worker.kill()
        publisher.close()
        redis.Redis.from_url(broker).flushdb()

    assert not CheckInReminder.objects.exclude(status=ReminderStatus.SENT).exists()
    sent = Counter(
        ReminderDelivery.objects.filter(outcome="sent").values_list("reminder_id", flat=True)
    )
    assert len(sent) == total
    assert set(sent.values()) == {1}
    recorded = Counter(_recorded(tmp_path))
    assert len(recorded) == total, f"{total - len(recorded)} reminders never went out"
    assert set(recorded.values()) == {1}, "some reminders went out twice"
    expected = {f"<r{pk}@" for pk in CheckInReminder.objects.values_list("pk", flat=True)}
    assert {message_id.split("@")[0] + "@" for message_id in recorded} == expected
    assert Notification.objects.filter(kind="checkin_reminder").count() == total
