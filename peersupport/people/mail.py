"""Discreet email: the words of the only kind of email the service writes itself (allauth writes
the account emails), and the way to the real mail server.

Subject and sender are neutral; the body has no names and no content, only a link to sign in.
Nothing here sends on its own: emails leave through the outbox (outbox.py), or, for check-in
reminders, through their own pipeline (sessions/reminders.py). Both keep an exactly-once
record in the database and hand messages to `transport_connection()`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import get_connection
from django.urls import reverse
from django.utils.translation import gettext as _

OUTBOX_BACKEND = "peersupport.people.outbox.OutboxBackend"


def discreet_message(kind: str = "message") -> tuple[str, str]:
    """Subject and body. `kind` "reminder" (check-in reminders) has its own neutral subject."""
    url = settings.SITE_URL + reverse("account_login")
    if kind == "reminder":
        subject = _("A reminder")
        body = _("Hello,\n\nThis is a reminder. Sign in to see it:\n{url}\n\n{site}\n")
    else:
        subject = _("You have a new message")
        body = _("Hello,\n\nThere is something new for you. Sign in to see it:\n{url}\n\n{site}\n")
    return subject, body.format(url=url, site=settings.SITE_NAME)


def transport_backend() -> str:
    """The real mail server's backend. EMAIL_BACKEND is the outbox (every `send_mail` becomes
    a row), so the server behind it is OUTBOX_TRANSPORT; where EMAIL_BACKEND is set to a real
    backend instead (a test of a mail server's refusals), that backend is the server."""
    if settings.EMAIL_BACKEND != OUTBOX_BACKEND:
        return settings.EMAIL_BACKEND
    if settings.OUTBOX_TRANSPORT == OUTBOX_BACKEND:
        # The outbox would hand its messages back to itself, for ever.
        raise ImproperlyConfigured("OUTBOX_TRANSPORT must be a real email backend.")
    return settings.OUTBOX_TRANSPORT


def transport_connection():
    """A connection to the real mail server, for senders that record what they sent."""
    return get_connection(transport_backend(), fail_silently=False)
