"""Forms for sessions, schedules and check-in answers. The rules live in services.py; forms
parse and show the errors the services raise, never echoing what was typed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from peersupport.people.form_base import NeutralErrorsMixin

from .models import (
    MAX_SESSION_MINUTES,
    CheckInInterval,
    SessionMode,
    SessionStatus,
    WantsSession,
    Wellbeing,
)
from .selectors import live_pairings_of_supporter

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class PairingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.survivor.display_name


def _wellbeing_field(label):
    return forms.TypedChoiceField(
        label=label,
        choices=[("", _("Not shared"))] + list(Wellbeing.choices),
        coerce=int,
        empty_value=None,
        required=False,
    )


class SessionOutcomeForm(NeutralErrorsMixin, forms.Form):
    starts_at = forms.DateTimeField(label=_("When (your time)"), widget=DATETIME_WIDGET)
    duration_minutes = forms.IntegerField(
        label=_("Length in minutes"), min_value=1, max_value=MAX_SESSION_MINUTES, initial=60
    )
    mode = forms.ChoiceField(label=_("How"), choices=SessionMode.choices)
    status = forms.ChoiceField(label=_("Status"), choices=SessionStatus.choices)
    wellbeing = _wellbeing_field(_("How they said they were doing, if they chose to share it"))

    def __init__(self, *args, statuses=None, **kwargs):
        """`statuses`: offer only these (what the session may become, when editing one)."""
        super().__init__(*args, **kwargs)
        if statuses is not None:
            self.fields["status"].choices = [
                (value, label) for value, label in SessionStatus.choices if value in statuses
            ]

    def session_data(self) -> dict:
        data = self.cleaned_data
        return {
            "starts_at": data["starts_at"],
            "duration_minutes": data["duration_minutes"],
            "mode": data["mode"],
            "status": data["status"],
            "wellbeing": data["wellbeing"],
        }


class SessionForm(SessionOutcomeForm):
    pairing = PairingChoiceField(label=_("With"), queryset=None, empty_label=None)
    notes = forms.CharField(
        label=_("Private notes"),
        help_text=_("Only you can read these. They are stored encrypted."),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=10000,
    )

    field_order = ["pairing", "starts_at", "duration_minutes", "mode", "status", "wellbeing"]

    def __init__(self, *args, supporter, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pairing"].queryset = live_pairings_of_supporter(supporter)


class NotesForm(NeutralErrorsMixin, forms.Form):
    notes = forms.CharField(
        label=_("Private notes"),
        help_text=_("Only you can read these. They are stored encrypted."),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        max_length=10000,
    )


class ScheduleForm(NeutralErrorsMixin, forms.Form):
    interval_days = forms.TypedChoiceField(
        label=_("How often"), choices=CheckInInterval.choices, coerce=int
    )
    next_due_at = forms.DateTimeField(label=_("Next check-in (your time)"), widget=DATETIME_WIDGET)
    quiet_start = forms.TimeField(
        label=_("Quiet hours start"),
        widget=TIME_WIDGET,
        help_text=_("No reminders between these times, on each person's own clock."),
    )
    quiet_end = forms.TimeField(label=_("Quiet hours end"), widget=TIME_WIDGET)
    active = forms.BooleanField(label=_("Send check-in reminders"), required=False)


class CheckInAnswerForm(NeutralErrorsMixin, forms.Form):
    mood = forms.TypedChoiceField(
        label=_("How are you doing?"),
        choices=Wellbeing.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    wants_session = forms.ChoiceField(
        label=_("Would you like a session?"), choices=WantsSession.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Anything you would like your supporter to know (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )
