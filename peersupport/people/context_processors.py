"""What every page's menu shows of the person: their unread notices (base.html)."""

from .notifications import unread_count


def menu(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: looked up only when a template shows it; kept in the cache between writes.
    return {"unread_count": lambda: unread_count(user)}
