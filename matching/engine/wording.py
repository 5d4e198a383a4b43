"""Reasons in words: a gettext shim, the reason codes and :func:`reason_text`.

No Django here: the words go through this module's gettext()/ngettext(), which use the
standard library's NullTranslations (the English below) until use_translations() installs
another provider (matching/apps.py installs Django's). makemessages finds the literal
gettext()/ngettext() calls in reason_text(). Nothing else in the engine is imported here, so
every other module may use it.
"""

from __future__ import annotations

import gettext as _stdlib_gettext

_translations = _stdlib_gettext.NullTranslations()


def use_translations(provider) -> None:
    """Translate reasons with ``provider.gettext(message)`` and
    ``provider.ngettext(singular, plural, n)`` (e.g. the ``django.utils.translation`` module)."""
    global _translations
    _translations = provider


def gettext(message: str) -> str:
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations.ngettext(singular, plural, n)


# Reason codes (stored with a pairing's explanation, so keep them stable).
R_SHARED_NONE = "shared.none"
R_SHARED = "shared.some"
R_NICE_NONE = "nice.none"
R_NICE = "nice.some"
R_AVAILABLE_ANY = "availability.any"
R_SUPPORTER_ANY = "availability.supporter_any"
R_AVAILABLE_SOME = "availability.some"
R_TZ_SAME = "timezone.same"
R_TZ_APART = "timezone.apart"
R_TZ_CAPPED = "timezone.capped"
R_WAITING = "waiting.growing"
R_WAITING_FULL = "waiting.full"


def _hours(minutes: int) -> str:
    h = minutes / 60
    text = f"{h:g}" if h == int(h) else f"{h:.1f}"
    return ngettext("%(hours)s hour", "%(hours)s hours", 1 if h == 1 else 2) % {"hours": text}


def _match(flag: bool, yes: str, no: str) -> str:
    return yes if flag else no


def reason_text(code: str, args: dict) -> str:
    """A reason in words, in the language installed by :func:`use_translations`."""
    a = args
    if code == R_SHARED_NONE:
        return gettext("No particular lived-experience areas asked for, so any supporter fits")
    if code == R_SHARED:
        return ngettext(
            "Shares %(shared)d of the %(wanted)d lived-experience area they asked for",
            "Shares %(shared)d of the %(wanted)d lived-experience areas they asked for",
            a["wanted"],
        ) % {"shared": a["shared"], "wanted": a["wanted"]}
    if code == R_NICE_NONE:
        return gettext("They gave no nice-to-have preferences about the supporter")
    if code == R_NICE:
        details = []
        if a.get("gender") is not None:
            details.append(
                _match(a["gender"], gettext("gender matches"), gettext("gender does not match"))
            )
        if a.get("relationship") is not None:
            details.append(
                _match(
                    a["relationship"],
                    gettext("relationship to lived experience matches"),
                    gettext("relationship to lived experience does not match"),
                )
            )
        return ngettext(
            "Meets %(met)d of the %(stated)d nice-to-have preference they gave (%(details)s)",
            "Meets %(met)d of the %(stated)d nice-to-have preferences they gave (%(details)s)",
            a["stated"],
        ) % {"met": a["met"], "stated": a["stated"], "details": "; ".join(details)}
    if code == R_AVAILABLE_ANY:
        return gettext("They are available any time")
    if code == R_SUPPORTER_ANY:
        return gettext("The supporter is available any time")
    if code == R_AVAILABLE_SOME:
        return ngettext(
            "The supporter is free in %(common)d of the %(slots)d weekly time slot they gave",
            "The supporter is free in %(common)d of the %(slots)d weekly time slots they gave",
            a["slots"],
        ) % {"common": a["common"], "slots": a["slots"]}
    if code == R_TZ_SAME:
        return gettext("Same time zone")
    if code == R_TZ_APART:
        return gettext("Time zones %(apart)s apart") % {"apart": _hours(a["minutes"])}
    if code == R_TZ_CAPPED:
        return gettext("Time zones %(apart)s apart (%(cap)s or more scores 0)") % {
            "apart": _hours(a["minutes"]),
            "cap": _hours(a["cap_minutes"]),
        }
    if code == R_WAITING_FULL:
        return ngettext(
            "Has waited %(days)d day (full waiting bonus from %(cap)s days)",
            "Has waited %(days)d days (full waiting bonus from %(cap)s days)",
            a["days"],
        ) % {"days": a["days"], "cap": f"{a['cap_days']:g}"}
    if code == R_WAITING:
        return ngettext(
            "Has waited %(days)d day (the bonus grows until %(cap)s days)",
            "Has waited %(days)d days (the bonus grows until %(cap)s days)",
            a["days"],
        ) % {"days": a["days"], "cap": f"{a['cap_days']:g}"}
    return code
