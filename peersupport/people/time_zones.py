"""The time-zone picker: the zones the charity's people are likely to be in first, then every
other zone grouped by region, and never UTC unless someone chooses it.

static/js/time-zone.js adds the device's own zone at the top of the list when JavaScript runs.
"""

from __future__ import annotations

import zoneinfo
from functools import cache

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

# The people the charity serves are mostly in the UK and Ireland; then the zones of Europe, the
# Americas and Australasia where most others are. Each label says the place, not the code.
LIKELY_ZONES = [
    ("Europe/London", _("London (UK)")),
    ("Europe/Dublin", _("Dublin (Ireland)")),
    ("Europe/Lisbon", _("Lisbon (Portugal)")),
    ("Europe/Madrid", _("Madrid (Spain)")),
    ("Europe/Paris", _("Paris (France)")),
    ("Europe/Amsterdam", _("Amsterdam (Netherlands)")),
    ("Europe/Berlin", _("Berlin (Germany)")),
    ("Europe/Rome", _("Rome (Italy)")),
    ("Europe/Warsaw", _("Warsaw (Poland)")),
    ("Europe/Athens", _("Athens (Greece)")),
    ("America/New_York", _("New York (US Eastern)")),
    ("America/Chicago", _("Chicago (US Central)")),
    ("America/Denver", _("Denver (US Mountain)")),
    ("America/Los_Angeles", _("Los Angeles (US Pacific)")),
    ("America/Toronto", _("Toronto (Canada Eastern)")),
    ("Australia/Sydney", _("Sydney (Australia)")),
    ("Australia/Perth", _("Perth (Australia)")),
    ("Pacific/Auckland", _("Auckland (New Zealand)")),
]

REGIONS = {
    "Europe": _("Europe"),
    "America": _("The Americas"),
    "Australia": _("Australia"),
    "Pacific": _("Pacific"),
    "Asia": _("Asia"),
    "Africa": _("Africa"),
    "Atlantic": _("Atlantic"),
    "Indian": _("Indian Ocean"),
    "Antarctica": _("Antarctica"),
    "Arctic": _("Arctic"),
}


def default_time_zone() -> str:
    """The service's usual zone (DEFAULT_USER_TIME_ZONE), for anyone who has not chosen."""
    return settings.DEFAULT_USER_TIME_ZONE


def _place(name: str) -> str:
    # "America/Argentina/Buenos_Aires" -> "Argentina, Buenos Aires"
    return name.split("/", 1)[1].replace("_", " ").replace("/", ", ")


@cache
def _by_region() -> tuple[tuple[str, tuple[str, ...]], ...]:
    names = zoneinfo.available_timezones()
    return tuple(
        (region, tuple(sorted(n for n in names if n.split("/", 1)[0] == region and "/" in n)))
        for region in REGIONS
    )


def time_zone_choices() -> list:
    """Grouped choices (<optgroup>s): the likely zones, each region's, then UTC. Legacy names
    (GB, US/Eastern, Etc/GMT+5) are left out; a person who has one keeps it (TimeZoneSelect)."""
    groups: list = [(_("Common time zones"), list(LIKELY_ZONES))]
    for region, names in _by_region():
        groups.append((REGIONS[region], [(name, _place(name)) for name in names]))
    groups.append((_("Other"), [("UTC", _("UTC (Coordinated Universal Time)"))]))
    return groups


def time_zone_label(name: str) -> str:
    """How the picker names a zone: "Dublin (Ireland)", "Argentina, Buenos Aires"."""
    likely = dict(LIKELY_ZONES)
    if name in likely:
        return str(likely[name])
    return _place(name) if "/" in name else name


class TimeZoneSelect(forms.Select):
    """A <select> with optgroups that static/js/time-zone.js finds by data-time-zone."""

    def __init__(self, attrs=None, choices=()):
        attrs = {"data-time-zone": "", **(attrs or {})}
        attrs.setdefault("data-device-label", _("On this device: %s"))
        super().__init__(attrs, choices)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if context["widget"]["value"] in ([], [""], ["UTC"]):
            # Nobody chose this (UTC was the old silent default): the device's zone may.
            context["widget"]["attrs"]["data-time-zone-guess"] = ""
        return context

    def optgroups(self, name, value, attrs=None):
        groups = super().optgroups(name, value, attrs)
        shown = {str(option[0]) for option in _flat(self.choices)}
        kept = [v for v in value if v not in shown and v in zoneinfo.available_timezones()]
        if kept:  # a legacy name someone already has: shown, so saving does not change it
            index = len(groups)
            option = self.create_option(name, kept[0], kept[0], True, index, attrs=attrs)
            groups.append((str(_("Your current setting")), [option], index))
        return groups


def _flat(choices):
    for value, label in choices:
        if isinstance(label, list | tuple):
            yield from label
        else:
            yield value, label


class TimeZoneField(forms.ChoiceField):
    widget = TimeZoneSelect

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", time_zone_choices)
        kwargs.setdefault("label", _("My time zone"))
        kwargs.setdefault("initial", default_time_zone)
        kwargs.setdefault(
            "help_text", _("Times are shown on this clock. The common ones are at the top.")
        )
        super().__init__(**kwargs)

    def valid_value(self, value) -> bool:
        # Any real zone: a legacy name already saved stays valid.
        return value in zoneinfo.available_timezones()
