from django.conf import settings


def site(request):
    context = {"SITE_NAME": settings.SITE_NAME}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        # Lazy: counted only when a template shows it (one query).
        context["unread_count"] = lambda: user.notifications.unread().count()
    return context
