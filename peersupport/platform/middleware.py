"""Cross-cutting safety: no page is cached, and the quick exit holds."""

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
