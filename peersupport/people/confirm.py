"""The page to check before anything that ends, pauses, blocks, discards, withdraws or deletes
(the GOV.UK pattern, not a JavaScript dialog): what will happen, one button that does it and a
way back. Showing it changes nothing; its button posts to the view that always did the work, so
the POST, its refusals and its 404s stay where they were."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.forms import BaseForm
from django.http import HttpResponse
from django.shortcuts import render


def confirm_page(
    request,
    *,
    heading: str,
    happens: Sequence[str],
    action: str,
    confirm: str,
    back: str,
    fields: Mapping[str, object] | None = None,
    form: BaseForm | None = None,
    danger: bool = True,
    extra: str | None = None,
    extra_context: Mapping[str, object] | None = None,
    base: str = "base.html",
    status: int = 200,
) -> HttpResponse:
    """`happens`: one sentence a line, for the person reading (what it means for them and for
    the other person); `action`: where the button posts, with the hidden `fields`; `form`: any
    fields the person fills in first (a reason, a password); `extra`: a template with a
    paragraph of the page's own (a link), shown after the list, with `extra_context`; `base`:
    "team/base.html" on a coordinator's page."""
    return render(
        request,
        "confirm.html",
        {
            "confirmation": {
                "heading": heading,
                "happens": happens,
                "action": action,
                "confirm": confirm,
                "back": back,
                "fields": dict(fields or {}),
                "danger": danger,
            },
            "form": form,
            "extra_template": extra,
            "base_template": base,
            **(extra_context or {}),
        },
        status=status,
    )
