"""Forms for agreements, concerns, flags, debriefs and change requests.

Error messages never repeat what was typed (NeutralErrorsMixin); free text has a clear limit.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from peersupport.people.form_base import NeutralErrorsMixin

from .models import (
    TEXT_MAX_LENGTH,
)
from .services import ITEM_MAX_LENGTH, MAX_ITEMS


def _text_field(label, *, required=True, help_text="", rows=6):
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX_LENGTH,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class AcknowledgeForm(NeutralErrorsMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    agree = forms.BooleanField(
        label=_("I have read this and I agree to it."),
        error_messages={"required": _("Tick the box to say you have read it and agree.")},
    )


class DraftForm(NeutralErrorsMixin, forms.Form):
    introduction = _text_field(_("Introduction"), rows=5)
    items = forms.CharField(
        label=_("Items"),
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("One item per line."),
        max_length=MAX_ITEMS * (ITEM_MAX_LENGTH + 2),
    )
    summary = _text_field(
        _("What changed"),
        rows=3,
        help_text=_("People see this when they are asked to acknowledge the new version."),
    )

    def clean_items(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["items"].splitlines()]
        items = [line for line in lines if line]
        if not items:
            raise forms.ValidationError(_("An agreement needs at least one item."))
        if len(items) > MAX_ITEMS:
            raise forms.ValidationError(
                _("Please keep to %(max)s items at most.") % {"max": MAX_ITEMS}
            )
        if any(len(item) > ITEM_MAX_LENGTH for item in items):
            raise forms.ValidationError(
                _("Each item must be under %(max)s characters.") % {"max": ITEM_MAX_LENGTH}
            )
        return items


class ConfirmForm(NeutralErrorsMixin, forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, I am sure."),
        error_messages={"required": _("Tick the box to confirm.")},
    )
