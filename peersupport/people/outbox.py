"""The outbox: every email leaving the service is first a row (OutgoingEmail) written in the
same transaction as the change it is about, and a Celery task delivers the rows afterwards.

Why: sending in the request (allauth did) or publishing a task after the commit (notify did)
ties the request to the mail server and the broker. With Redis down, the publish raised after
the commit (a 500 for a change that was saved) and the email was lost; with a slow mail server,
a password reset took 300 ms longer for an address with an account than for one without,
which tells anyone whether a partner has an account. Now a request only writes rows; nothing
a person wrote goes into them (the words are the service's own, or allauth's), and the address
and body are encrypted at rest and blanked once the row is sent or dropped.

How rows are written:
- `notify()` (notifications.py) writes a discreet notice for the person (`outbox_notice_add`);
- EMAIL_BACKEND is `OutboxBackend`, so whatever calls Django's mail API (allauth's sign-up,
  verification and "already have an account" emails, a coordinator's first-password link)
  writes rows; the real mail server is OUTBOX_TRANSPORT (mail.transport_backend);
- a password reset writes one row holding only the address (password_reset.py): the
  request does the same work whether or not the address has an account, and the delivery
  decides, writing allauth's reset email if there is one to send.

How rows leave, exactly once by design (the reminders' pattern, sessions/reminders.py):
- after the commit, a nudge asks for `deliver_outbox`. It is published from a thread of its
  own, so no request ever waits on the broker (a publish to a Redis that refuses connections
  took 0.6 to 6 s of kombu's retries here; one that does not answer can hang far longer) and a
  broker error is logged (its type), never raised. Celery beat runs the same task every
  OUTBOX_SWEEP_SECONDS as the sweep, so a nudge that was lost (the broker was away, or the
  process exited first, as a management command does) only delays an email;
- a delivery claims due rows with SELECT ... FOR UPDATE SKIP LOCKED (OUTBOX_BATCH_SIZE at a
  time), marks them sent, then hands them to the mail server over one connection as the last
  step before COMMIT. Two deliveries never hold the same row; a worker that dies before the
  commit leaves its rows pending for the next one;
- a message the server refuses (or a server that cannot be reached) stays pending, tried again
  after OUTBOX_RETRY_SECONDS, doubling each time up to an hour; after OUTBOX_MAX_ATTEMPTS tries
  it is marked failed (its content kept, so it can be set pending again by hand);
- an email for a deactivated account, or a notice for someone who has turned emails off since,
  is dropped; an account's rows are deleted with it.

The remaining window, which no database can close: between the mail server accepting a message
and the COMMIT. A worker that dies there sends that batch again; each row keeps one Message-ID
across attempts (<o{id}@host>) so mail systems can recognise the repeat.

Why not a library: django-post-office serialises sending with a file lock (one host only) and
queues its Celery task with on_commit, which raises after the commit when the broker is down;
django-mailer has no Celery integration and also relies on a lock file. Neither claims rows
with SKIP LOCKED, so this small outbox follows the reminders' pipeline instead.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import NamedTuple
from urllib.parse import urlsplit

from celery import current_app
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .mail import discreet_message, transport_connection
from .models import OutgoingEmail, OutgoingEmailKind, OutgoingEmailStatus, User

logger = logging.getLogger(__name__)

DELIVER_TASK = "peersupport.people.tasks.deliver_outbox"
RETRY_CAP_SECONDS = 3600  # the wait between tries doubles up to this
NUDGE_EXPIRES_SECONDS = 600  # a nudge older than this is dropped by the worker: the sweep ran
NUDGE_PAUSE_AFTER_FAILURE = 5.0  # during a broker outage, one publish try per this long
_BLANK = {"address": "", "subject": "", "body": "", "html": ""}

# Set while a delivery runs: rows it writes itself (a reset turned into allauth's email) are
# picked up by its own next batch, so they need no nudge.
_delivering: ContextVar[bool] = ContextVar("outbox_delivering", default=False)


# -- writing rows (in the caller's transaction) ---------------------------------------------


def outbox_notice_add(*, user: User, urgent: bool = False) -> OutgoingEmail | None:
    """Queue the discreet notice ("there is something new for you") for `user`, if they are
    active and want emails; `urgent` (a safety flag for coordinators) queues it even if they
    turned emails off. Returns the row, or None when no email is due."""
    if not (user.is_active and user.email and (urgent or user.email_notifications)):
        return None
    subject, body = discreet_message()
    row = OutgoingEmail.objects.create(
        kind=OutgoingEmailKind.URGENT if urgent else OutgoingEmailKind.NOTICE,
        recipient=user,
        address=user.email,
        from_email=settings.DEFAULT_FROM_EMAIL,
        subject=subject,
        body=body,
    )
    _nudge_after_commit()
    return row


def outbox_reset_add(*, address: str) -> OutgoingEmail:
    """Record that a password reset was asked for `address`, whether or not it has an account:
    the delivery finds out, and writes allauth's email only if there is someone to send it to."""
    row = OutgoingEmail.objects.create(kind=OutgoingEmailKind.RESET, address=address)
    _nudge_after_commit()
    return row


