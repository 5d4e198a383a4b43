"""Shared fixtures: personas, signed-in clients, and access to real services.

A test that needs PostgreSQL, Redis or Chromium skips with the reason when the service is
unreachable, except under CI=true, where an unreachable service fails the test.
"""

import os
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests.factories import (
    CoordinatorFactory,
    PairingFactory,
    SupporterFactory,
    SurvivorFactory,
)

IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_configure(config):
    """Each run keeps its own cache keys on a shared Redis: the test database's ids start again
    with every run, and kept values (home panels, the queue) are keyed by them. The variable
    reaches the servers and workers some tests start, so they share this run's keys."""
    prefix = f"test-{os.getpid()}-{time.time_ns()}"
    os.environ["CACHE_KEY_PREFIX"] = prefix
    for cache in settings.CACHES.values():
        cache["KEY_PREFIX"] = prefix


def service_missing(reason: str):
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: required services must be reachable)")
    pytest.skip(reason)


@pytest.fixture
def survivor(db):
    return SurvivorFactory(display_name="Sam")


@pytest.fixture
def supporter(db):
    return SupporterFactory(display_name="Alex")


@pytest.fixture
def coordinator(db):
    return CoordinatorFactory(display_name="Casey")


@pytest.fixture
def other_coordinator(db):
    return CoordinatorFactory(display_name="Robin")


@pytest.fixture
def pairing(survivor, supporter):
    """Sam and Alex, an active pairing that started three days ago."""
    return PairingFactory(
        request__survivor=survivor,
        supporter=supporter,
        activated_at=timezone.now() - timedelta(days=3),
    )


def _client_for(user):
    # Each persona has a client of its own: a test that asks for two of them (or for
    # `client` beside one) really acts as two people.
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def survivor_client(survivor):
    return _client_for(survivor)


@pytest.fixture
def supporter_client(supporter):
    return _client_for(supporter)


@pytest.fixture
def coordinator_client(coordinator):
    return _client_for(coordinator)


@pytest.fixture
def postgres(db):
    """The test database must be PostgreSQL (set DATABASE_URL)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        service_missing("needs PostgreSQL: set DATABASE_URL=postgres://...")
    return connection


@pytest.fixture
def redis_url():
    from django.conf import settings

    url = settings.REDIS_URL
    if not url:
        service_missing("needs Redis: set REDIS_URL=redis://...")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        service_missing(f"Redis at {url} is unreachable")
    return url


@pytest.fixture
def seed_data(transactional_db):
    """Transactional tests empty every table afterwards, the data migrations' rows too: load
    the vocabularies and the agreements again, as the (idempotent) data migrations do."""
    import importlib

    from django.apps import apps

    for module in (
        "peersupport.people.migrations.0002_vocabularies",
        "ethics.agreements.migrations.0002_load_agreements",
    ):
        importlib.import_module(module).load(apps, None)


@pytest.fixture(scope="session", autouse=True)
def _end_stray_connections(django_db_setup, django_db_blocker):
    """Worker processes killed on purpose can leave a PostgreSQL backend behind for a moment;
    end them so the test database can be dropped cleanly at the end."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
