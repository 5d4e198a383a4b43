from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    """Versioned agreement documents and acknowledgements: the gate matching depends on."""

    name = "ethics.agreements"
    label = "ethics"  # kept: the tables and migrations use it
    verbose_name = "Agreements"
