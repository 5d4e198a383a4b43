"""Encryption at rest for what people write (session notes, notes to a supporter).

Fernet (AES-128-CBC with HMAC-SHA256) from `cryptography`, keyed from FIELD_ENCRYPTION_KEYS:
a comma-separated list of Fernet keys, newest first, so keys can be rotated (MultiFernet
decrypts with any, encrypts with the first). The database only ever holds the token.
"""

from __future__ import annotations

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@cache
def _fernet() -> MultiFernet:
    keys = [k.strip() for k in settings.FIELD_ENCRYPTION_KEYS if k.strip()]
    if not keys:
        raise ImproperlyConfigured("Set the FIELD_ENCRYPTION_KEYS environment variable.")
    return MultiFernet([Fernet(key.encode()) for key in keys])


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as error:
        # Never include the token or any text in the message.
        message = "A stored note could not be decrypted with the configured keys."
        raise ValueError(message) from error


class EncryptedTextField(models.TextField):
    """A TextField whose column holds a Fernet token; Python code sees the plain text.

    It cannot be searched or filtered on, by design.
    """

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt(value)

    def to_python(self, value):
        return value
