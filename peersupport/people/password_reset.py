"""The password-reset form (ACCOUNT_FORMS["reset_password"]): a reset costs the same work and
time whether or not the address has an account, so nobody learns from it who is a member."""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from allauth.account.forms import ResetPasswordForm

from .outbox import outbox_reset_add


class PasswordResetRequestForm(ResetPasswordForm):
    """allauth's form, minus everything that depends on whether the address has an account:
    the request looks nobody up and writes one outbox row either way; the outbox's delivery
    finds the account, if any, and writes allauth's reset email then (outbox._compose_reset).
    (Reset by code, PASSWORD_RESET_BY_CODE_ENABLED, is not used.)"""

    def clean_email(self) -> str:
        self.users = []  # looked up by the delivery, not here
        return get_adapter().clean_email(self.cleaned_data["email"].lower())

    def save(self, request, **kwargs) -> str:
        email = self.cleaned_data["email"]
        outbox_reset_add(address=email)
        return email
