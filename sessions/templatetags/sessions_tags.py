from django import template

from .. import selectors

register = template.Library()


@register.simple_tag
def survivor_sessions(user):
    """The survivor's sessions and check-ins to answer, for their home page."""
    return selectors.survivor_panel(user)
