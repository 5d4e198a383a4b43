"""Emails go through the outbox here as in production. (Django's test set-up replaces
EMAIL_BACKEND with its test mailbox; the outbox then hands messages to OUTBOX_TRANSPORT, the
same test mailbox, so `mail.outbox` holds what was delivered.)"""

import pytest

from peersupport.people.mail import OUTBOX_BACKEND


@pytest.fixture(autouse=True)
def _emails_through_the_outbox(settings):
    settings.EMAIL_BACKEND = OUTBOX_BACKEND
