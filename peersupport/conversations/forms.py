"""The plain forms (the page works without JavaScript): a message, and reporting one."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ethics.care.models import ConcernCategory
from peersupport.people.form_base import NeutralErrorsMixin

from .services import message_text_clean


class MessageForm(NeutralErrorsMixin, forms.Form):
    text = forms.CharField(
        label=_("Your message"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].widget.attrs["maxlength"] = settings.CONVERSATION_MAX_CHARS

    def clean_text(self) -> str:
        try:
            return message_text_clean(self.cleaned_data["text"])
        except ValidationError as error:
            raise ValidationError(error.messages[0]) from error


class ReportForm(NeutralErrorsMixin, forms.Form):
    category = forms.ChoiceField(
        label=_("What is it about?"),
        choices=ConcernCategory.choices,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("Anything you want to add (optional)"),
        required=False,
        max_length=2000,
        help_text=_(
            "Only the coordinators read this and the message. The other person is not told."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
