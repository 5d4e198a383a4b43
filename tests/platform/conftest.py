"""Emails go through the outbox here as in production (see tests/helpers.py)."""

from tests.helpers import emails_through_the_outbox  # noqa: F401 - an autouse fixture
