from django.apps import AppConfig


class CareConfig(AppConfig):
    """Care records about a pairing: concerns, safety flags, debriefs, change requests, blocks."""

    name = "ethics.care"
    label = "care"
    verbose_name = "Care records"