def outbox_messages_add(*, messages) -> int:
    """Queue Django email messages (allauth's), one row for each address they go to. Each
    address is sent on its own, so nobody sees who else an email went to."""
    rows = []
    for message in messages:
        if message.attachments:
            raise ValueError("The outbox does not carry attachments.")
        html = next(
            (
                content
                for content, mimetype in getattr(message, "alternatives", ()) or ()
                if mimetype == "text/html"
            ),
            "",
        )
        for address in [*message.to, *message.cc, *message.bcc]:
            rows.append(
                OutgoingEmail(
                    kind=OutgoingEmailKind.ACCOUNT,
                    # Linked to the account, so deleting it deletes what waits for it.
                    recipient_id=User.objects.filter(email__iexact=address)
                    .values_list("pk", flat=True)
                    .first(),
                    address=address,
                    from_email=message.from_email or settings.DEFAULT_FROM_EMAIL,
                    subject=str(message.subject)[:255],
                    body=message.body,
                    html=html,
                )
            )
    OutgoingEmail.objects.bulk_create(rows)
    if rows:
        _nudge_after_commit()
    return len(rows)


class OutboxBackend(BaseEmailBackend):
    """EMAIL_BACKEND: Django's mail API (allauth's emails) writes outbox rows, in the
    caller's transaction; the outbox hands them to OUTBOX_TRANSPORT later."""

    def send_messages(self, email_messages) -> int:
        return outbox_messages_add(messages=list(email_messages))


# -- the nudge after the commit -------------------------------------------------------------


def _nudge_after_commit() -> None:
    transaction.on_commit(_nudge)


def _nudge() -> None:
    if _delivering.get():
        return
    if current_app.conf.task_always_eager:
        # No worker (the tests; CELERY_TASK_ALWAYS_EAGER): deliver now, still never raising
        # into the request whose commit this follows.
        try:
            outbox_deliver()
        except Exception:
            logger.exception("outbox: delivery failed; the next one retries")
        return
    _nudger.wake()


class _Nudger:
    """Publishes `deliver_outbox` from a daemon thread, so a commit only sets an event. Many
    commits while a publish is under way make one more publish, not many."""

    def __init__(self) -> None:
        self._wanted = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.published = 0
        self.failed = 0

    def wake(self) -> None:
        self._wanted.set()
        if self._thread is None or not self._thread.is_alive():
            with self._lock:
                if self._thread is None or not self._thread.is_alive():
                    self._thread = threading.Thread(
                        target=self._run, name="outbox-nudge", daemon=True
                    )
                    self._thread.start()

    def _run(self) -> None:
        while True:
            self._wanted.wait()
            self._wanted.clear()
            try:
                current_app.send_task(DELIVER_TASK, expires=NUDGE_EXPIRES_SECONDS)
                self.published += 1
            except Exception as error:  # the broker is away: the sweep delivers later
                self.failed += 1
                logger.warning(
                    "outbox: the delivery nudge was not published (%s); the sweep delivers "
                    "within %s s of the broker's return",
                    type(error).__name__,
                    settings.OUTBOX_SWEEP_SECONDS,
                )
                time.sleep(NUDGE_PAUSE_AFTER_FAILURE)

    def _after_fork(self) -> None:
        # A forked child (gunicorn's workers) has no thread and must not share the lock.
        self.__init__()


