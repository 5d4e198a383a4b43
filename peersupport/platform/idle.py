"""Staying signed in: the idle warning's "Stay signed in" (includes/idle_timeout_dialog.html,
static/js/idle-timeout.js) asks the server to push the session's expiry forward."""

import time

from django.conf import settings
from django.http import HttpResponseForbidden, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .middleware import REFRESHED_KEY, idle_seconds_left


@require_POST
def session_stay(request):
    """Extend the signed-in session by a full idle period, whenever SessionRefreshMiddleware
    would otherwise skip it (it refreshes at most once a minute): the person asked to stay.

    Answers JSON to the dialog's fetch(); a plain form post (no JavaScript) goes back to the
    page it came from. Anyone not signed in (the session has already ended) gets 403.
    """
    if not request.user.is_authenticated:
        return HttpResponseForbidden()
    # Writing the key marks the session modified: SessionMiddleware saves it with a new expiry.
    request.session[REFRESHED_KEY] = int(time.time())
    seconds = idle_seconds_left(request.session)
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"seconds_left": seconds})
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("home")
    return HttpResponseRedirect(back)


def idle_warning_seconds() -> int:
    """How long before the end the warning shows: two minutes, or a third of a short idle
    period (tests and very short settings)."""
    return min(120, settings.SESSION_COOKIE_AGE // 3)
