"""The Celery app. Tasks are thin: they take ids and call a service."""

import os
from logging.config import dictConfig

from celery import Celery
from celery.signals import setup_logging
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peersupport.settings")

app = Celery("peersupport")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def use_django_logging(**kwargs):
    """The worker and beat log through settings.LOGGING (exception type and stack, never the
    message), not Celery's own handlers, which print exceptions in full. Connecting this
    signal stops Celery from configuring logging at all; the level is LOG_LEVEL's."""
    dictConfig(settings.LOGGING)
