"""Settings come from the environment; production refuses to start without what it needs."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache

from peersupport.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 60,
    "ALLOWED_HOSTS": "example.org",
    "DATABASE_URL": "postgres://user@localhost/db",
    "SITE_URL": "https://example.org",
    "FIELD_ENCRYPTION_KEYS": "ewPhbPqSSfwqHJIYp2qGI2mdayWwBdDDWUNAGqAQOZQ=",
}


def _import_settings(env):
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import peersupport.settings"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "FIELD_ENCRYPTION_KEYS", "SITE_URL"]
)
def test_production_names_the_missing_setting(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = _import_settings(env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


def test_production_settings_load_when_complete():
    assert _import_settings(PRODUCTION).returncode == 0


def test_production_refuses_a_site_url_without_a_host():
    result = _import_settings({**PRODUCTION, "SITE_URL": "example.org"})
    assert result.returncode != 0
    assert "SITE_URL" in result.stderr


@pytest.mark.django_db
def test_the_site_and_emailed_links_follow_site_url_after_migrate(
    settings, django_capture_on_commit_callbacks
):
    from django.contrib.sites.models import Site
    from django.core import mail
    from django.core.management.sql import emit_post_migrate_signal

    from peersupport.people import services

    settings.SITE_URL = "https://peers.example.net"
    assert Site.objects.get_current().domain != "peers.example.net"
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert Site.objects.get_current().domain == "peers.example.net"

    # allauth's emails sent outside a request (a command, a task) link to SITE_URL's host.
    user = services.coordinator_create(email="c@example.org", display_name="C", created_by=None)
    with django_capture_on_commit_callbacks(execute=True):  # the outbox delivers after commit
        link = services.coordinator_send_link(user=user)
    assert link.startswith("https://peers.example.net/accounts/password/reset/key/")
    assert "https://peers.example.net/accounts/password/reset/key/" in mail.outbox[0].body


def test_development_needs_nothing():
    assert _import_settings({"DEBUG": "true"}).returncode == 0


def test_celery_is_configured_for_at_least_once_delivery():
    conf = celery_app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1


def test_sessions_app_has_its_own_label():
    from django.apps import apps

    assert apps.get_app_config("peer_sessions").name == "sessions"


def test_make_run_points_email_links_at_the_port_it_serves():
    """`make run PORT=...`: migrate (which sets the Site row), the demo and the worker all get
    SITE_URL on that port, so emails never name localhost:8000 when the service is elsewhere."""
    env = {k: v for k, v in os.environ.items() if k != "SITE_URL"}  # an exported one wins
    dry_run = subprocess.run(
        ["make", "-n", "run", "PORT=9123"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    commands = [line for line in dry_run.splitlines() if "manage.py" in line or "run-dev" in line]
    assert len(commands) == 3
    assert all("SITE_URL=http://localhost:9123" in line for line in commands)


def test_a_test_run_keeps_its_own_cache_keys():
    """Each run has its own prefix (tests/conftest.py), passed on to the servers it starts."""
    prefix = os.environ["CACHE_KEY_PREFIX"]
    assert prefix.startswith("test-")
    assert cache.make_key("k").startswith(prefix)
