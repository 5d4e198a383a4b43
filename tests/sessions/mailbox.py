"""Email backends for the reminder tests. Real backends (Django's own, extended), not mocks:
one refuses some addresses like a mail server would, one is slow to connect, and one records
every message to files so a separate worker process can be checked from the test."""

from __future__ import annotations

import os
import smtplib
import time
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class RefusingBackend(LocmemBackend):
    """Refuses messages to the addresses in `refused`, as a mail server would."""

    refused: set[str] = set()
    attempted: list[tuple[str, str]] = []  # (Message-ID, recipient) of every attempt

    def send_messages(self, messages):
        for message in messages:
            RefusingBackend.attempted.append((message.extra_headers["Message-ID"], message.to[0]))
            if set(message.to) & self.refused:
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"refused")})
        return super().send_messages(messages)


class SlowConnectBackend(LocmemBackend):
    """Takes a moment to connect, so two sweeps running at once really overlap."""

    delay = 0.02

    def open(self):
        time.sleep(self.delay)
        return super().open()


class RecordingBackend(BaseEmailBackend):
    """Appends "<Message-ID> <recipient>" for every message to a file per process in
    settings.TEST_MAILBOX_DIR. With TEST_MAIL_STALL_AFTER_BATCHES=n, the (n+1)th connection
    of this process stalls before sending anything (and says so with a file), so a test can
    kill the worker at that exact point: mid-task, with a batch claimed and written but not
    committed."""

    opened = 0

    def open(self):
        stall_after = settings.TEST_MAIL_STALL_AFTER_BATCHES
        if stall_after is not None and RecordingBackend.opened >= stall_after:
            Path(settings.TEST_MAILBOX_DIR, "stalled").write_text(str(os.getpid()))
            time.sleep(120)
        RecordingBackend.opened += 1
        return True

    def send_messages(self, messages):
        path = Path(settings.TEST_MAILBOX_DIR, f"{os.getpid()}.log")
        with path.open("a") as out:
            for message in messages:
                out.write(f"{message.extra_headers['Message-ID']} {message.to[0]}\n")
        return len(messages)
