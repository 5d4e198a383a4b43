"""Form pieces that allauth loads early (ACCOUNT_SIGNUP_FORM_CLASS): no allauth imports here."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.template.loader import get_template
from django.utils.safestring import mark_safe
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


WEEKDAYS = [
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
]
PARTS_OF_THE_DAY = [_("Morning"), _("Afternoon"), _("Evening")]


def slot_label(slot: str | int) -> str:
    """One availability slot in full: "Monday evening"."""
    day, part = divmod(int(slot), 3)
    return f"{WEEKDAYS[day]} {str(PARTS_OF_THE_DAY[part]).lower()}"


class WeekGridWidget(forms.widgets.ChoiceWidget):
    """The 21 availability slots as a week: a table of days (rows) and parts of the day
    (columns), one checkbox per cell, each labelled in full ("Monday evening") for screen
    readers. Not a CheckboxSelectMultiple, which crispy-forms would draw as a long list."""

    allow_multiple_selected = True
    input_type = "checkbox"
    template_name = "widgets/week_grid.html"
    use_fieldset = True

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        cells = [cell for _g, options, _i in context["widget"]["optgroups"] for cell in options]
        for cell in cells:
            cell["label"] = slot_label(cell["value"])
        context["widget"]["parts"] = PARTS_OF_THE_DAY
        context["widget"]["rows"] = [
            {"day": WEEKDAYS[day], "cells": cells[day * 3 : day * 3 + 3]} for day in range(7)
        ]
        return context

    def render(self, name, value, attrs=None, renderer=None):
        # The project's templates/ (the default form renderer only searches Django's own).
        context = self.get_context(name, value, attrs)
        return mark_safe(get_template(self.template_name).render(context))  # noqa: S308

    def value_from_datadict(self, data, files, name):
        getter = getattr(data, "getlist", data.get)
        return getter(name)

    def value_omitted_from_data(self, data, files, name):
        return False  # an unticked grid sends nothing: that is "any time", not "omitted"

    def id_for_label(self, id_, index=None):
        # No one box is the field: the legend names the grid, each box has its own label.
        return "" if index is None else f"{id_}_{index}"


class AvailabilityField(forms.MultipleChoiceField):
    """21 weekly slots, stored as a bitmask."""

    widget = WeekGridWidget

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
