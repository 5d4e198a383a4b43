"""Form pieces that allauth loads early (ACCOUNT_SIGNUP_FORM_CLASS): no allauth imports here."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .models import User, availability_choices

# Django's default messages for a bad choice repeat the submitted value back; ours never do.
NEUTRAL_MESSAGES = {
    "invalid_choice": _("Choose one of the options shown."),
    "invalid_pk_value": _("Choose one of the options shown."),
    "invalid_list": _("Choose from the options shown."),
    "invalid": _("Enter a valid value."),
}


class NeutralErrorsMixin:
    """Replaces error messages that would echo what was typed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            for key, message in NEUTRAL_MESSAGES.items():
                if key in field.error_messages:
                    field.error_messages[key] = message


def show_validation_error(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on `form`: each message on the field it names, and
    above the form when it names none, or a field this form does not have."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def first_error(error: ValidationError) -> str:
    """A refusal in one sentence, for a message above the page."""
    return error.messages[0] if error.messages else str(_("That did not work."))


class AvailabilityField(forms.MultipleChoiceField):
    """21 weekly slots, stored as a bitmask."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", availability_choices)
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("When I am usually free"))
        kwargs.setdefault("help_text", _("Leave empty if any time suits you."))
        super().__init__(**kwargs)


class SignupDetailsForm(NeutralErrorsMixin, forms.Form):
    """What allauth's sign-up asks besides email and password: a name to show, nothing more."""

    display_name = forms.CharField(
        label=_("Name to show"),
        max_length=60,
        help_text=_("A first name or any name you like. It does not have to be your real name."),
    )

    def signup(self, request, user: User) -> None:
        services.survivor_register(user=user, display_name=self.cleaned_data["display_name"])
