from django.conf import settings

from .idle import idle_warning_seconds
from .middleware import idle_seconds_left


def site(request):
    context = {"SITE_NAME": settings.SITE_NAME}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        # When the server ends this session if nothing more happens: the warning dialog plans
        # from it, and without JavaScript the page leaves a little after it (base.html).
        context["idle_seconds_left"] = seconds = idle_seconds_left(request.session)
        context["idle_refresh_seconds"] = seconds + 5
        context["idle_warning_seconds"] = idle_warning_seconds()
    return context
