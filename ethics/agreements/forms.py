"""The form for acknowledging an agreement. (Drafting and publishing are coordinators'
forms, in peersupport.coordination.forms.)

Error messages never repeat what was typed (NeutralErrorsMixin).
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from peersupport.people.form_base import NeutralErrorsMixin


class AcknowledgeForm(NeutralErrorsMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    agree = forms.BooleanField(
        label=_("I have read this and I agree to it."),
        error_messages={"required": _("Tick the box to say you have read it and agree.")},
    )
