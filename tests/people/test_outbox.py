"""The outbox: every email leaving the service is a row written in the transaction of the change
it is about, delivered after the commit exactly once, delayed (never lost, never a 500) by a
broker or mail server that is away; and a password reset costs the same work whether or not
the address has an account."""

from __future__ import annotations

import base64
import json
import re
import shutil
import socket
import subprocess
import time
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta

import pytest
import redis
from django.conf import settings as django_settings
from django.core import mail
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from peersupport.celery import app as celery_app
from peersupport.people import outbox, services, tasks
from peersupport.people.events import NotificationKind
from peersupport.people.models import OutgoingEmail, SupporterStatus, User
from peersupport.people.notifications import notify
from tests.conftest import service_missing
from tests.factories import (
    PASSWORD,
    CoordinatorFactory,
    PairingFactory,
    SupporterFactory,
    SurvivorFactory,
    UserFactory,
)
from tests.helpers import race
from tests.people.mailboxes import RecordingTransport, RefusingTransport

SECRET = "words-only-the-coordinators-read-k7"
MAILBOXES = "tests.people.mailboxes."


def _raw(row: OutgoingEmail, column: str) -> str:
    """A column as the database holds it."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM {OutgoingEmail._meta.db_table} WHERE id = %s",  # noqa: S608
            [row.pk],
        )
        return cursor.fetchone()[0]


def _decide(applicant: User, coordinator: User) -> None:
    """A write that notifies: a coordinator approves an application (its own transaction)."""
    services.supporter_decide(
        profile_id=applicant.supporter_profile.pk, coordinator=coordinator, approve=True
    )


# -- written with the change, sent once after it ------------------------------------------


@pytest.mark.django_db
def test_a_write_that_rolls_back_leaves_no_email_and_one_that_commits_sends_one_once(
    coordinator,
):
    applicant = SupporterFactory(profile__status=SupporterStatus.APPLIED)
    with pytest.raises(RuntimeError), transaction.atomic():
        _decide(applicant, coordinator)
        raise RuntimeError("something failed after the decision")
    assert not OutgoingEmail.objects.exists()

    _decide(applicant, coordinator)
    row = OutgoingEmail.objects.get()
    assert (row.recipient, row.kind, row.status) == (applicant, "notice", "pending")
    assert mail.outbox == []  # written, not sent: the write never talks to a mail server

    first, _ = outbox.outbox_deliver()
    second, _ = outbox.outbox_deliver()
    assert (first.sent, second.claimed) == (1, 0)
    assert [m.to for m in mail.outbox] == [[applicant.email]]
    assert mail.outbox[0].extra_headers["Message-ID"] == f"<o{row.pk}@localhost>"
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 1)
    assert row.sent_at is not None
    assert (row.address, row.body) == ("", "")  # nothing personal kept once it is sent


@pytest.mark.django_db
def test_allauths_emails_wait_in_the_outbox_encrypted_and_leave_after_the_commit(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("account_signup"),
            {
                "email": "new@example.org",
                "password1": "kettle-orchard-lantern-77",
                "password2": "kettle-orchard-lantern-77",
                "display_name": "River",
            },
        )
    assert response.status_code == 302
    row = OutgoingEmail.objects.get()
    assert (row.kind, row.recipient) == ("account", User.objects.get(email="new@example.org"))
    assert "/accounts/confirm-email/" in row.body
    assert "new@example.org" not in _raw(row, "address")  # encrypted at rest
    assert "/accounts/confirm-email/" not in _raw(row, "body")
    assert mail.outbox == []

    for callback in callbacks:  # the commit's nudge (tests deliver at once, without a worker)
        callback()
    assert [m.to for m in mail.outbox] == [["new@example.org"]]
    assert "/accounts/confirm-email/" in mail.outbox[0].body


@pytest.mark.django_db(transaction=True)
def test_deliveries_running_at_once_never_send_a_row_twice(postgres, settings):
    settings.OUTBOX_TRANSPORT = MAILBOXES + "SlowTransport"
    subject, body = "You have a new message", "Sign in to see it."
    people = [UserFactory(verified=False) for _ in range(30)]
    OutgoingEmail.objects.bulk_create(
        OutgoingEmail(kind="notice", recipient=p, address=p.email, subject=subject, body=body)
        for p in people
        for _ in range(4)
    )
    sent: list[int] = []

    def deliver():
        result, _ = outbox.outbox_deliver(limit=10)
        sent.append(result.sent)

    assert race([deliver for _ in range(4)]) == ["ok"] * 4
    ids = [m.extra_headers["Message-ID"] for m in mail.outbox]
    assert len(ids) == 120
    assert max(Counter(ids).values()) == 1
    assert sum(sent) == 120
    assert sum(1 for count in sent if count) >= 2  # they really ran side by side
    assert OutgoingEmail.objects.filter(status="sent").count() == 120


# -- a mail server that is away ---------------------------------------------------------


@pytest.fixture
def refusing(settings):
    settings.OUTBOX_TRANSPORT = MAILBOXES + "RefusingTransport"
    settings.OUTBOX_RETRY_SECONDS = 60
    RefusingTransport.refusing = True
    RefusingTransport.attempted = []
    yield RefusingTransport
    RefusingTransport.refusing = False


@pytest.mark.django_db
def test_a_refused_email_stays_pending_with_backoff_and_goes_once_the_server_takes_it(
    refusing, survivor
):
    notify(user=survivor, kind=NotificationKind.PAIRING_ACTIVE, text="Something new.")
    now = timezone.now()
    result, _ = outbox.outbox_deliver(now=now)
    assert (result.sent, result.retrying) == (0, 1)
    row = OutgoingEmail.objects.get()
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "SMTPRecipientsRefused")
    assert row.next_attempt_at == now + timedelta(seconds=60)
    assert row.body  # kept for the next try

    outbox.outbox_deliver(now=now + timedelta(seconds=59))  # not due yet
    assert len(refusing.attempted) == 1
    outbox.outbox_deliver(now=now + timedelta(seconds=60))  # refused again: the wait doubles
    row.refresh_from_db()
    assert (row.attempts, row.next_attempt_at) == (2, now + timedelta(seconds=180))

    refusing.refusing = False
    outbox.outbox_deliver(now=now + timedelta(seconds=180))
    outbox.outbox_deliver(now=now + timedelta(days=1))
    assert [m.to for m in mail.outbox] == [[survivor.email]]
    assert len(refusing.attempted) == 3
    assert len(set(refusing.attempted)) == 1  # one Message-ID across every try
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error, row.body) == ("sent", 3, "", "")


@pytest.mark.django_db
def test_an_unreachable_mail_server_delays_the_batch_and_the_last_try_marks_it_failed(
    settings, survivor, supporter
):
    settings.OUTBOX_TRANSPORT = MAILBOXES + "UnreachableTransport"
    settings.OUTBOX_MAX_ATTEMPTS = 2
    notify(user=survivor, kind=NotificationKind.PAIRING_ACTIVE, text="Something new.")
    notify(user=supporter, kind=NotificationKind.PAIRING_ACTIVE, text="Something new.")
    now = timezone.now()
    outbox.outbox_deliver(now=now)
    assert set(OutgoingEmail.objects.values_list("status", "attempts", "last_error")) == {
        ("pending", 1, "ConnectionRefusedError")
    }
    result, _ = outbox.outbox_deliver(now=now + timedelta(hours=2))
    assert result.failed == 2
    assert set(OutgoingEmail.objects.values_list("status", "attempts")) == {("failed", 2)}
    # Kept, so that someone can set them pending again after a long outage.
    assert all(row.body and row.address for row in OutgoingEmail.objects.all())
    assert mail.outbox == []


# -- who gets what ----------------------------------------------------------------------


@pytest.mark.django_db
def test_emails_for_a_deactivated_or_deleted_account_are_not_sent(survivor, supporter, coordinator):
    for person in (survivor, supporter, coordinator):
        notify(user=person, kind=NotificationKind.PAIRING_ACTIVE, text="Something new.")
    survivor.is_active = False
    survivor.save(update_fields=["is_active"])
    supporter_id = supporter.pk
    supporter.delete()
    assert not OutgoingEmail.objects.filter(recipient_id=supporter_id).exists()

    result, _ = outbox.outbox_deliver()
    assert [m.to for m in mail.outbox] == [[coordinator.email]]
    assert result.dropped == 1
    dropped = OutgoingEmail.objects.get(recipient=survivor)
    assert (dropped.status, dropped.address, dropped.body) == ("dropped", "", "")


@pytest.mark.django_db
def test_a_notice_respects_turning_emails_off_before_it_leaves_but_an_urgent_one_goes(
    survivor, coordinator
):
    notify(user=survivor, kind=NotificationKind.PAIRING_ACTIVE, text="Something new.")
    notify(
        user=coordinator,
        kind=NotificationKind.PAIRING_ACTIVE,
        text="Something urgent.",
        force_email=True,
    )
    User.objects.filter(pk__in=[survivor.pk, coordinator.pk]).update(email_notifications=False)
    outbox.outbox_deliver()
    assert [m.to for m in mail.outbox] == [[coordinator.email]]


@pytest.mark.django_db
def test_a_send_discreet_email_message_queued_before_the_outbox_still_delivers(
    survivor, django_capture_on_commit_callbacks
):
    legacy = celery_app.tasks["peersupport.tasks.send_discreet_email"]  # as queued before
    with django_capture_on_commit_callbacks(execute=True):
        legacy.apply(args=[survivor.pk], kwargs={"force": False})  # as a worker runs it
    assert [m.to for m in mail.outbox] == [[survivor.email]]
    assert OutgoingEmail.objects.get().status == "sent"


def test_beat_sweeps_the_outbox_with_the_task_the_nudge_asks_for():
    entry = django_settings.CELERY_BEAT_SCHEDULE["outbox-deliver"]
    assert entry["task"] == outbox.DELIVER_TASK == tasks.deliver_outbox.name
    assert entry["schedule"] == django_settings.OUTBOX_SWEEP_SECONDS
    assert outbox.DELIVER_TASK in celery_app.tasks  # what a nudge publishes, by name


@pytest.mark.django_db
def test_the_development_console_transport_prints_what_the_outbox_delivers(
    settings, survivor, capsys
):
    # `make run`: EMAIL_URL is consolemail://, so the worker prints the emails it delivers.
    settings.OUTBOX_TRANSPORT = "django.core.mail.backends.console.EmailBackend"
    notify(user=survivor, kind=NotificationKind.PAIRING_ACTIVE, text="Something new.")
    outbox.outbox_deliver()
    printed = capsys.readouterr().out
    assert "Subject: You have a new message" in printed
    assert f"To: {survivor.email}" in printed


# -- password reset: the same work for a member and for a stranger ----------------------


def _shape(sql: str) -> str:
    """A query without its values (addresses are encrypted afresh each time)."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    return re.sub(r"\b\d+(?:\.\d+)?\b", "?", sql)


