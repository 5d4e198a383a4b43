"""Per-person request handling: times show in the user's zone; the second sign-in step."""

import zoneinfo

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import SupporterStatus


class UserTimezoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.time_zone:
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


class MfaRequiredMiddleware:
    """People who can read survivors' details (approved supporters, coordinators) sign in with a
    second step: until they have set one up, every page sends them to set it up.

    The roles come from `settings.MFA_REQUIRED_ROLES` (on by default in production). The quick
    exit, the break and help pages, sign-out, the account pages and "Stay signed in" stay
    reachable.
    """

    OPEN_PREFIXES = ("/accounts/", "/x/", "/break/", "/help/", "/session/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_set_up(request):
            messages.info(
                request,
                _(
                    "Please set up two-step sign-in before you go on. "
                    "It keeps people's details safe."
                ),
            )
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    def _must_set_up(self, request) -> bool:
        user = getattr(request, "user", None)
        roles = settings.MFA_REQUIRED_ROLES
        if not roles or user is None or not user.is_authenticated or user.role not in roles:
            return False
        path = request.path
        if path.startswith(settings.STATIC_URL) or path.startswith(self.OPEN_PREFIXES):
            return False
        if user.is_supporter:
            profile = getattr(user, "supporter_profile", None)
            # An applicant sees nobody's details yet; the second step comes with approval.
            if profile is None or profile.status not in (
                SupporterStatus.APPROVED,
                SupporterStatus.PAUSED,
            ):
                return False
        return not is_mfa_enabled(user)
