"""bench_pages' HTTP side: signing in through the real form, and load slices, with wrk when it
is installed, else threads of `http.client` (one connection each, kept alive when the server
allows: gunicorn's sync workers close each connection after its response, as they would in
production).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.management.base import CommandError

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken"\s+value="([^"]+)"')


class SignInFailed(Exception):
    pass


@dataclass
class Slice:
    """One measured stretch of one address."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    not_ok: int  # answers other than 200, and requests that failed
    latencies_ms: list[float] = field(default_factory=list, repr=False)  # Python client only


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    jar = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def _cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def fetch(
    host: str, port: int, path: str, *, cookie: str = "", method: str = "GET", body=None
) -> tuple[int, dict[str, str], str, str]:
    """One request on a fresh connection: status, cookies set, Location, body."""
    connection = http.client.HTTPConnection(host, port, timeout=30)
    headers = {"Cookie": cookie} if cookie else {}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        # A browser's same-origin POST; Django checks it against the host.
        headers["Origin"] = f"http://{host}:{port}"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", errors="replace")
        return response.status, _cookies(response), response.getheader("Location", ""), text
    finally:
        connection.close()


def sign_in(host: str, port: int, *, email: str, password: str, cookie_name: str) -> str:
    """Sign in through allauth's form, as a browser does (the CSRF token from the form, its
    cookie beside it); returns the Cookie header that carries the new session."""
    status, cookies, _location, page = fetch(host, port, "/accounts/login/")
    token = CSRF_INPUT.search(page)
    if status != 200 or token is None:
        raise SignInFailed(f"the sign-in form answered {status} without a CSRF token")
    body = urlencode({"csrfmiddlewaretoken": token.group(1), "login": email, "password": password})
    status, set_now, location, _page = fetch(
        host, port, "/accounts/login/", cookie=_cookie_header(cookies), method="POST", body=body
    )
    cookies.update(set_now)
    if status != 302 or cookie_name not in cookies:
        raise SignInFailed(f"signing in {email} answered {status} (to {location or 'nowhere'})")
    return _cookie_header(cookies)


# -- the Python load client --------------------------------------------------------------------


def _percentile(sorted_values: list[float], share: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(share * len(sorted_values)) - 1))
    return sorted_values[index]


def python_slice(
    host: str, port: int, path: str, *, cookie: str, connections: int, seconds: float
) -> Slice:
    """`connections` threads, each sending one request after another for `seconds`."""
    deadline = time.perf_counter() + seconds
    results: list[tuple[list[float], int]] = []
    lock = threading.Lock()

    def run() -> None:
        latencies: list[float] = []
        not_ok = 0
        connection = None
        while time.perf_counter() < deadline:
            if connection is None:
                connection = http.client.HTTPConnection(host, port, timeout=30)
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Cookie": cookie})
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                not_ok += 1
                connection.close()
                connection = None
                continue
            latencies.append((time.perf_counter() - started) * 1000)
            not_ok += response.status != 200
            if response.will_close:
                connection.close()
                connection = None
        if connection is not None:
            connection.close()
        with lock:
            results.append((latencies, not_ok))

    began = time.perf_counter()
    threads = [threading.Thread(target=run, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    latencies = sorted(value for part, _bad in results for value in part)
    return Slice(
        requests=len(latencies),
        seconds=elapsed,
        p50_ms=_percentile(latencies, 0.50),
        p99_ms=_percentile(latencies, 0.99),
        not_ok=sum(bad for _part, bad in results),
        latencies_ms=latencies,
    )


# -- wrk ---------------------------------------------------------------------------------------

# The cookie rides on every request; done() prints the slice as one JSON line (wrk's own
# counters: non-2xx/3xx answers are "status" errors; a redirect is caught by checking each
# address before and after its slices).
WRK_SCRIPT = """
wrk.headers["Cookie"] = %(cookie)s
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %%d, "duration_us": %%d, "not_ok": %%d, "p50_us": %%d, "p99_us": %%d}\\n',
    summary.requests, summary.duration,
    e.status + e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def wrk_slice(
    wrk: str,
    host: str,
    port: int,
    path: str,
    *,
    cookie: str,
    connections: int,
    seconds: float,
    threads: int,
) -> Slice:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % {"cookie": _lua_string(cookie)})
    try:
        completed = subprocess.run(  # noqa: S603 - wrk found on PATH, our own arguments
            [
                wrk,
                f"-t{max(1, min(threads, connections))}",
                f"-c{connections}",
                f"-d{max(1, round(seconds))}s",
                "--timeout",
                "30s",
                "-s",
                script.name,
                f"http://{host}:{port}{path}",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        Path(script.name).unlink(missing_ok=True)
    line = next(x for x in completed.stdout.splitlines() if x.startswith("WRKJSON "))
    data = json.loads(line.removeprefix("WRKJSON "))
    return Slice(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        not_ok=data["not_ok"],
    )


def drain(host: str, port: int, path: str, *, cookie: str, workers: int) -> None:
    """Wait until the server has worked through what a slice left queued. wrk stops at the
    deadline and closes its connections, but gunicorn still answers the requests already
    queued in its listen backlog: without this, the next slice would pay for them. Requests
    sent now queue behind them; when one for each worker has come back, the backlog is gone."""

    def probe() -> None:
        with contextlib.suppress(OSError, http.client.HTTPException):
            fetch(host, port, path, cookie=cookie)

    threads = [threading.Thread(target=probe) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


# -- adding slices up ----------------------------------------------------------------------------


def summary(slices: list[Slice]) -> dict:
    """Requests a second over all the slices; percentiles over every request when the Python
    client kept them, else wrk's per-slice percentiles weighted by each slice's requests."""
    requests = sum(s.requests for s in slices)
    seconds = sum(s.seconds for s in slices)
    pooled = sorted(v for s in slices for v in s.latencies_ms)
    if pooled:
        p50, p99 = _percentile(pooled, 0.50), _percentile(pooled, 0.99)
    elif requests:
        p50 = sum(s.p50_ms * s.requests for s in slices) / requests
        p99 = sum(s.p99_ms * s.requests for s in slices) / requests
    else:
        p50 = p99 = 0.0
    return {
        "rps": round(requests / seconds, 1) if seconds else 0.0,
        "p50_ms": round(p50, 1),
        "p99_ms": round(p99, 1),
        "requests": requests,
        "not_ok": sum(s.not_ok for s in slices),
        "rps_slices": [round(s.requests / s.seconds, 1) if s.seconds else 0.0 for s in slices],
    }


def spread(values: list[float]) -> float:
    """Relative spread of the slices (max-min over the median), to judge a noisy run."""
    if len(values) < 2 or not statistics.median(values):
        return 0.0
    return round((max(values) - min(values)) / statistics.median(values), 2)


def start_server(name: str, module_args: list[str], *, env: dict, host: str, port: int, log: Path):
    """Start `python -m <module_args>` (gunicorn, daphne) in its own process group, logging to
    `log`, and wait until it answers /help/ with a 200 (a minute at most)."""
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", *module_args],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise CommandError(f"{name} stopped while starting:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(OSError):
            status, *_rest = fetch(host, port, "/help/")
            if status == 200:
                return process
            stop_server(process)
            raise CommandError(f"{name} answered {status} for /help/:\n{log.read_text()}")
        time.sleep(0.2)
    stop_server(process)
    raise CommandError(f"{name} did not start within 60 seconds.")


def stop_server(process) -> None:
    """Stop a server started by start_server, and everything it started."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
