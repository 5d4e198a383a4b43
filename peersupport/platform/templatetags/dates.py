"""`when`, a builtin filter (settings.TEMPLATES): every page shows moments one way."""

from django import template

from .. import dates

register = template.Library()


# expects_localtime stays off: the conversion to the viewer's clock is what can overflow
# (9999-12-31 in UTC is year 10000 in Tokyo), so `when` does it itself, and survives it.
@register.filter(expects_localtime=False)
def when(value, format_name="DATETIME_FORMAT"):
    """A moment on the viewer's clock in the service's style ("1 December 2026, 7pm");
    "date not valid" for a stored time that cannot be shown there."""
    return dates.shown(value, format_name)
