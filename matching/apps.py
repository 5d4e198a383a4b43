from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = "Matching"

    def ready(self) -> None:
        # The engine has no Django imports: give it Django's translations for its reasons.
        from django.utils import translation

        from . import engine

        engine.use_translations(translation)