_nudger = _Nudger()
os.register_at_fork(after_in_child=_nudger._after_fork)


# -- delivering -----------------------------------------------------------------------------


@dataclass
class OutboxResult:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    dropped: int = 0
    resets: int = 0  # reset requests looked at (each wrote allauth's email, or nothing)
    batches: int = 0

    def add(self, other: OutboxResult) -> None:
        for field in fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))


class Claimed(NamedTuple):
    pk: int
    kind: str
    recipient_id: int | None
    recipient_active: bool | None
    wants_email: bool | None
    attempts: int
    address: str
    from_email: str
    subject: str
    body: str
    html: str


_CLAIM_VALUES = (
    "pk",
    "kind",
    "recipient_id",
    "recipient__is_active",
    "recipient__email_notifications",
    "attempts",
    "address",
    "from_email",
    "subject",
    "body",
    "html",
)


def _claim(now: datetime, limit: int) -> list[Claimed]:
    """Lock up to `limit` due rows, oldest first, skipping rows another delivery holds."""
    rows = (
        OutgoingEmail.objects.filter(status=OutgoingEmailStatus.PENDING, next_attempt_at__lte=now)
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("next_attempt_at", "id")
        .values_list(*_CLAIM_VALUES)[:limit]
    )
    return [Claimed(*row) for row in rows]


def _nobody_to_send_to(row: Claimed) -> bool:
    if not row.address:
        return True
    if row.recipient_id is not None and not row.recipient_active:
        return True  # deactivated since
    return row.kind == OutgoingEmailKind.NOTICE and not row.wants_email  # turned emails off


def _message_id(row: Claimed, domain: str) -> str:
    # The same on every attempt, so a repeat after a crash can be recognised downstream.
    return f"<o{row.pk}@{domain}>"


def _send(rows: list[Claimed]) -> dict[int, str]:
    """Hand the rows to the mail server over one connection. Returns {row id: error type} for
    those it did not take. Never raises: an exception escaping here would roll back the
    "sent" marks of messages already handed over."""
    if not rows:
        return {}
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    try:
        connection = transport_connection()
        connection.open()
    except Exception as error:  # no server: the whole batch waits for the next try
        return {row.pk: type(error).__name__[:60] for row in rows}
    failures: dict[int, str] = {}
    try:
        for row in rows:
            message = EmailMultiAlternatives(
                row.subject,
                row.body,
                row.from_email or settings.DEFAULT_FROM_EMAIL,
                [row.address],
                headers={"Message-ID": _message_id(row, domain)},
                connection=connection,
            )
            if row.html:
                message.attach_alternative(row.html, "text/html")
            try:
                connection.send_messages([message])
            except Exception as error:  # recorded per message, tried again later
                failures[row.pk] = type(error).__name__[:60]
    finally:
        with suppress(Exception):  # the messages are already handed over
            connection.close()
    return failures


def _retry_later(
    failures: dict[int, str], rows: list[Claimed], now: datetime, result: OutboxResult
) -> None:
    """Put refused rows back (with their content) for a later try, or mark them failed."""
    changed = []
    for row in rows:
        if row.pk not in failures:
            continue
        attempt = row.attempts + 1
        retry_in = min(settings.OUTBOX_RETRY_SECONDS * 2 ** (attempt - 1), RETRY_CAP_SECONDS)
        gave_up = attempt >= settings.OUTBOX_MAX_ATTEMPTS
        changed.append(
            OutgoingEmail(
                pk=row.pk,
                status=OutgoingEmailStatus.FAILED if gave_up else OutgoingEmailStatus.PENDING,
                attempts=attempt,
                next_attempt_at=now + timedelta(seconds=retry_in),
                sent_at=None,
                last_error=failures[row.pk],
                address=row.address,
                subject=row.subject,
                body=row.body,
                html=row.html,
            )
        )
        if gave_up:
            result.failed += 1
        else:
            result.retrying += 1
    OutgoingEmail.objects.bulk_update(
        changed,
        ["status", "attempts", "next_attempt_at", "sent_at", "last_error", *_BLANK],
    )


