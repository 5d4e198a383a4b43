"""Benchmark conversations over the real ASGI server: `manage.py bench_conversations`.

In a scratch database (`<name>_bench_conversations` on PostgreSQL, a temporary SQLite file
otherwise; created and dropped here, `--keep` keeps it) it makes N active pairings of 2N
people (bulk rows in the states the matching services leave them in), signs each person in
with a server-side session, starts daphne with production settings (DEBUG off, generated
keys, the channel layer on Redis when REDIS_URL is set, in memory otherwise), opens every
person's conversation socket (peersupport/demo/benchsockets.py) and lets each side send its
messages. Prints one JSON line on stdout; notes go to stderr.

For plain http on 127.0.0.1 it turns off what production needs HTTPS for (as bench_pages
does). The rate limit stays the service's unless a side sends more in a minute than it allows;
then the benchmark's own server gets a higher CONVERSATION_RATE_PER_MINUTE and the output
says so.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import shutil
import signal
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.fernet import Fernet
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import override_settings
from django.utils import timezone

from matching.models import Pairing, PairingState, RequestStatus, SupportRequest
from peersupport.conversations.models import Message
from peersupport.demo import benchload, benchsockets
from peersupport.demo.management.commands import bench_pages
from peersupport.people.models import Relationship, Role, SupporterProfile, SupporterStatus, User
from peersupport.platform import crypto
from peersupport.platform.scratch_db import database_url as scratch_db_url
from peersupport.platform.scratch_db import scratch_database

HOST = bench_pages.HOST
SETTINGS_MODULE = "peersupport.demo.bench_socket_settings"


def _cpu_seconds(pid: int) -> float:
    """CPU time (user and system) a process has used so far, from /proc (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Command(BaseCommand):
    help = "Benchmark conversations: N pairs talking over daphne's websockets; one JSON line."

    def add_arguments(self, parser):
        parser.add_argument("--conversations", type=int, default=200)
        parser.add_argument("--messages", type=int, default=10, help="Messages each side sends.")
        parser.add_argument(
            "--interval",
            type=float,
            default=15.0,
            help="Seconds between one person's messages on average (after the server's 'sent'): "
            "15, a brisk conversation; 5 is a stress test.",
        )
        parser.add_argument(
            "--timeout", type=float, default=10.0, help="Seconds to wait for late deliveries."
        )
        parser.add_argument("--keep", action="store_true", help="Keep the scratch database.")

    def note(self, text: str) -> None:
        self.stderr.write(text)

    def handle(self, *args, conversations, messages, interval, timeout, keep, **opts):
        if conversations < 1 or messages < 1 or interval < 0 or timeout < 0:
            raise CommandError("--conversations and --messages must be > 0, the times >= 0.")
        signal.signal(signal.SIGTERM, bench_pages._on_sigterm)
        sqlite = connection.vendor == "sqlite"
        workdir = Path(tempfile.mkdtemp(prefix="bench-conversations-"))
        scratch = (
            str(workdir / "bench.sqlite3")
            if sqlite
            else f"{connection.settings_dict['NAME']}_bench_conversations"
        )
        run = {
            "secret_key": secrets.token_urlsafe(50),
            "field_key": Fernet.generate_key().decode(),
            "prefix": f"bench-conversations-{secrets.token_hex(4)}",
            # The service's limit, unless one side's messages would not fit in its minute.
            "rate": max(settings.CONVERSATION_RATE_PER_MINUTE, messages),
        }
        pages = bench_pages.Command(stdout=self.stdout, stderr=self.stderr)
        try:
            with scratch_database(scratch, keep=keep, note=self.note):
                result = self._run(
                    run,
                    workdir,
                    scratch,
                    pages,
                    conversations=conversations,
                    messages=messages,
                    interval=interval,
                    timeout=timeout,
                )
        except (KeyboardInterrupt, bench_pages._Stop):
            self.note("interrupted: cleaning up")
            raise CommandError("Interrupted.") from None
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        self.stdout.write(json.dumps(result))

    def _run(
        self, run, workdir, scratch, pages, *, conversations, messages, interval, timeout
    ) -> dict:
        """In the scratch database: the pairings, daphne, the clients, the tally."""
        server = None
        try:
            with self._as_the_server(run):
                started = time.monotonic()
                people = self._populate(conversations)
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
                self.note(f"made {conversations} pairings in {time.monotonic() - started:.1f}s")
            database_url = scratch_db_url(scratch)
            port = bench_pages._free_port()
            env = self._server_env(run, port, database_url, workdir)
            pages._collectstatic(env, workdir)
            connection.close()  # daphne opens its own
            server = self._start_daphne(env, port, workdir)
            self._check_page(port, people[0])
            load_before = os.getloadavg()
            server_cpu = _cpu_seconds(server.pid)
            client_cpu = time.process_time()
            began = time.monotonic()
            tally = asyncio.run(
                benchsockets.run(
                    people,
                    url_of=lambda pk: f"ws://{HOST}:{port}/ws/conversations/{pk}/",
                    origin=f"http://{HOST}:{port}",
                    messages=messages,
                    interval=interval,
                    timeout=timeout,
                    ping_seconds=settings.CONVERSATION_PING_SECONDS,
                    note=self.note,
                )
            )
            wall = time.monotonic() - began
            server_cpu = _cpu_seconds(server.pid) - server_cpu
            client_cpu = time.process_time() - client_cpu
            benchload.stop_server(server)
            server = None
            errors = (workdir / "daphne.log").read_text(errors="replace")
            if "Traceback" in errors:
                start = errors.index("Traceback")
                self.note(f"the server logged errors:\n{errors[start : start + 4000]}")
            result = self._result(tally, conversations, messages, interval, run, wall)
            result.update(
                load_average_before=[round(x, 2) for x in load_before],
                # Where the two cores went: the server process, and this one (the clients).
                server_cpu_seconds=round(server_cpu, 2),
                client_cpu_seconds=round(client_cpu, 2),
            )
        finally:
            if server is not None:
                benchload.stop_server(server)
        return result

    # -- the data, in this process ------------------------------------------------------------

    @contextlib.contextmanager
    def _as_the_server(self, run: dict):
        """The server's keys: sessions are signed, and their auth hash made, with its
        SECRET_KEY; anything encrypted at rest with its field key."""
        crypto._fernet.cache_clear()  # the Fernet keys are read once per process
        try:
            with override_settings(
                SECRET_KEY=run["secret_key"], FIELD_ENCRYPTION_KEYS=[run["field_key"]]
            ):
                crypto._fernet.cache_clear()
                yield
        finally:
            crypto._fernet.cache_clear()

    def _populate(self, count: int) -> list[benchsockets.Person]:
        """N active pairings, each of its own survivor and supporter (the rate limit is a
        person's), as the matching services leave them: the request matched, the supporter
        approved; and a signed-in session for each person."""
        now = timezone.now()
        password = make_password(None)

        def people(role: str, name: str) -> list[User]:
            return User.objects.bulk_create(
                [
                    User(
                        email=f"{name}{i}@bench.invalid",
                        display_name=f"{name.title()} {i}",
                        role=role,
                        password=password,
                        email_notifications=False,
                    )
                    for i in range(count)
                ],
                batch_size=1000,
            )

        survivors = people(Role.SURVIVOR, "person")
        supporters = people(Role.SUPPORTER, "helper")
        SupporterProfile.objects.bulk_create(
            [
                SupporterProfile(
                    user=user,
                    status=SupporterStatus.APPROVED,
                    relationship=Relationship.SURVIVOR,
                    capacity=1,
                    motivation="benchmark",
                )
                for user in supporters
            ],
            batch_size=1000,
        )
        requests = SupportRequest.objects.bulk_create(
            [SupportRequest(survivor=user, status=RequestStatus.MATCHED) for user in survivors],
            batch_size=1000,
        )
        pairings = Pairing.objects.bulk_create(
            [
                Pairing(
                    request=request,
                    survivor=request.survivor,
                    supporter=supporter,
                    state=PairingState.ACTIVE,
                    offered_at=now - timedelta(days=4),
                    accepted_at=now - timedelta(days=3),
                    activated_at=now - timedelta(days=3),
                )
                for request, supporter in zip(requests, supporters, strict=True)
            ],
            batch_size=1000,
        )
        result = []
        for pairing in pairings:
            for side, user in (("a", pairing.survivor), ("b", pairing.supporter)):
                cookie = f"{settings.SESSION_COOKIE_NAME}={self._session_for(user)}"
                result.append(benchsockets.Person(pairing.pk, side, cookie))
        return result

    def _session_for(self, user: User) -> str:
        """What signing in leaves in the session store (the sign-in form would cost a password
        hash per person, which is not what is measured)."""
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.set_expiry(settings.SESSION_COOKIE_AGE)
        store.create()
        return store.session_key

    # -- the server ----------------------------------------------------------------------------

    def _server_env(self, run: dict, port: int, database_url: str, workdir: Path) -> dict:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
            "DEBUG": "false",
            "SECRET_KEY": run["secret_key"],
            "FIELD_ENCRYPTION_KEYS": run["field_key"],
            "ALLOWED_HOSTS": HOST,
            "SITE_URL": f"http://{HOST}:{port}",
            "DATABASE_URL": database_url,
            "CONN_MAX_AGE": "60",
            "CONN_HEALTH_CHECKS": "true",
            "REDIS_URL": settings.REDIS_URL,
            "BENCH_CACHE_PREFIX": run["prefix"],
            "STATIC_ROOT": str(workdir / "static"),
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "CONVERSATION_RATE_PER_MINUTE": str(run["rate"]),
            "LOG_LEVEL": "WARNING",
            **bench_pages.PLAIN_HTTP,
        }

    def _start_daphne(self, env: dict, port: int, workdir: Path):
        self.note(f"starting daphne on {HOST}:{port} ...")
        args = ["daphne", "--bind", HOST, "--port", str(port), "peersupport.asgi:application"]
        return benchload.start_server(
            "daphne", args, env=env, host=HOST, port=port, log=workdir / "daphne.log"
        )

    def _check_page(self, port: int, person: benchsockets.Person) -> None:
        """A person's session opens their conversation page (else the sockets would be refused
        for the wrong reason)."""
        status, _cookies, location, _body = benchload.fetch(
            HOST, port, f"/talk/{person.pairing_id}/", cookie=person.cookie
        )
        if status != 200:
            raise CommandError(f"/talk/{person.pairing_id}/ answered {status} {location}")

    # -- the result ------------------------------------------------------------------------------

    def _result(self, tally, conversations, messages, interval, run, wall) -> dict:
        delivered = len(tally.received_at)
        seconds = (tally.last_receipt or time.monotonic()) - tally.first_send
        if settings.REDIS_URL:
            transport = "daphne, channels-redis"
        else:
            transport = "daphne, in-memory channel layer (REDIS_URL unset)"
        rate_raised = run["rate"] != settings.CONVERSATION_RATE_PER_MINUTE
        return {
            "conversations": conversations,
            "clients": 2 * conversations,
            "messages": tally.expected,
            "delivered": delivered,
            "lost": tally.expected - delivered,
            "duplicates": tally.duplicates,
            "p50_ms": benchsockets.percentile(tally.latencies_ms, 0.50),
            "p95_ms": benchsockets.percentile(tally.latencies_ms, 0.95),
            "p99_ms": benchsockets.percentile(tally.latencies_ms, 0.99),
            "max_ms": round(max(tally.latencies_ms), 1) if tally.latencies_ms else None,
            "seconds": round(seconds, 2),
            "transport": transport,
            "database": connection.vendor,
            "stored": Message.objects.count(),
            "refused": len(tally.refused),
            "refusals": sorted(set(tally.refused))[:3],
            "closed_otherwise": tally.closed,  # close code: sockets, other than a clean 1000
            "interval_s": interval,
            "messages_per_second_offered": round(2 * conversations / (interval or 0.001), 1),
            "rate_per_minute": run["rate"],
            "rate_raised_for_the_benchmark": rate_raised,
            "wall_seconds": round(wall, 2),
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "cpus": os.cpu_count(),
        }
