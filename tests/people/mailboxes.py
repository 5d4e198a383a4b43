"""Mail transports for the outbox tests: real email backends (Django's test mailbox, extended),
configured through OUTBOX_TRANSPORT, not mocks. One refuses while told to, as a mail server
would; one cannot be reached; one is slow to accept; one counts every time it is touched."""

from __future__ import annotations

import smtplib
import threading
import time

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class RefusingTransport(LocmemBackend):
    """Refuses every message while `refusing` is set; records each attempt's Message-ID."""

    refusing = False
    attempted: list[str] = []

    def send_messages(self, messages):
        for message in messages:
            RefusingTransport.attempted.append(message.extra_headers["Message-ID"])
            if RefusingTransport.refusing:
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (451, b"try again later")})
        return super().send_messages(messages)


class UnreachableTransport(LocmemBackend):
    """A mail server that is down: connecting fails."""

    def open(self):
        raise ConnectionRefusedError(111, "Connection refused")


class SlowTransport(LocmemBackend):
    """Takes a moment to accept each message, so deliveries running at once really overlap."""

    delay = 0.01
    lock = threading.Lock()

    def send_messages(self, messages):
        time.sleep(self.delay)
        with SlowTransport.lock:  # locmem's list is shared between the delivery threads
            return super().send_messages(messages)


class RecordingTransport(LocmemBackend):
    """Counts every time the mail server is touched: made, opened, or given a message."""

    touched = 0

    def __init__(self, *args, **kwargs):
        RecordingTransport.touched += 1
        super().__init__(*args, **kwargs)

    def open(self):
        RecordingTransport.touched += 1
        return super().open()

    def send_messages(self, messages):
        RecordingTransport.touched += 1
        return super().send_messages(messages)
