"""Forms for raising concerns and flags, debriefs, change requests and blocking.

The coordinators' forms for handling them are in peersupport.coordination.forms.

Error messages never repeat what was typed (NeutralErrorsMixin); free text has a clear limit.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ethics.agreements.models import TEXT_MAX_LENGTH
from peersupport.people.form_base import NeutralErrorsMixin

from .models import ConcernCategory, FlagCategory


def _text_field(label, *, required=True, help_text="", rows=6):
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX_LENGTH,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class ConfirmForm(NeutralErrorsMixin, forms.Form):
    """A box to tick before anything that cannot be undone (blocking, publishing)."""

    confirm = forms.BooleanField(
        label=_("Yes, I am sure."),
        error_messages={"required": _("Tick the box to confirm.")},
    )


class ConcernForm(NeutralErrorsMixin, forms.Form):
    """Either side of a pairing raises a concern; the words speak to the side raising it."""

    category = forms.ChoiceField(
        label=_("What is it about?"),
        # Not UNSAFE: that is the urgent route's own page (ethics/care/views_urgent.py).
        choices=[c for c in ConcernCategory.choices if c[0] != ConcernCategory.UNSAFE],
        widget=forms.RadioSelect,
    )
    text = _text_field(
        _("What happened"),
        help_text=_("Only the coordinators read this. Your peer supporter will not see it."),
    )

    def __init__(self, *args, by_supporter: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if by_supporter:
            self.fields["text"].help_text = _(
                "Only the coordinators read this. The person you support will not see it."
            )


class UrgentForm(NeutralErrorsMixin, forms.Form):
    """The survivor's urgent route: a few words if they want, nothing required."""

    text = _text_field(
        _("Anything you want the coordinators to know (optional)"),
        required=False,
        rows=3,
        help_text=_("Only the coordinators read this. You can leave it empty."),
    )


class FlagForm(NeutralErrorsMixin, forms.Form):
    category = forms.ChoiceField(
        label=_("Which limit of confidentiality does this meet?"),
        choices=FlagCategory.choices,
        widget=forms.RadioSelect,
    )
    text = _text_field(
        _("What the coordinators need to know"),
        help_text=_("Every coordinator is alerted at once. Only coordinators read this."),
    )


class DebriefForm(NeutralErrorsMixin, forms.Form):
    text = _text_field(
        _("What would you like to talk through?"),
        help_text=_(
            "Please do not name the person you support or anything that would identify them."
        ),
    )


class MessageForm(NeutralErrorsMixin, forms.Form):
    text = _text_field(_("Message"), rows=3)


class ChangeForm(NeutralErrorsMixin, forms.Form):
    reason = _text_field(_("Anything you would like the coordinators to know"), rows=4)

    def __init__(self, *args, reason_required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["reason"]
        field.required = reason_required
        if reason_required:
            field.label = _("Why you would like to hand over")
            field.help_text = _("Only the coordinators read this.")
        else:
            field.help_text = _(
                "You do not have to give a reason. Only the coordinators read this."
            )
