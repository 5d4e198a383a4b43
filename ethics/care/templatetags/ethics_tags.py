"""The agreements-and-concerns panel on each role's home page."""

from django import template

from ethics.agreements.selectors import outstanding_agreements
from peersupport.people.models import Role

from .. import selectors
from ..access import is_approved_supporter

register = template.Library()


@register.inclusion_tag("ethics/_home_panel.html", takes_context=True)
def ethics_home(context):
    user = context["user"]
    data = {"user": user}
    if not user.is_authenticated:
        return data
    if user.role == Role.COORDINATOR:
        data["counts"] = selectors.coordinator_counts()
        return data
    data["outstanding"] = outstanding_agreements(user)
    data["pairings"] = list(selectors.live_pairings_for(user))
    data["concerns"] = list(selectors.concerns_raised_by(user).unresolved()[:10])
    data["changes"] = list(selectors.change_requests_by(user).open()[:10])
    if user.role == Role.SUPPORTER:
        data["flags"] = list(selectors.flags_raised_by(user).not_closed()[:10])
        if is_approved_supporter(user):
            data["debriefs"] = list(selectors.debriefs_for(user)[:10])
            data["debriefs_on"] = True
    return data
