"""The request for a peer supporter asked in short steps (GOV.UK "one thing per page"), then a
check-your-answers page that sends it through services.request_open or request_update.

The answers so far wait in the server session, which is a database row: they say what a person
has lived through and what they wrote, so the session holds them only encrypted
(platform.crypto), as one token. Sending the request clears them; signing out and the quick
exit flush the whole session.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from peersupport.platform import crypto

from .forms import MattersStepForm, MeetingStepForm, NoteStepForm, SupporterStepForm

SESSION_KEY = "request_draft"
NEW = "new"


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    intro: str
    form_class: type[forms.Form]


STEPS = [
    Step(
        "matters",
        _("What matters to you"),
        _("Tick only what you want your supporter to have in common with you. All optional."),
        MattersStepForm,
    ),
    Step(
        "supporter",
        _("Your supporter"),
        _("Some people feel safer with a certain kind of supporter. All optional."),
        SupporterStepForm,
    ),
    Step(
        "meeting",
        _("How and when to meet"),
        _("So we offer you someone who can talk with you in a way and at times that suit you."),
        MeetingStepForm,
    ),
    Step(
        "anything-else",
        _("Anything else"),
        _("Anything you would like your supporter to know before you first meet."),
        NoteStepForm,
    ),
]
BY_SLUG = {step.slug: step for step in STEPS}


def step_number(slug: str) -> int:
    return [step.slug for step in STEPS].index(slug) + 1


def previous_step(slug: str) -> Step | None:
    index = step_number(slug) - 1
    return STEPS[index - 1] if index > 0 else None


def next_step(slug: str) -> Step | None:
    index = step_number(slug)
    return STEPS[index] if index < len(STEPS) else None


def as_form_data(values: dict) -> dict:
    """Initial or cleaned values as the data a form is bound with: ids for model choices."""
    return {name: _as_data(value) for name, value in values.items()}


def _as_data(value):
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, list | tuple | models.QuerySet):
        return [_as_data(item) for item in value]
    if value is None:
        return ""
    return value


@dataclass
class Draft:
    """One person's answers so far, for a new request (target "new") or for changing one
    (target: the request's id). `seen`: the steps they have been through."""

    target: str
    data: dict = field(default_factory=dict)
    seen: list[str] = field(default_factory=list)

    def first_unseen(self) -> Step | None:
        return next((step for step in STEPS if step.slug not in self.seen), None)

    def step_form(self, step: Step) -> forms.Form:
        return step.form_class(data=self.data)

    def record(self, step: Step, form: forms.Form) -> None:
        self.data.update(as_form_data(form.cleaned_data))
        if step.slug not in self.seen:
            self.seen.append(step.slug)


def draft_load(session, target: str) -> Draft | None:
    """The draft for `target`, or None (none yet, another one, or unreadable)."""
    token = session.get(SESSION_KEY)
    if not token:
        return None
    try:
        stored = json.loads(crypto.decrypt(token))
    except ValueError:  # the key was rotated away: start again
        return None
    if stored.get("target") != target:
        return None
    return Draft(target=target, data=stored["data"], seen=stored["seen"])


def draft_save(session, draft: Draft) -> None:
    plain = json.dumps({"target": draft.target, "data": draft.data, "seen": draft.seen})
    session[SESSION_KEY] = crypto.encrypt(plain)


def draft_clear(session) -> None:
    session.pop(SESSION_KEY, None)