def _compose_reset(row: Claimed) -> str:
    """Turn a reset request into allauth's reset email (written to the outbox, sent by the
    next batch) if the address has an active account. Returns the row's new status."""
    # Not at the top: allauth's forms module imports ACCOUNT_SIGNUP_FORM_CLASS when first
    # imported, and that (people.form_base -> services -> notifications) imports this module.
    from allauth.account.forms import ResetPasswordForm

    form = ResetPasswordForm({"email": row.address})
    if not form.is_valid():
        return OutgoingEmailStatus.DROPPED
    form.save(None)  # outside a request, links use the Site's domain (SITE_URL's)
    return OutgoingEmailStatus.SENT if form.users else OutgoingEmailStatus.DROPPED


def _resets_handle(rows: list[Claimed], now: datetime, result: OutboxResult) -> None:
    for row in rows:
        try:
            with transaction.atomic():
                status = _compose_reset(row)
        except Exception as error:  # one broken row must not hold the batch up for ever
            logger.exception("outbox: a reset request could not be handled")
            _retry_later({row.pk: type(error).__name__[:60]}, [row], now, result)
            continue
        OutgoingEmail.objects.filter(pk=row.pk).update(
            status=status,
            attempts=F("attempts") + 1,
            sent_at=now if status == OutgoingEmailStatus.SENT else None,
            **_BLANK,
        )
        result.resets += 1


def outbox_deliver_batch(*, now: datetime | None = None, limit: int | None = None) -> OutboxResult:
    """Claim up to `limit` due rows and deliver them, all in one transaction."""
    limit = limit or settings.OUTBOX_BATCH_SIZE
    result = OutboxResult()
    with transaction.atomic():
        now = now or timezone.now()
        batch = _claim(now, limit)
        if not batch:
            return result
        result.claimed, result.batches = len(batch), 1
        dropped = {row.pk for row in batch if _nobody_to_send_to(row)}
        live = [row for row in batch if row.pk not in dropped]
        resets = [row for row in live if row.kind == OutgoingEmailKind.RESET]
        emails = [row for row in live if row.kind != OutgoingEmailKind.RESET]
        if dropped:
            OutgoingEmail.objects.filter(pk__in=dropped).update(
                status=OutgoingEmailStatus.DROPPED, **_BLANK
            )
            result.dropped = len(dropped)
        _resets_handle(resets, now, result)

        # Every write first (the content goes as it is marked sent); sending is the last step
        # before the commit.
        if emails:
            OutgoingEmail.objects.filter(pk__in=[row.pk for row in emails]).update(
                status=OutgoingEmailStatus.SENT,
                sent_at=now,
                attempts=F("attempts") + 1,
                last_error="",
                **_BLANK,
            )
        failures = _send(emails)
        if failures:
            _retry_later(failures, emails, now, result)
        result.sent = len(emails) - len(failures)
    return result


@contextmanager
def _as_delivery():
    token = _delivering.set(True)
    try:
        yield
    finally:
        _delivering.reset(token)


def outbox_deliver(
    *, now: datetime | None = None, limit: int | None = None, time_budget: float | None = None
) -> tuple[OutboxResult, bool]:
    """Deliver due rows a batch at a time until none is left. Several of these run side by
    side (skip-locked rows keep them apart). Returns the totals and whether the time budget
    ran out first."""
    total = OutboxResult()
    started = time.monotonic()
    with _as_delivery():
        while True:
            result = outbox_deliver_batch(now=now, limit=limit)
            total.add(result)
            if result.claimed == 0:
                return total, False
            if time_budget is not None and time.monotonic() - started > time_budget:
                return total, True
