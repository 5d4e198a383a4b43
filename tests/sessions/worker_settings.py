"""Settings for a real Celery worker started by the tests: the test settings, but tasks go
through the broker and emails are recorded to files the test reads."""

import os

from peersupport.settings_test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
EMAIL_BACKEND = "tests.sessions.mailbox.RecordingBackend"
TEST_MAILBOX_DIR = os.environ["TEST_MAILBOX_DIR"]
_stall = os.environ.get("TEST_MAIL_STALL_AFTER_BATCHES", "")
TEST_MAIL_STALL_AFTER_BATCHES = int(_stall) if _stall else None
