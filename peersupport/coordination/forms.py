"""Forms for the workspace. Errors never echo what was typed (NeutralErrorsMixin first)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

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
            (s.supporter_id, f"{s.name} ({s.score:g})") for s in suggestions
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
