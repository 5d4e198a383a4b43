from django.apps import AppConfig


class EthicsConfig(AppConfig):
    name = "ethics"
    verbose_name = "Agreements and ethics"
