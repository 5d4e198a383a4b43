"""The agreements-and-concerns panel on each role's home page."""

from types import SimpleNamespace

from django import template
from django.template.loader import render_to_string

from ethics.agreements.selectors import outstanding_agreements
from peersupport.people.models import Role

from .. import home_cache, selectors
from ..access import is_approved_supporter

register = template.Library()


PANEL_TEMPLATE = "ethics/_home_panel.html"


@register.simple_tag(takes_context=True)
def ethics_home(context):
    user = context["user"]
    if not user.is_authenticated:
        return render_to_string(PANEL_TEMPLATE, {"user": user})
    # Kept rendered per person until a write it shows (home_cache.py): no queries and no
    # rendering on most views. The panel holds no form, so no CSRF token is kept. Inside a home
    # that is itself being kept (peersupport/home/views.py) it is worked out afresh.
    if context.get("ethics_panel_fresh"):
        return render_to_string(PANEL_TEMPLATE, {"user": user, **_panel(user)})
    return home_cache.kept_html(
        user,
        "panel",
        lambda: (render_to_string(PANEL_TEMPLATE, {"user": user, **_panel(user)}), None),
    )


def _panel(user) -> dict:
    """The panel's facts as plain values: what the page shows and nothing more (no model rows,
    so nobody's free text is ever kept in the cache)."""
    if user.role == Role.COORDINATOR:
        return {"counts": selectors.coordinator_counts()}
    data = {
        "outstanding": [str(version) for version in outstanding_agreements(user)],
        "pairings": [
            _shown(
                p, state=p.state, survivor=_shown(p.survivor, display_name=p.survivor.display_name)
            )
            for p in selectors.live_pairings_for(user).select_related("survivor")
        ],
        "concerns": [
            _shown(
                c,
                get_category_display=c.get_category_display(),
                get_status_display=c.get_status_display(),
            )
            for c in selectors.concerns_raised_by(user).unresolved()[:10]
        ],
        "changes": [
            _shown(
                c, get_kind_display=c.get_kind_display(), get_status_display=c.get_status_display()
            )
            for c in selectors.change_requests_by(user).open()[:10]
        ],
    }
    if user.role == Role.SUPPORTER:
        data["flags"] = [
            _shown(
                f,
                get_category_display=f.get_category_display(),
                get_status_display=f.get_status_display(),
            )
            for f in selectors.flags_raised_by(user).not_closed()[:10]
        ]
        if is_approved_supporter(user):
            data["debriefs"] = [
                _shown(
                    d,
                    requested_by_id=d.requested_by_id,
                    requested_by=_shown(d.requested_by, display_name=d.requested_by.display_name),
                    get_status_display=d.get_status_display(),
                )
                for d in selectors.debriefs_for(user)[:10]
            ]
            data["debriefs_on"] = True
    return data


def _shown(row, **values) -> SimpleNamespace:
    return SimpleNamespace(pk=row.pk, **values)
