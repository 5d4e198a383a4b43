"""Settings for the test suite: the production settings with test-safe defaults.

DATABASE_URL and REDIS_URL still come from the environment, so the suite runs on
PostgreSQL and Redis where they are configured (as in CI) and on SQLite otherwise.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")
os.environ.setdefault("SITE_URL", "http://localhost:8000")
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "ewPhbPqSSfwqHJIYp2qGI2mdayWwBdDDWUNAGqAQOZQ=")
os.environ["DEBUG"] = "false"

from .settings import *  # noqa: E402,F403
from .settings import STORAGES  # noqa: E402

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The outbox hands emails to Django's test mailbox. (Django's test set-up sets EMAIL_BACKEND to
# that mailbox too; tests/helpers.py emails_through_the_outbox puts the outbox back in front of it.)
OUTBOX_TRANSPORT = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ACCOUNT_RATE_LIMITS = False
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
QUICK_EXIT_URL = "https://neutral.example/weather"
WHITENOISE_USE_FINDERS = True
# Tests sign people in with force_login; the second step has tests of its own
# (tests/people/test_mfa_required.py turns it on).
MFA_REQUIRED_ROLES: list[str] = []
