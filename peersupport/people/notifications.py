"""Telling people something happened: an in-app notification and, if they want it, a discreet
email (neutral subject and sender, no names, no content: just a link to sign in).

The email is an outbox row written in the caller's transaction (outbox.py): nothing is sent for
a change that rolled back, and a broker or mail server that is away delays it, never loses it.
A few urgent kinds (a safety flag) pass `force_email=True`: the email is sent even to someone
who turned email notifications off, because a coordinator must not miss them.
"""

from __future__ import annotations

from collections.abc import Iterable

from peersupport.platform import generations

from .events import NotificationKind
from .models import Notification, Role, User
from .outbox import outbox_notice_add


def notify(
    *,
    user: User,
    kind: NotificationKind,
    text: str,
    link: str = "",
    email: bool = True,
    force_email: bool = False,
) -> Notification:
    """Store an in-app notification for `user` and, in the same transaction, a discreet email
    in the outbox (if they are active and want emails).

    `text` is the service's own words (e.g. "A new person has been offered to you"), never
    something a person wrote; the email carries none of it. `force_email` sends the email even
    if the person turned email notifications off (urgent kinds only).
    """
    notification = Notification.objects.create(
        user=user, kind=NotificationKind(kind), text=text[:300], link=link
    )
    unread_changed(user.pk)
    if email:
        outbox_notice_add(user=user, urgent=force_email)
    return notification


def notify_coordinators(
    *,
    kind: NotificationKind,
    text: str,
    link: str = "",
    email: bool = True,
    force_email: bool = False,
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


# -- the unread badge on every page ------------------------------------------------------------
# Every page shows the person's unread count in its menu (base.html). It is kept in the cache
# under a number of the person's (platform.generations) that every write to their notices
# moves: notify() above, marking them read (services.notifications_mark_read) and the
# reminders' batches (sessions/reminders.py). A write that skips these (the retention sweep
# deleting old notices) shows within UNREAD_SECONDS.
UNREAD_SECONDS = 300


def _unread_generation(user_id: int) -> str:
    return f"people:unread:number:{user_id}"


def unread_changed(*user_ids: int) -> None:
    """These people's unread counts are out of date."""
    if user_ids:
        generations.bump(*(_unread_generation(pk) for pk in user_ids))


def unread_keys(user_id: int) -> tuple[str, tuple[str]]:
    """Where the badge is kept, and its number."""
    return f"people:unread:count:{user_id}", (_unread_generation(user_id),)


# Set on the request's user by a view that read the badge's keys along with its own kept value
# (people/shown.py: kept_html), used once by the badge on the same page.
READ_ALONG = "_unread_read_along"


def unread_count(user: User) -> int:
    """One round trip to the cache on most pages (generations.kept), none when the page's kept
    HTML was read with it, one query otherwise."""
    key, numbers = unread_keys(user.pk)
    found = getattr(user, READ_ALONG, None)
    if found is not None:
        delattr(user, READ_ALONG)  # once: a later look reads the cache again
    return generations.kept(
        key, numbers, lambda: (user.notifications.unread().count(), UNREAD_SECONDS), found=found
    )
