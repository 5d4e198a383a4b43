"""Forms for people: sign-up details, the supporter application, profiles, vocabularies."""

from __future__ import annotations

from allauth.account.forms import SignupForm
from django import forms
from django.contrib.auth.hashers import make_password
from django.utils.translation import gettext_lazy as _

from . import services
from .form_base import AvailabilityField, NeutralErrorsMixin
from .models import (
    CrisisResource,
    Gender,
    Language,
    LivedExperienceArea,
    MeetingMode,
    Relationship,
    SupporterProfile,
    SurvivorProfile,
    User,
)
from .time_zones import TimeZoneField


def _active(model):
    return model.objects.active()


class EqualWorkSignupMixin:
    """A taken email address costs the same work as a new one.

    With enumeration prevention on, allauth answers a taken address exactly as a new one, but
    skips creating the account, and with it hashing the password: the answer would come back
    many times faster, telling a watcher that the address has an account. So the taken path
    hashes the password too (the result is thrown away).
    """

    def try_save(self, request):
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1") or "")
        return super().try_save(request)


class SurvivorSignupForm(EqualWorkSignupMixin, SignupForm):
    """allauth's sign-up (email, password and SignupDetailsForm's name) for survivors."""


class SupporterApplicationForm(EqualWorkSignupMixin, SignupForm):
    """Sign-up for peer supporters: an account plus the application a coordinator reviews."""

    relationship = forms.ChoiceField(label=_("My lived experience"), choices=Relationship.choices)
    areas = forms.ModelMultipleChoiceField(
        label=_("Lived experience I can share"),
        queryset=LivedExperienceArea.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.ModelMultipleChoiceField(
        label=_("Languages I can support people in"),
        queryset=Language.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    meeting_modes = forms.ModelMultipleChoiceField(
        label=_("Ways I can meet"),
        queryset=MeetingMode.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    gender = forms.ModelChoiceField(
        label=_("Gender (optional)"), queryset=Gender.objects.none(), required=False
    )
    availability = AvailabilityField()
    capacity = forms.IntegerField(
        label=_("How many people I can support at once"), min_value=1, max_value=10, initial=2
    )
    motivation = forms.CharField(
        label=_("Why I want to be a peer supporter"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["areas"].queryset = _active(LivedExperienceArea)
        self.fields["languages"].queryset = _active(Language)
        self.fields["meeting_modes"].queryset = _active(MeetingMode)
        self.fields["gender"].queryset = _active(Gender)

    def signup(self, request, user: User) -> None:
        data = self.cleaned_data
        services.supporter_apply(
            user=user,
            display_name=data["display_name"],
            relationship=data["relationship"],
            areas=data["areas"],
            languages=data["languages"],
            meeting_modes=data["meeting_modes"],
            gender=data["gender"],
            availability=services.slots_to_mask(data["availability"]),
            capacity=data["capacity"],
            motivation=data["motivation"],
        )


class AccountSettingsForm(NeutralErrorsMixin, forms.ModelForm):
    time_zone = TimeZoneField()

    class Meta:
        model = User
        fields = ["display_name", "time_zone", "email_notifications"]


class SurvivorProfileForm(NeutralErrorsMixin, forms.ModelForm):
    availability = AvailabilityField()

    class Meta:
        model = SurvivorProfile
        fields = [
            "relationship",
            "languages",
            "meeting_modes",
            "areas",
            "preferred_gender",
            "prefers_survivor_supporter",
        ]
        widgets = {
            "languages": forms.CheckboxSelectMultiple,
            "meeting_modes": forms.CheckboxSelectMultiple,
            "areas": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["languages"].queryset = _active(Language)
        self.fields["meeting_modes"].queryset = _active(MeetingMode)
        self.fields["areas"].queryset = _active(LivedExperienceArea)
        self.fields["preferred_gender"].queryset = _active(Gender)
        self.initial["availability"] = services.mask_to_slots(self.instance.availability)

    def save(self, commit=True):
        self.instance.availability = services.slots_to_mask(self.cleaned_data["availability"])
        return super().save(commit=commit)


class SupporterProfileForm(NeutralErrorsMixin, forms.ModelForm):
    availability = AvailabilityField()

    class Meta:
        model = SupporterProfile
        fields = ["areas", "languages", "meeting_modes", "gender", "capacity", "accepting_new"]
        widgets = {
            "languages": forms.CheckboxSelectMultiple,
            "meeting_modes": forms.CheckboxSelectMultiple,
            "areas": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["languages"].queryset = _active(Language)
        self.fields["meeting_modes"].queryset = _active(MeetingMode)
        self.fields["areas"].queryset = _active(LivedExperienceArea)
        self.fields["gender"].queryset = _active(Gender)
        self.initial["availability"] = services.mask_to_slots(self.instance.availability)

    def save(self, commit=True):
        self.instance.availability = services.slots_to_mask(self.cleaned_data["availability"])
        return super().save(commit=commit)


class DecisionForm(NeutralErrorsMixin, forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("decline", _("Decline"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason (required to decline; the applicant will read it)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "decline" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason when you decline an application."))
        return data


class CoordinatorCreateForm(NeutralErrorsMixin, forms.Form):
    email = forms.EmailField(label=_("Email"))
    display_name = forms.CharField(label=_("Name to show"), max_length=60)


class PauseForm(NeutralErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=_("Anything the coordinators should know (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


VOCABULARIES = {
    "areas": LivedExperienceArea,
    "languages": Language,
    "modes": MeetingMode,
    "genders": Gender,
    "crisis": CrisisResource,
}


def vocabulary_form_class(model):
    fields = [f.name for f in model._meta.fields if f.name not in ("id", "slug")]
    return forms.modelform_factory(
        model,
        form=type("VocabularyForm", (NeutralErrorsMixin, forms.ModelForm), {}),
        fields=fields,
    )
