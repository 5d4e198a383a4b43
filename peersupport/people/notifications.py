"""Telling people something happened: an in-app notification and, if they want it, a discreet
email (neutral subject and sender, no names, no content: just a link to sign in).

Emails are queued with transaction.on_commit, so nothing is sent for a change that rolled back.
A few urgent kinds (a safety flag) pass `force_email=True`: the email is sent even to someone
who turned email notifications off, because a coordinator must not miss them.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from .models import Notification, Role, User


def notify(
    *,
    user: User,
    kind: str,
    text: str,
    link: str = "",
    email: bool = True,
    force_email: bool = False,
) -> Notification:
    """Store an in-app notification for `user` and queue a discreet email after commit.

    `text` is the service's own words (e.g. "A new person has been offered to you"), never
    something a person wrote. `force_email` sends the email even if the person turned email
    notifications off (urgent kinds only); the task gets the user's id and that flag, nothing else.
    """
    notification = Notification.objects.create(user=user, kind=kind, text=text[:300], link=link)
    if email and user.is_active and (force_email or user.email_notifications):
        from .tasks import send_discreet_email

        user_id = user.pk
        if force_email:
            transaction.on_commit(lambda: send_discreet_email.delay(user_id, force=True))
        else:
            transaction.on_commit(lambda: send_discreet_email.delay(user_id))
    return notification


def notify_coordinators(
    *, kind: str, text: str, link: str = "", email: bool = True, force_email: bool = False
) -> int:
    coordinators: Iterable[User] = User.objects.filter(role=Role.COORDINATOR, is_active=True)
    count = 0
    for coordinator in coordinators:
        notify(
            user=coordinator,
            kind=kind,
            text=text,
            link=link,
            email=email,
            force_email=force_email,
        )
        count += 1
    return count
