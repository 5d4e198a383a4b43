"""Forms for sessions, schedules and check-in answers. The rules live in services.py; forms
parse and show the errors the services raise, never echoing what was typed."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from peersupport.people.form_base import NeutralErrorsMixin
from peersupport.platform import dates as shown_dates

from . import dates
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

# The code of a date in years nobody may enter; the form then names the dates it accepts.
OUT_OF_RANGE = "out_of_range"


class LocalDateTimeField(forms.DateTimeField):
    """A date and time on the person's own clock (the active time zone).

    The year is checked on that clock before anything converts it: 0001-01-01 in Tokyo is
    year 0 in UTC, which Python cannot hold and the database stores as a date BC. A time the
    clocks skip or repeat is refused in plain words, which never repeat what was typed."""

    default_error_messages = {
        "unreadable": _("Enter a date and a time."),
        OUT_OF_RANGE: _("Choose a date nearer to today."),
        "skipped": _(
            "The clocks go forward at that time, so it does not exist on your clock. "
            "Choose another time."
        ),
        "repeated": _(
            "The clocks go back at that time, so it happens twice on your clock. "
            "Choose a time outside that hour."
        ),
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        moment = value if isinstance(value, datetime) else self._parse(str(value))
        if not shown_dates.EARLIEST_YEAR <= moment.year <= shown_dates.LATEST_YEAR:
            raise ValidationError(self.error_messages[OUT_OF_RANGE], code=OUT_OF_RANGE)
        if timezone.is_naive(moment):
            moment = self._on_the_clock(moment, timezone.get_current_timezone())
        if not shown_dates.sane(moment):
            raise ValidationError(self.error_messages[OUT_OF_RANGE], code=OUT_OF_RANGE)
        return moment

    def _parse(self, text: str) -> datetime:
        try:
            moment = parse_datetime(text.strip())
        except ValueError:  # the right shape, but not in the calendar (February 30)
            moment = None
        if moment is not None:
            return moment
        for input_format in self.input_formats:  # Django's own (a space for the "T", ...)
            try:
                return self.strptime(text.strip(), input_format)
            except (ValueError, TypeError):
                continue
        raise ValidationError(self.error_messages["unreadable"], code="invalid")

    def _on_the_clock(self, naive: datetime, zone: tzinfo) -> datetime:
        aware = naive.replace(tzinfo=zone)
        try:
            round_trip = aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
            repeated = zone.utcoffset(naive.replace(fold=1)) != zone.utcoffset(naive)
        except (OverflowError, ValueError) as error:
            raise ValidationError(self.error_messages[OUT_OF_RANGE], code=OUT_OF_RANGE) from error
        if round_trip != naive:
            raise ValidationError(self.error_messages["skipped"], code="skipped")
        if repeated:
            raise ValidationError(self.error_messages["repeated"], code="repeated")
        return aware

    def prepare_value(self, value):
        if isinstance(value, datetime) and timezone.is_aware(value):
            # A stored value out of range shows as an empty field, to be chosen again.
            return shown_dates.on_clock(value)
        return value


def _local_datetime_field(label):
    return LocalDateTimeField(label=label, widget=DATETIME_WIDGET)


def _name_the_dates(form: forms.Form, name: str, problem: str | None, *, range_message: str):
    """Put `problem` beside `name`; and when the field refused a year nobody may enter, say
    which dates it takes instead (only the form knows them, from the pairing and status)."""
    if form.has_error(name, OUT_OF_RANGE):
        del form.errors[name]
        form.add_error(name, ValidationError(range_message, code=OUT_OF_RANGE))
    elif problem:
        form.add_error(name, problem)


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
    starts_at = _local_datetime_field(_("When (your time)"))
    duration_minutes = forms.IntegerField(
        label=_("Length in minutes"), min_value=1, max_value=MAX_SESSION_MINUTES, initial=60
    )
    mode = forms.ChoiceField(label=_("How"), choices=SessionMode.choices)
    status = forms.ChoiceField(label=_("Status"), choices=SessionStatus.choices)
    wellbeing = _wellbeing_field(_("How they said they were doing, if they chose to share it"))

    def __init__(self, *args, statuses=None, pairing=None, **kwargs):
        """`statuses`: offer only these (what the session may become, when editing one).
        `pairing`: the session's pair, whose start is the earliest date a session may have."""
        super().__init__(*args, **kwargs)
        self.pairing = pairing
        if statuses is not None:
            self.fields["status"].choices = [
                (value, label) for value, label in SessionStatus.choices if value in statuses
            ]

    def _chosen_pairing(self):
        return self.pairing

    def clean(self):
        data = super().clean()
        pairing, status = self._chosen_pairing(), data.get("status")
        if pairing is None or status is None:
            return data
        rule = {
            "status": status,
            "pairing": pairing,
            "now": timezone.now(),
            "zone": timezone.get_current_timezone(),
        }
        starts_at = data.get("starts_at")
        problem = dates.session_time_problem(starts_at=starts_at, **rule) if starts_at else None
        _name_the_dates(
            self, "starts_at", problem, range_message=dates.session_range_message(**rule)
        )
        return data

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

    def _chosen_pairing(self):
        return self.cleaned_data.get("pairing")


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
    next_due_at = _local_datetime_field(_("Next check-in (your time)"))
    quiet_start = forms.TimeField(
        label=_("Quiet hours start"),
        widget=TIME_WIDGET,
        help_text=_("No reminders between these times, on each person's own clock."),
    )
    quiet_end = forms.TimeField(label=_("Quiet hours end"), widget=TIME_WIDGET)
    active = forms.BooleanField(label=_("Send check-in reminders"), required=False)

    def clean(self):
        data = super().clean()
        rule = {"now": timezone.now(), "zone": timezone.get_current_timezone()}
        next_due_at = data.get("next_due_at")
        problem = (
            dates.checkin_time_problem(next_due_at=next_due_at, **rule) if next_due_at else None
        )
        _name_the_dates(
            self, "next_due_at", problem, range_message=dates.checkin_range_message(**rule)
        )
        return data


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