@pytest.mark.django_db
def test_a_password_reset_does_the_same_work_for_a_member_and_for_a_stranger(
    settings, survivor, django_capture_on_commit_callbacks
):
    settings.OUTBOX_TRANSPORT = MAILBOXES + "RecordingTransport"
    RecordingTransport.touched = 0
    work = {}
    for who, address in (("member", survivor.email), ("stranger", "nobody@example.org")):
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks(execute=False) as callbacks,
        ):
            response = Client().post(reverse("account_reset_password"), {"email": address})
        assert response.status_code == 302
        work[who] = (
            [_shape(query["sql"]) for query in queries.captured_queries],
            len(callbacks),
            response["Location"],
        )
    assert work["member"] == work["stranger"]
    assert any("INSERT" in sql and "outgoingemail" in sql for sql in work["member"][0])
    assert RecordingTransport.touched == 0  # no mail server in the request

    outbox.outbox_deliver()  # the worker finds out who has an account
    assert RecordingTransport.touched > 0
    assert [m.to for m in mail.outbox] == [[survivor.email]]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    statuses = Counter(OutgoingEmail.objects.values_list("kind", "status"))
    assert statuses == {("reset", "sent"): 1, ("reset", "dropped"): 1, ("account", "sent"): 1}


# -- the broker is down -----------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OwnRedis:
    """A redis-server of this test's own, on a free port, that the test stops and starts."""

    def __init__(self, binary: str, directory):
        self.binary, self.directory, self.port = binary, directory, _free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_connect_timeout=1)

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - our own arguments
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--daemonize", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for(self._answers, seconds=10, what="redis-server to start")

    def _answers(self) -> bool:
        try:
            return bool(self.client().ping())
        except redis.exceptions.ConnectionError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


def _wait_for(condition, *, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {seconds}s waiting for {what}")


@pytest.fixture
def own_redis(tmp_path):
    binary = shutil.which("redis-server")
    if binary is None:
        service_missing("needs redis-server on the PATH to start a broker of its own")
    server = OwnRedis(binary, tmp_path)
    server.start()
    yield server
    server.stop()


@contextmanager
def _broker_at(url: str):
    """Celery publishes to `url` (no eager tasks) for a while. The app keeps a pool of broker
    connections; it is dropped on the way in and out, as Celery itself does after a fork."""
    conf = celery_app.conf
    saved = (conf.broker_url, conf.broker_transport_options, conf.task_always_eager)
    conf.broker_url, conf.broker_transport_options, conf.task_always_eager = url, {}, False
    celery_app._after_fork()
    try:
        yield
    finally:
        conf.broker_url, conf.broker_transport_options, conf.task_always_eager = saved
        celery_app._after_fork()


@pytest.fixture
def quick_nudges(monkeypatch):
    monkeypatch.setattr(outbox, "NUDGE_PAUSE_AFTER_FAILURE", 0.05)
    return outbox._nudger


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_a_concern_is_saved_and_emailed_once_the_broker_is_back(
    own_redis, seed_data, quick_nudges, caplog
):
    coordinators = [CoordinatorFactory(), CoordinatorFactory()]
    pairing = PairingFactory()
    survivor = Client()
    survivor.force_login(pairing.survivor)
    with _broker_at(own_redis.url):
        own_redis.stop()
        failed = quick_nudges.failed
        started = time.monotonic()
        response = survivor.post(
            reverse("care:concern_new", args=[pairing.pk]), {"category": "other", "text": SECRET}
        )
        answered_in = time.monotonic() - started
        assert response.status_code == 302
        rows = OutgoingEmail.objects.filter(recipient__in=coordinators)
        assert sorted(rows.values_list("status", flat=True)) == ["pending", "pending"]
        assert all(SECRET not in row.body for row in rows)

        _wait_for(lambda: quick_nudges.failed > failed, seconds=60, what="the nudge to fail")
        warnings = [r for r in caplog.records if r.name == outbox.__name__]
        assert warnings
        assert all(r.exc_info is None for r in warnings)  # the error's type, not its text
        assert all("refused" not in r.getMessage().lower() for r in warnings)

        # The broker is back: the next nudge (or beat's sweep) reaches it, with no arguments.
        own_redis.start()
        published = quick_nudges.published
        quick_nudges.wake()
        _wait_for(lambda: quick_nudges.published > published, seconds=60, what="a nudge")
        queued = [json.loads(raw) for raw in own_redis.client().lrange("celery", 0, -1)]
        assert queued
        for message in queued:
            assert message["headers"]["task"] == outbox.DELIVER_TASK
            assert json.loads(base64.b64decode(message["body"]))[:2] == [[], {}]

    first, _ = outbox.outbox_deliver()  # what the worker does with it
    again, _ = outbox.outbox_deliver()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(c.email for c in coordinators)
    assert (first.sent, again.claimed) == (2, 0)
    print(f"concern posted with the broker down: answered in {answered_in * 1000:.0f} ms")


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_sign_in_and_password_reset_answer_normally(
    own_redis, seed_data, quick_nudges
):
    member = SurvivorFactory()
    with _broker_at(own_redis.url):
        own_redis.stop()
        signed_in = Client()
        response = signed_in.post(
            reverse("account_login"), {"login": member.email, "password": PASSWORD}
        )
        assert response.status_code == 302
        assert signed_in.session.get("_auth_user_id") == str(member.pk)
        response = Client().post(reverse("account_reset_password"), {"email": member.email})
        assert response.status_code == 302
        assert OutgoingEmail.objects.get().status == "pending"
    outbox.outbox_deliver()
    assert [m.to for m in mail.outbox] == [[member.email]]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
