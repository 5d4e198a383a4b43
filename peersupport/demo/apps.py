from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for `make run` (the seed_demo command); it has no models."""

    name = "peersupport.demo"
    label = "demo"
    verbose_name = "Demo data"
