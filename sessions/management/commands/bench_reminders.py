"""Benchmark the reminder sweep end to end: `manage.py bench_reminders --pairings N`.

In a scratch database (created and dropped here; the real one is never touched) it creates N
active pairings with a check-in due, starts a real Celery worker process against Redis (or
kombu's filesystem transport when Redis is unreachable, said in the output), sends it one
sweep, and waits until every due reminder has gone. Emails go to the file-based console
backend, which the benchmark reads back to count duplicates by Message-ID.

Prints one JSON line: pairings, expected_due, due, sent, duplicates, seconds, per_second,
queries, ...
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import redis
from celery import Celery
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count, Max, Sum
from django.utils import timezone

from matching.models import Pairing, PairingState, RequestStatus, SupportRequest
from peersupport.people.events import NotificationKind
from peersupport.people.models import (
    Notification,
    Relationship,
    Role,
    SupporterProfile,
    SupporterStatus,
    User,
)
from peersupport.platform.scratch_db import database_url as scratch_db_url
from peersupport.platform.scratch_db import scratch_database
from sessions.models import (
    CheckInReminder,
    CheckInSchedule,
    ReminderDelivery,
    ReminderStatus,
    SweepKind,
    SweepRun,
)
from sessions.timing import default_quiet_hours

SWEEP_TASK = "sessions.tasks.sweep_due_reminders"
PER_SUPPORTER = 10  # the most a supporter's capacity allows
MESSAGE_ID = re.compile(rb"^Message-ID: (\S+)", re.MULTILINE)


def _midday_zone(now) -> str:
    """A fixed-offset zone where it is early afternoon now, so no reminder meets quiet hours
    while the benchmark runs (quiet hours stay on; they are simply not in the way)."""
    offset = 13 - now.hour
    if offset > 14:
        offset -= 24
    if offset < -12:
        offset += 24
    if offset == 0:
        return "Etc/GMT"
    # The Etc zones count the other way round: Etc/GMT-3 is three hours ahead of UTC.
    return f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


class Command(BaseCommand):
    help = "Benchmark check-in reminders: N due pairings, a real worker, one JSON line."

    def add_arguments(self, parser):
        parser.add_argument("--pairings", type=int, required=True)
        parser.add_argument("--batch-size", type=int, default=settings.REMINDER_BATCH_SIZE)
        parser.add_argument(
            "--concurrency",
            type=int,
            default=None,
            help="Worker processes (default: 2, or 1 on SQLite, which takes one writer).",
        )
        parser.add_argument("--timeout", type=int, default=900, help="Seconds to wait at most.")
        parser.add_argument("--keep", action="store_true", help="Keep the scratch database.")

    def note(self, text: str) -> None:
        self.stderr.write(text)

    def handle(self, *args, pairings: int, batch_size: int, concurrency, timeout, keep, **opts):
        if pairings < 1:
            raise CommandError("--pairings must be at least 1.")
        sqlite = connection.vendor == "sqlite"
        concurrency = concurrency or (1 if sqlite else 2)
        workdir = Path(tempfile.mkdtemp(prefix="bench-reminders-"))
        broker, transport, transport_options = self._broker()
        self.note(f"broker: {transport}")

        scratch = (
            str(workdir / "bench.sqlite3")
            if sqlite
            else f"{connection.settings_dict['NAME']}_bench_reminders"
        )
        try:
            with scratch_database(scratch, keep=keep, note=self.note):
                result = self._run(
                    scratch,
                    workdir,
                    broker,
                    transport,
                    transport_options,
                    pairings=pairings,
                    batch_size=batch_size,
                    concurrency=concurrency,
                    timeout=timeout,
                )
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        self.stdout.write(json.dumps(result))

    def _run(
        self,
        scratch,
        workdir,
        broker,
        transport,
        transport_options,
        *,
        pairings,
        batch_size,
        concurrency,
        timeout,
    ) -> dict:
        """In the scratch database: the due pairings, a worker, one sweep, the tally."""
        worker = None
        try:
            started = time.monotonic()
            self._populate(pairings)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # fresh statistics, as a live database has
            self.note(f"created {pairings} due pairings in {time.monotonic() - started:.1f}s")
            database_url = scratch_db_url(scratch)
            connection.close()

            queue = f"bench-reminders-{os.getpid()}"
            worker = self._start_worker(
                workdir, queue, broker, database_url, batch_size, concurrency
            )
            publisher = Celery("bench-publisher", broker=broker or "filesystem://")
            if transport_options:
                publisher.conf.broker_transport_options = transport_options
            began = timezone.now()
            publisher.send_task(SWEEP_TASK, queue=queue)
            self._wait_until_done(timeout, worker)
            finished = SweepRun.objects.aggregate(last=Max("finished_at"))["last"]
            self._stop(worker)
            worker = None
            with publisher.connection_for_write() as broker_connection:
                # A delivery task that found nothing left may still wait in the queue.
                broker_connection.default_channel.queue_purge(queue)
            publisher.close()
            result = self._measure(pairings, began, finished, workdir)
            result.update(
                broker=transport,
                database=connection.vendor,
                workers=concurrency,
                batch_size=batch_size,
            )
        finally:
            if worker is not None:
                self._stop(worker)
        return result

    # -- the broker ----------------------------------------------------------------------------

    def _broker(self) -> tuple[str, str, dict]:
        url = settings.REDIS_URL
        if url:
            try:
                redis.Redis.from_url(url, socket_connect_timeout=2).ping()
            except redis.exceptions.RedisError:
                self.note(f"Redis at {url} is unreachable: using the embedded transport")
            else:
                return url, "redis", {}
        options = dict(settings.FILESYSTEM_BROKER_OPTIONS)
        for key in ("data_folder_in", "processed_folder", "control_folder"):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
        return "", "filesystem (embedded; Redis unreachable or not set)", options

    # -- the data --------------------------------------------------------------------------------

    def _populate(self, count: int) -> None:
        now = timezone.now()
        zone = _midday_zone(now)
        password = make_password(None)
        quiet_start, quiet_end = default_quiet_hours()
        supporters = User.objects.bulk_create(
            [
                User(
                    email=f"helper{i}@bench.invalid",
                    display_name=f"Helper {i}",
                    role=Role.SUPPORTER,
                    time_zone=zone,
                    password=password,
                )
                for i in range(math.ceil(count / PER_SUPPORTER))
            ],
            batch_size=2000,
        )
        SupporterProfile.objects.bulk_create(
            [
                SupporterProfile(
                    user=user,
                    status=SupporterStatus.APPROVED,
                    relationship=Relationship.SURVIVOR,
                    capacity=PER_SUPPORTER,
                    motivation="benchmark",
                )
                for user in supporters
            ],
            batch_size=2000,
        )
        people = User.objects.bulk_create(
            [
                User(
                    email=f"person{i}@bench.invalid",
                    display_name=f"Person {i}",
                    role=Role.SURVIVOR,
                    time_zone=zone,
                    password=password,
                    # One in ten chose in-app reminders only.
                    email_notifications=i % 10 != 0,
                )
                for i in range(count)
            ],
            batch_size=2000,
        )
        requests = SupportRequest.objects.bulk_create(
            [
                SupportRequest(survivor=person, status=RequestStatus.MATCHED, time_zone=zone)
                for person in people
            ],
            batch_size=2000,
        )
        pairings = Pairing.objects.bulk_create(
            [
                Pairing(
                    request=request,
                    survivor=request.survivor,
                    supporter=supporters[i // PER_SUPPORTER],
                    state=PairingState.ACTIVE,
                    activated_at=now - timedelta(days=3),
                )
                for i, request in enumerate(requests)
            ],
            batch_size=2000,
        )
        CheckInSchedule.objects.bulk_create(
            [
                CheckInSchedule(
                    pairing=pairing,
                    interval_days=7,
                    next_due_at=now - timedelta(minutes=1),
                    quiet_start=quiet_start,
                    quiet_end=quiet_end,
                )
                for pairing in pairings
            ],
            batch_size=2000,
        )

    # -- the worker ------------------------------------------------------------------------------

    def _start_worker(self, workdir, queue, broker, database_url, batch_size, concurrency):
        mail_dir = workdir / "mail"
        mail_dir.mkdir()
        log = workdir / "worker.log"
        env = {
            **os.environ,
            # Production-like: DEBUG off (it logs every query), so the required values are set.
            "DEBUG": "false",
            "SECRET_KEY": settings.SECRET_KEY,
            "ALLOWED_HOSTS": ",".join(settings.ALLOWED_HOSTS) or "localhost",
            "SITE_URL": settings.SITE_URL,
            "FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS),
            "DATABASE_URL": database_url,
            "REDIS_URL": broker,
            "EMAIL_URL": f"filemail:///{mail_dir}",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "REMINDER_BATCH_SIZE": str(batch_size),
            "REMINDER_PARALLEL": str(concurrency),
        }
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "peersupport",
                "worker",
                "--pool=prefork",
                f"--concurrency={concurrency}",
                f"--queues={queue}",
                f"--hostname=bench-{os.getpid()}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            # The project's logging configuration writes to the standard streams (celery's
            # --logfile is not used), so the log is what the worker prints.
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if log.exists() and " ready." in log.read_text(errors="replace"):
                return process
            if process.poll() is not None:
                raise CommandError(f"The worker stopped while starting; see {log}.")
            time.sleep(0.1)
        self._stop(process)
        raise CommandError("The worker did not start within 60 seconds.")

    def _stop(self, process) -> None:
        if process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)

    def _wait_until_done(self, timeout: int, worker) -> None:
        deadline = time.monotonic() + timeout
        due = CheckInSchedule.objects.filter(next_due_at__lte=timezone.now())
        pending = CheckInReminder.objects.filter(status=ReminderStatus.PENDING)
        swept = SweepRun.objects.filter(kind=SweepKind.SWEEP, finished_at__isnull=False)
        running = SweepRun.objects.filter(finished_at__isnull=True)
        while time.monotonic() < deadline:
            if worker.poll() is not None:
                raise CommandError("The worker stopped during the benchmark.")
            if (
                swept.exists()
                and not due.exists()
                and not pending.exists()
                and not running.exists()
            ):
                return
            time.sleep(0.05)
        raise CommandError(f"Not done within {timeout} seconds.")

    # -- the result --------------------------------------------------------------------------------

    def _measure(self, pairings: int, began, finished, workdir: Path) -> dict:
        due = CheckInReminder.objects.count()
        sent = CheckInReminder.objects.filter(status=ReminderStatus.SENT).count()
        emails = Counter()
        for path in (workdir / "mail").glob("*"):
            emails.update(MESSAGE_ID.findall(path.read_bytes()))
        email_duplicates = sum(n - 1 for n in emails.values() if n > 1)
        delivery_duplicates = sum(
            row["n"] - 1
            for row in ReminderDelivery.objects.filter(outcome="sent")
            .values("reminder_id", "channel")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
        )
        in_app_duplicates = sum(
            row["n"] - 1
            for row in Notification.objects.filter(kind=NotificationKind.CHECKIN_REMINDER)
            .values("user_id", "link")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
        )
        email_deliveries = ReminderDelivery.objects.filter(outcome="sent", channel="email").count()
        queries = SweepRun.objects.aggregate(total=Sum("queries"))["total"] or 0
        seconds = (finished - began).total_seconds()
        return {
            "pairings": pairings,
            # One reminder for each of a pair: a shortfall in "due" means check-ins were
            # not all made, which "sent == due" alone would not show.
            "expected_due": 2 * pairings,
            "due": due,
            "sent": sent,
            "duplicates": email_duplicates + delivery_duplicates + in_app_duplicates,
            "seconds": round(seconds, 3),
            "per_second": round(sent / seconds, 1) if seconds > 0 else None,
            "queries": queries,
            "queries_per_reminder": round(queries / due, 4) if due else None,
            "emails": sum(emails.values()),
            "emails_recorded_as_sent": email_deliveries,
            "in_app_only": due - email_deliveries,
        }
