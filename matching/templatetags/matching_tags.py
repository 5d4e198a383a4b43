from django import template

from .. import selectors

register = template.Library()


@register.simple_tag
def survivor_overview(user):
    return selectors.survivor_overview(user)


@register.simple_tag
def open_offers(user):
    return list(selectors.open_offers_for(user))
