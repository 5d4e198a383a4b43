"""Forms for asking for a peer supporter and answering offers."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from peersupport.people.form_base import AvailabilityField, NeutralErrorsMixin
from peersupport.people.models import (
    Gender,
    Language,
    LivedExperienceArea,
    MeetingMode,
    SurvivorProfile,
)
from peersupport.people.services import mask_to_slots, slots_to_mask
from peersupport.people.time_zones import TimeZoneField

from .models import RelationshipPreference, SupportRequest
from .services import RequestData

# The request is asked in steps (matching/request_steps.py), one form each; RequestForm is all
# of them at once, for the check-your-answers page and the one call to the service.


class MattersStepForm(NeutralErrorsMixin, forms.Form):
    areas_must = forms.ModelMultipleChoiceField(
        label=_("Experiences my supporter must share"),
        queryset=LivedExperienceArea.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Only tick what really matters: each one narrows who can be offered."),
    )
    areas_nice = forms.ModelMultipleChoiceField(
        label=_("Experiences it would be good to share"),
        queryset=LivedExperienceArea.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["areas_must"].queryset = LivedExperienceArea.objects.active()
        self.fields["areas_nice"].queryset = LivedExperienceArea.objects.active()


class SupporterStepForm(NeutralErrorsMixin, forms.Form):
    gender_pref = forms.ModelChoiceField(
        label=_("I would prefer a supporter who is"),
        queryset=Gender.objects.none(),
        required=False,
        empty_label=_("No preference"),
    )
    gender_must = forms.BooleanField(label=_("This is a must"), required=False)
    relationship_pref = forms.ChoiceField(
        label=_("I would prefer"),
        choices=RelationshipPreference.choices,
        required=False,
    )
    relationship_must = forms.BooleanField(label=_("This is a must"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["gender_pref"].queryset = Gender.objects.active()

    def clean(self):
        data = super().clean()
        if data.get("gender_must") and not data.get("gender_pref"):
            self.add_error("gender_pref", _("Choose a gender, or untick “must”."))
        if data.get("relationship_must") and not data.get("relationship_pref"):
            self.add_error("relationship_pref", _("Choose a preference, or untick “must”."))
        return data


class MeetingStepForm(NeutralErrorsMixin, forms.Form):
    languages = forms.ModelMultipleChoiceField(
        label=_("Languages I can talk in"),
        queryset=Language.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one language.")},
    )
    meeting_modes = forms.ModelMultipleChoiceField(
        label=_("Ways I would like to meet"),
        queryset=MeetingMode.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one way to meet.")},
    )
    time_zone = TimeZoneField()
    availability = AvailabilityField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["languages"].queryset = Language.objects.active()
        self.fields["meeting_modes"].queryset = MeetingMode.objects.active()


class NoteStepForm(NeutralErrorsMixin, forms.Form):
    note_for_supporter = forms.CharField(
        label=_("Anything you would like your supporter to know (optional)"),
        help_text=_("Only the supporter who accepts will see this, after they accept."),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=2000,
        required=False,
    )


class RequestForm(MattersStepForm, SupporterStepForm, MeetingStepForm, NoteStepForm):
    """Every step's fields, validated together before the request is sent."""

    def request_data(self) -> RequestData:
        d = self.cleaned_data
        return RequestData(
            areas_must=list(d["areas_must"]),
            areas_nice=list(d["areas_nice"]),
            languages=list(d["languages"]),
            meeting_modes=list(d["meeting_modes"]),
            time_zone=d["time_zone"],
            availability=slots_to_mask(d["availability"]),
            gender_pref=d["gender_pref"],
            gender_must=d["gender_must"],
            relationship_pref=d["relationship_pref"] or "",
            relationship_must=d["relationship_must"],
            note_for_supporter=d["note_for_supporter"].strip(),
        )

    @classmethod
    def initial_from_profile(cls, user) -> dict:
        profile = SurvivorProfile.objects.filter(user=user).first()
        initial = {"time_zone": user.time_zone}
        if profile is not None:
            initial.update(
                areas_nice=list(profile.areas.all()),
                languages=list(profile.languages.all()),
                meeting_modes=list(profile.meeting_modes.all()),
                availability=mask_to_slots(profile.availability),
                gender_pref=profile.preferred_gender,
                relationship_pref=(
                    RelationshipPreference.SURVIVOR if profile.prefers_survivor_supporter else ""
                ),
            )
        return initial

    @classmethod
    def initial_from_request(cls, request: SupportRequest) -> dict:
        return {
            "areas_must": list(request.areas_must.all()),
            "areas_nice": list(request.areas_nice.all()),
            "languages": list(request.languages.all()),
            "meeting_modes": list(request.meeting_modes.all()),
            "time_zone": request.time_zone,
            "availability": mask_to_slots(request.availability),
            "gender_pref": request.gender_pref,
            "gender_must": request.gender_must,
            "relationship_pref": request.relationship_pref,
            "relationship_must": request.relationship_must,
            "note_for_supporter": request.note_for_supporter,
        }


class DeclineForm(NeutralErrorsMixin, forms.Form):
    note = forms.CharField(
        label=_("Reason (optional, for the coordinators)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PairingActionForm(NeutralErrorsMixin, forms.Form):
    action = forms.ChoiceField(
        choices=[("pause", "pause"), ("resume", "resume"), ("complete", "complete")]
    )
