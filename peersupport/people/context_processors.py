"""What every page's menu shows of the person: their unread notices and which links are
theirs (base.html, includes/role_nav.html)."""

from .access import is_barred_supporter
from .notifications import unread_count


def menu(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: looked up only when a template shows it; kept in the cache between writes.
    return {
        "unread_count": lambda: unread_count(user),
        # A suspended or retired supporter reaches no supporter page: their menu offers none.
        "menu_role": lambda: "barred" if is_barred_supporter(user) else user.role,
    }
