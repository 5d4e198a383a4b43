"""Forms for the coordinators' pages. Errors never echo what was typed (NeutralErrorsMixin
first); free text has a clear limit."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ethics.agreements.models import TEXT_MAX_LENGTH
from ethics.agreements.services import ITEM_MAX_LENGTH, MAX_ITEMS
from ethics.care.models import ConcernCategory, ConcernStatus, FlagActionKind
from matching.models import EndReason
from matching.reassign import END_REASONS, REASSIGN_REASONS, TRIGGER_KINDS
from peersupport.people.form_base import NeutralErrorsMixin


class _PairingChangeForm(NeutralErrorsMixin, forms.Form):
    """What ending a pairing always carries: a note for the coordinators, the version of the
    pairing the page saw (a stale form is refused), and what prompted it."""

    note = forms.CharField(
        label=_("Note for the coordinators (never shown to either person)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.CharField(widget=forms.HiddenInput, max_length=64)
    trigger_kind = forms.ChoiceField(
        choices=[("", "")] + [(k, k) for k in TRIGGER_KINDS],
        required=False,
        widget=forms.HiddenInput,
    )
    trigger_id = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReassignForm(_PairingChangeForm):
    """End a pairing and offer its survivor to a supporter from the matcher's suggestions.

    `version` is the pairing as the page saw it: if it changed since, the service refuses.
    The supporter is any id: the service says why one cannot be chosen.
    """

    supporter = forms.IntegerField(label=_("New peer supporter"), widget=forms.RadioSelect)
    reason = forms.ChoiceField(
        label=_("Why the pairing ends"),
        choices=[(code, EndReason(code).label) for code in REASSIGN_REASONS],
    )
    field_order = ["supporter", "reason", "note"]

    def __init__(self, *args, suggestions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supporter"].widget.choices = [
            (s.supporter_id, f"{s.name} ({s.score})") for s in suggestions
        ]


class EndPairingForm(_PairingChangeForm):
    """End a pairing without offering anyone new (for when nobody fits, or it must stop now).

    Putting the person back in the queue is the default; not doing so is an explicit choice,
    never what an unticked box means. Used with the prefix "end" beside the ReassignForm.
    """

    REOPEN, CLOSE = "reopen", "close"

    reason = forms.ChoiceField(
        label=_("Why the pairing ends"),
        choices=[(code, EndReason(code).label) for code in END_REASONS],
    )
    then = forms.ChoiceField(
        label=_("Afterwards"),
        choices=[
            (
                REOPEN,
                _(
                    "Put the person back in the queue with the same wishes, so a new "
                    "supporter can be found (recommended)"
                ),
            ),
            (
                CLOSE,
                _(
                    "Do not put them back in the queue: they will have no request and no "
                    "supporter until they ask again themselves"
                ),
            ),
        ],
        initial=REOPEN,
        widget=forms.RadioSelect,
    )
    field_order = ["reason", "then", "note"]


class SupporterActionForm(NeutralErrorsMixin, forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("approve", _("Approve")),
            ("decline", _("Decline")),
            ("pause", _("Pause")),
            ("resume", _("Resume")),
            ("capacity", _("Change capacity")),
        ]
    )
    reason = forms.CharField(max_length=500, required=False)
    capacity = forms.IntegerField(min_value=1, max_value=10, required=False)

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == "decline" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason when you decline an application."))
        if action == "capacity" and data.get("capacity") is None:
            self.add_error("capacity", _("Choose a number from 1 to 10."))
        return data


# -- what people raise, and the agreements --------------------------------------------------


def _long_text(label, *, required=True, help_text="", rows=6):
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX_LENGTH,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class ConcernUpdateForm(NeutralErrorsMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ConcernStatus.choices)
    category = forms.ChoiceField(
        label=_("What it is about"),
        choices=ConcernCategory.choices,
        required=False,  # left out: unchanged
        help_text=_(
            "Exploitation or harm pauses the pairing at once, takes the supporter's access "
            "away and tells every coordinator."
        ),
    )
    response = _long_text(
        _("A note to the person who raised it"),
        required=False,
        rows=3,
        help_text=_("They will see this. Leave it empty to keep the note already there."),
    )


class FlagActionForm(NeutralErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Action"), choices=FlagActionKind.choices)
    note = _long_text(_("Note"), required=False, rows=3)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == FlagActionKind.NOTE and not cleaned.get("note"):
            self.add_error("note", _("Please write the note."))
        return cleaned


class DraftForm(NeutralErrorsMixin, forms.Form):
    introduction = _long_text(_("Introduction"), rows=5)
    items = forms.CharField(
        label=_("Items"),
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("One item per line."),
        max_length=MAX_ITEMS * (ITEM_MAX_LENGTH + 2),
    )
    summary = _long_text(
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


class ReasonForm(NeutralErrorsMixin, forms.Form):
    """The reason asked on a coordinator's "check before you continue" page (declining an
    application, pausing a supporter); the page posts it to the view that always took it."""

    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, label: str, required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].required = required
