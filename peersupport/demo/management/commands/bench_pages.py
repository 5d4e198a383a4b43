"""Benchmark the key pages against a minimal authenticated page: `manage.py bench_pages`.

In a scratch PostgreSQL database (`<name>_bench_pages`, created and dropped here; `--keep`
keeps it) it builds realistic data (peersupport/demo/benchdata.py), starts gunicorn with
production settings (DEBUG off, generated keys, persistent connections, the cache on Redis)
and the benchmark's URLconf (peersupport/demo/bench_urls.py: the shipped addresses plus the
minimal page), signs each persona in through the real sign-in form, and measures each page
and the minimal page in turns (minimal, page, minimal, page, ...) so both see the same load.
Queries per page are counted in this process with Django's test client on the same data.

Prints one JSON line on stdout; notes go to stderr. For plain http on 127.0.0.1 it turns off
what production needs HTTPS for (SECURE_SSL_REDIRECT, SESSION_COOKIE_SECURE,
CSRF_COOKIE_SECURE, HSTS), and it sets MFA_REQUIRED_ROLES empty so the supporter and the
coordinator sign in with a password alone (the output says so).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from peersupport.demo import benchdata, benchload
from peersupport.people.models import User
from peersupport.platform import crypto
from peersupport.platform.scratch_db import database_url as scratch_db_url
from peersupport.platform.scratch_db import scratch_database

HOST = "127.0.0.1"
BENCH_URLCONF = "peersupport.demo.bench_urls"
MINIMAL = "minimal"
# What the benchmark's gunicorn is told besides the production defaults, and why.
PLAIN_HTTP = {
    # The load clients speak plain http to 127.0.0.1: no redirect to https, and the session
    # and CSRF cookies must travel without TLS. Production keeps them on (the defaults).
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "SECURE_HSTS_SECONDS": "0",
    "SECURE_HSTS_PRELOAD": "false",
    # Production asks supporters and coordinators for a second step; the benchmark signs in
    # with a password alone. The pages after sign-in are the same.
    "MFA_REQUIRED_ROLES": "",
}


def _pages(personas: benchdata.Personas) -> dict[str, tuple[str, str]]:
    """Each key page: who looks at it, and its address."""
    pk = personas.pairing_id
    return {
        "survivor_home": ("survivor", reverse("home")),
        "supporter_home": ("supporter", reverse("home")),
        "coordinator_queue": ("coordinator", reverse("team:queue")),
        "pairing": ("supporter", reverse("matching:pairing", args=[pk])),
        "pairing_sessions": ("supporter", reverse("peer_sessions:pairing", args=[pk])),
        "coordinator_concerns": ("coordinator", reverse("team:concerns")),
        "coordinator_figures": ("coordinator", reverse("team:health")),
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class _Stop(Exception):
    """SIGTERM: leave through the same clean-up as Ctrl-C."""


def _on_sigterm(signum, frame):
    raise _Stop


class Command(BaseCommand):
    help = "Measure the key pages against a minimal authenticated page under gunicorn."

    def add_arguments(self, parser):
        parser.add_argument(
            "--seconds",
            type=float,
            default=5.0,
            help="Seconds per slice (wrk takes whole seconds: rounded, at least 1).",
        )
        parser.add_argument(
            "--rounds",
            type=int,
            default=3,
            help="Slices per page (and as many of the minimal page beside them).",
        )
        parser.add_argument("--connections", type=int, default=16)
        parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers.")
        parser.add_argument(
            "--conn-max-age", type=int, default=60, help="CONN_MAX_AGE (production: 60)."
        )
        parser.add_argument("--keep", action="store_true", help="Keep the scratch database.")

    def note(self, text: str) -> None:
        self.stderr.write(text)

    def handle(self, *args, seconds, rounds, connections, workers, conn_max_age, keep, **opts):
        if connection.vendor != "postgresql":
            raise CommandError(
                "bench_pages needs PostgreSQL: set DATABASE_URL=postgres://... (it creates and "
                "drops a scratch database beside the one named there)."
            )
        if seconds <= 0 or rounds < 1 or connections < 1 or workers < 1:
            raise CommandError("--seconds, --rounds, --connections and --workers must be > 0.")
        previous_handler = signal.signal(signal.SIGTERM, _on_sigterm)
        workdir = Path(tempfile.mkdtemp(prefix="bench-pages-"))
        scratch = f"{connection.settings_dict['NAME']}_bench_pages"
        run = {
            "secret_key": secrets.token_urlsafe(50),
            "field_key": Fernet.generate_key().decode(),
            "password": secrets.token_urlsafe(16),
            "cache_prefix": f"bench-pages-{secrets.token_hex(4)}",
        }
        try:
            with scratch_database(scratch, keep=keep, note=self.note):
                result = self._run(
                    run,
                    workdir,
                    seconds=seconds,
                    rounds=rounds,
                    connections=connections,
                    workers=workers,
                    conn_max_age=conn_max_age,
                )
        except (KeyboardInterrupt, _Stop):
            self.note("interrupted: cleaning up")
            raise CommandError("Interrupted.") from None
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
            signal.signal(signal.SIGTERM, previous_handler)
        self.stdout.write(json.dumps(result))

    def _run(self, run, workdir, *, seconds, rounds, connections, workers, conn_max_age) -> dict:
        """In the scratch database: build the data, count the queries, start gunicorn and
        measure."""
        server = None
        try:
            with self._as_the_server(run):
                started = time.monotonic()
                personas = benchdata.build(password=run["password"])
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")  # fresh statistics, as a live database has
                self.note(f"built the data in {time.monotonic() - started:.1f}s: {personas.counts}")
                pages = _pages(personas)
                queries = self._count_queries(personas, pages)
            self.note(f"queries per page: {queries}")
            port = _free_port()
            env = self._server_env(run, port, conn_max_age, workdir)
            self._collectstatic(env, workdir)
            connection.close()  # gunicorn's workers open their own
            server = self._start_gunicorn(env, port, workers, workdir)
            cookies = self._sign_in(personas, port)
            result = self._measure(pages, cookies, port, seconds, rounds, connections, workers)
            for name, counted in queries.items():
                result["pages"].get(name, result["minimal"])["queries"] = counted
            result.update(
                conn_max_age=conn_max_age,
                workers=workers,
                connections=connections,
                seconds_per_slice=seconds,
                rounds=rounds,
                data=personas.counts,
                settings={
                    "DEBUG": False,
                    "CONN_HEALTH_CHECKS": True,
                    "cache": "redis" if settings.REDIS_URL else "local memory (REDIS_URL unset)",
                    **{k: (v or "(empty)") for k, v in PLAIN_HTTP.items()},
                },
                notes=[
                    "MFA_REQUIRED_ROLES is empty for the benchmark: personas sign in with a "
                    "password alone (production asks supporters and coordinators for TOTP).",
                    "Plain http on 127.0.0.1: SSL redirect, secure cookies and HSTS are off.",
                    "ratio: a page's requests a second over the minimal page's in the slices "
                    "run beside it; queries: the second view in-process (warm caches).",
                ],
            )
        finally:
            if server is not None:
                benchload.stop_server(server)
        return result

    # -- data and queries, in this process ---------------------------------------------------------

    @contextlib.contextmanager
    def _as_the_server(self, run: dict):
        """The server's key for notes at rest (what is written here, gunicorn reads), its cache
        prefix, and what lets the test client in (MFA off, plain http, its host name)."""
        overrides = override_settings(
            FIELD_ENCRYPTION_KEYS=[run["field_key"]],
            CACHES={
                **settings.CACHES,
                "default": {**settings.CACHES["default"], "KEY_PREFIX": run["cache_prefix"]},
            },
            MFA_REQUIRED_ROLES=[],
            SECURE_SSL_REDIRECT=False,
            ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
            ROOT_URLCONF=BENCH_URLCONF,
        )
        # The Fernet keys are read once per process (crypto._fernet is cached).
        crypto._fernet.cache_clear()
        try:
            with overrides:
                crypto._fernet.cache_clear()
                yield
        finally:
            crypto._fernet.cache_clear()

    def _count_queries(self, personas, pages) -> dict[str, int]:
        """Each page's queries on its second view (caches warm, as under load)."""
        clients = {}
        for persona, user_id in (
            ("survivor", personas.survivor_id),
            ("supporter", personas.supporter_id),
            ("coordinator", personas.coordinator_id),
        ):
            clients[persona] = Client()
            clients[persona].force_login(User.objects.get(pk=user_id))
        counted = {}
        minimal = reverse("bench_minimal", urlconf=BENCH_URLCONF)
        for name, (persona, url) in [(MINIMAL, ("supporter", minimal)), *pages.items()]:
            client = clients[persona]
            first = client.get(url)
            if first.status_code != 200:
                raise CommandError(f"{name} ({url}) answered {first.status_code} in-process.")
            with CaptureQueriesContext(connection) as context:
                client.get(url)
            counted[name] = len(context.captured_queries)
        return counted

    # -- the server --------------------------------------------------------------------------------

    def _server_env(self, run: dict, port: int, conn_max_age: int, workdir: Path) -> dict:
        database_url = scratch_db_url(connection.settings_dict["NAME"])  # the scratch one
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "peersupport.demo.bench_settings",
            "DEBUG": "false",
            "SECRET_KEY": run["secret_key"],
            "FIELD_ENCRYPTION_KEYS": run["field_key"],
            "ALLOWED_HOSTS": HOST,
            "SITE_URL": f"http://{HOST}:{port}",
            "DATABASE_URL": database_url,
            "CONN_MAX_AGE": str(conn_max_age),
            "CONN_HEALTH_CHECKS": "true",
            "REDIS_URL": settings.REDIS_URL,
            "BENCH_CACHE_PREFIX": run["cache_prefix"],
            "STATIC_ROOT": str(workdir / "static"),
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "LOG_LEVEL": "WARNING",
            **PLAIN_HTTP,
        }

    def _collectstatic(self, env: dict, workdir: Path) -> None:
        """Production serves hashed static names from a manifest: build one for this run."""
        self.note("collecting static files ...")
        subprocess.run(  # noqa: S603 - our own interpreter and arguments
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=settings.BASE_DIR,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def _start_gunicorn(self, env: dict, port: int, workers: int, workdir: Path):
        self.note(f"starting gunicorn ({workers} sync workers) on {HOST}:{port} ...")
        args = ["gunicorn", "peersupport.wsgi", "--workers", str(workers), "--worker-class", "sync"]
        args += ["--bind", f"{HOST}:{port}", "--backlog", "2048", "--log-level", "warning"]
        return benchload.start_server(
            "gunicorn", args, env=env, host=HOST, port=port, log=workdir / "gunicorn.log"
        )

    # -- measuring ---------------------------------------------------------------------------------

    def _sign_in(self, personas, port: int) -> dict[str, str]:
        cookies = {}
        for persona, email in (
            ("survivor", personas.survivor_email),
            ("supporter", personas.supporter_email),
            ("coordinator", personas.coordinator_email),
        ):
            try:
                cookies[persona] = benchload.sign_in(
                    HOST,
                    port,
                    email=email,
                    password=personas.password,
                    cookie_name=settings.SESSION_COOKIE_NAME,
                )
            except benchload.SignInFailed as error:
                raise CommandError(f"Signing in the {persona} failed: {error}") from error
        self.note("signed in the survivor, the supporter and the coordinator through the form")
        return cookies

    def _check(self, port: int, name: str, url: str, cookie: str) -> None:
        """A page measured must answer 200 to its persona (a redirect to sign-in would be
        measured as a very fast page)."""
        status, _cookies, location, _body = benchload.fetch(HOST, port, url, cookie=cookie)
        if status != 200:
            raise CommandError(f"{name} ({url}) answered {status} {location}".rstrip())

    def _measure(self, pages, cookies, port, seconds, rounds, connections, workers) -> dict:
        wrk = shutil.which("wrk")
        cpus = os.cpu_count() or 1
        minimal_url = reverse("bench_minimal", urlconf=BENCH_URLCONF)

        def one_slice(url: str, cookie: str, length: float) -> benchload.Slice:
            measured = load(url, cookie, length)
            benchload.drain(HOST, port, minimal_url, cookie=cookie, workers=workers)
            return measured

        def load(url: str, cookie: str, length: float) -> benchload.Slice:
            if wrk:
                return benchload.wrk_slice(
                    wrk,
                    HOST,
                    port,
                    url,
                    cookie=cookie,
                    connections=connections,
                    seconds=length,
                    threads=cpus,
                )
            return benchload.python_slice(
                HOST, port, url, cookie=cookie, connections=connections, seconds=length
            )

        self.note(f"load client: {'wrk' if wrk else 'python'}; warming up ...")
        for name, (persona, url) in [(MINIMAL, ("supporter", minimal_url)), *pages.items()]:
            self._check(port, name, url, cookies[persona])
            one_slice(url, cookies[persona], 1.0)  # every worker loads its templates

        load_before = os.getloadavg()
        page_slices: dict[str, list] = {name: [] for name in pages}
        beside: dict[str, list] = {name: [] for name in pages}
        for round_number in range(1, rounds + 1):
            for name, (persona, url) in pages.items():
                cookie = cookies[persona]
                # The minimal page with the same persona's session, then the page.
                beside[name].append(one_slice(minimal_url, cookie, seconds))
                page_slices[name].append(one_slice(url, cookie, seconds))
                last = page_slices[name][-1]
                self.note(
                    f"round {round_number}/{rounds} {name}: "
                    f"{last.requests / last.seconds:.0f}/s against minimal "
                    f"{beside[name][-1].requests / beside[name][-1].seconds:.0f}/s"
                )
        for name, (persona, url) in [(MINIMAL, ("supporter", minimal_url)), *pages.items()]:
            self._check(port, name, url, cookies[persona])

        minimal = benchload.summary([s for slices in beside.values() for s in slices])
        result_pages = {}
        for name in pages:
            page = benchload.summary(page_slices[name])
            alongside = benchload.summary(beside[name])
            result_pages[name] = {
                "rps": page["rps"],
                "ratio": round(page["rps"] / alongside["rps"], 3) if alongside["rps"] else None,
                "p50_ms": page["p50_ms"],
                "p99_ms": page["p99_ms"],
                "queries": None,
                "url": pages[name][1],
                "as": pages[name][0],
                "minimal_rps_beside": alongside["rps"],
                "requests": page["requests"],
                "not_ok": page["not_ok"] + alongside["not_ok"],
                "spread": benchload.spread(page["rps_slices"]),
            }
        return {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "load_average_before": [round(x, 2) for x in load_before],
            "cpus": cpus,
            "client": "wrk" if wrk else "python",
            "minimal": {
                "rps": minimal["rps"],
                "p50_ms": minimal["p50_ms"],
                "p99_ms": minimal["p99_ms"],
                "queries": None,
                "url": minimal_url,
                "requests": minimal["requests"],
                "not_ok": minimal["not_ok"],
                "spread": benchload.spread(minimal["rps_slices"]),
            },
            "pages": result_pages,
        }
