"""Cross-cutting safety: no page is cached, the quick exit holds, and the idle timeout slides
without a database write on every request."""

import time

from django.conf import settings
from django.http import HttpResponseRedirect
from django.utils.cache import add_never_cache_headers

# A neutral cookie name: someone reading the browser's cookies learns nothing from it.
HOLD_COOKIE = "h"


class NoStoreMiddleware:
    """No page of the service is kept in a cache, so Back and history show nothing stale."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        add_never_cache_headers(response)
        response["Cache-Control"] = "no-cache, no-store, must-revalidate, private, max-age=0"
        response["Pragma"] = "no-cache"
        return response


class QuickExitHoldMiddleware:
    """After a quick exit, this browser is sent to the neutral site for a while.

    That way pressing Back (which reloads, since nothing is cached) lands on the neutral site
    again instead of the service.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if HOLD_COOKIE in request.COOKIES and not request.path.startswith(settings.STATIC_URL):
            return HttpResponseRedirect(settings.QUICK_EXIT_URL)
        return self.get_response(request)


# When the session's expiry was last pushed forward (seconds since the epoch), in the session.
REFRESHED_KEY = "_refreshed"


def idle_seconds_left(session) -> int:
    """Seconds until this session ends if the person does nothing more: its expiry is pushed
    forward by the response to this request when it is due (see SessionRefreshMiddleware)."""
    last = session.get(REFRESHED_KEY, 0)
    if time.time() - last >= settings.SESSION_REFRESH_SECONDS:
        return settings.SESSION_COOKIE_AGE
    return max(0, int(last + settings.SESSION_COOKIE_AGE - time.time()))


class SessionRefreshMiddleware:
    """The idle timeout counts idle time, but a page view writes the session row at most once
    a minute (settings.SESSION_REFRESH_SECONDS), not on every request as
    SESSION_SAVE_EVERY_REQUEST would.

    Sits just after SessionMiddleware, so its response half runs first and the session is
    saved, with a new expiry, by SessionMiddleware. A flushed session (sign-out, quick exit)
    is empty and stays ended.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty():
            return response
        now = int(time.time())
        due = now - session.get(REFRESHED_KEY, 0) >= settings.SESSION_REFRESH_SECONDS
        if due or session.modified:
            session[REFRESHED_KEY] = now  # marks it modified: saved with a fresh expiry
        return response
