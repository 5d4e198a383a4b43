"""Discreet email: the only kind of email the service sends besides allauth's account emails.

Subject and sender are neutral; the body has no names and no content, only a link to sign in.
"""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import User


class TemporaryMailError(Exception):
    pass


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


def send_discreet_email(*, user_id: int, force: bool = False) -> bool:
    """Send the discreet email to an active user who wants emails; `force` (urgent kinds, such
    as a safety flag for coordinators) sends it even if they turned email notifications off."""
    user = (
        User.objects.filter(pk=user_id, is_active=True).only("email", "email_notifications").first()
    )
    if user is None or not user.email:
        return False
    if not (force or user.email_notifications):
        return False
    subject, body = discreet_message()
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    except (smtplib.SMTPException, OSError) as error:
        raise TemporaryMailError("the mail server did not accept the message") from error
    return True
