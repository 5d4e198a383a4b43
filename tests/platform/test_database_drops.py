"""Persistent database connections (CONN_MAX_AGE) are checked before each request
(CONN_HEALTH_CHECKS): when PostgreSQL drops every connection in the middle of traffic, the
next requests are served on new connections, never answered with a 500.

A real gunicorn serves the test database; the test terminates its backends between bursts.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from peersupport.platform.scratch_db import database_url
from tests.factories import SurvivorFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our own server
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _terminate_server_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


@pytest.fixture
def server(postgres):
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "peersupport.settings_test",
        "DATABASE_URL": database_url(connection.settings_dict["NAME"]),
        "CONN_MAX_AGE": "60",
        "CONN_HEALTH_CHECKS": "true",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "peersupport.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            _get(base + "/help/")
            break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("gunicorn did not start")
    yield base
    process.terminate()
    process.wait(timeout=10)


def test_requests_after_the_database_drops_every_connection_are_served(server):
    SurvivorFactory()  # a page that reads the database: the help page lists crisis resources
    statuses = [_get(server + "/help/") for _ in range(20)]
    assert statuses == [200] * 20
    for _round in range(3):
        assert _terminate_server_connections() >= 1  # the workers' persistent connections
        statuses = [_get(server + "/help/") for _ in range(20)]
        assert statuses == [200] * 20
