from django import template

from .. import dates, selectors

register = template.Library()


@register.simple_tag
def survivor_sessions(user):
    """The survivor's sessions and check-ins to answer, for their home page."""
    return selectors.survivor_panel(user)


# expects_localtime stays off: the conversion to the viewer's clock is what can overflow
# (9999-12-31 in UTC is year 10000 in Tokyo), so `when` does it itself, and survives it.
@register.filter(expects_localtime=False)
def when(value, format_name="DATETIME_FORMAT"):
    """Like `date`, on the viewer's clock; a stored time that cannot be shown there reads
    "date not valid" instead of failing the page."""
    return dates.shown(value, format_name)
