"""Who may see what. Views ask here; a person without the right role or relationship gets 404.

A 404 rather than a 403 says nothing about whether a thing exists.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404

from peersupport.platform.prepared import Prepared

from .models import BARRED_SUPPORTER_STATUSES, Role, SupporterProfile, SupporterStatus, User

# What the supporter wrote (and what was written about them) is read only where it is shown.
_WRITTEN = ("motivation", "decision_reason", "pause_reason", "standing_reason")


def _profile_of(user_id: int):
    return SupporterProfile.objects.filter(user_id=user_id).defer(*_WRITTEN)


# Every supporter page asks first: built once (platform/prepared.py).
_profile_read = Prepared(_profile_of)


def supporter_profile_of(user: User) -> SupporterProfile | None:
    """The supporter's own profile, read at most once a request and kept on `user` (as
    `user.supporter_profile`), or None."""
    if not User.supporter_profile.is_cached(user):
        found = _profile_read.fetch(user.pk)
        if not found:
            return None
        user.supporter_profile = found[0]
    return user.supporter_profile


def is_barred_supporter(user: User) -> bool:
    """A supporter a coordinator suspended or retired (matching/standing.py): they reach no
    supporter page, only their home, their own information and their account."""
    if user.role != Role.SUPPORTER:
        return False
    profile = supporter_profile_of(user)
    return profile is not None and profile.status in BARRED_SUPPORTER_STATUSES


def role_required(*roles: str, barred_ok: bool = False):
    """Signed in, and one of `roles`; anyone else gets 404. A suspended or retired supporter
    counts as no role at all, unless `barred_ok` (their own information)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.user.role not in roles:
                raise Http404
            if not barred_ok and is_barred_supporter(request.user):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


survivor_required = role_required(Role.SURVIVOR)
supporter_required = role_required(Role.SUPPORTER)
coordinator_required = role_required(Role.COORDINATOR)
# One of the two people of a pairing, by role only: which pairing is each view's access
# helper's to decide (404 otherwise).
survivor_or_supporter_required = role_required(Role.SURVIVOR, Role.SUPPORTER)


def approved_supporter_required(view):
    """A supporter whose application was approved (paused counts: they keep their caseload)."""

    @supporter_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        profile = supporter_profile_of(request.user)
        if profile is None or profile.status not in (
            SupporterStatus.APPROVED,
            SupporterStatus.PAUSED,
        ):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def get_application_for(user: User, pk: int) -> SupporterProfile:
    """A supporter application, for coordinators only."""
    if not user.is_authenticated or user.role != Role.COORDINATOR:
        raise Http404
    return get_object_or_404(
        SupporterProfile.objects.select_related("user", "gender", "decided_by"), pk=pk
    )
