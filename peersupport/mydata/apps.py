from django.apps import AppConfig


class MyDataConfig(AppConfig):
    """Each person's own information and how long the service keeps it; it has no models.
    Installed for its command (retention_sweep) and its task (beat's daily retention sweep)."""

    name = "peersupport.mydata"
    label = "mydata"
    verbose_name = "Own information and retention"
