from django.conf import settings


def site(request):
    context = {"SITE_NAME": settings.SITE_NAME}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        # Lazy: counted only when a template shows it (one query).
        context["unread_count"] = lambda: user.notifications.unread().count()
        # An open tab leaves the page a little after the session's idle timeout (base.html).
        context["idle_refresh_seconds"] = settings.SESSION_COOKIE_AGE + 5
    return context
