from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = "Matching"

    def ready(self) -> None:
        # Imports inside ready(): an AppConfig module is loaded before the models are.
        # The engine has no Django imports: give it Django's translations for its reasons.
        from django.utils import translation

        from . import engine

        engine.use_translations(translation)

        # Agreements sit below matching: they signal an acknowledgement, matching reacts.
        from ethics.agreements.signals import acknowledged

        from .receivers import activate_ready_pairings

        acknowledged.connect(activate_ready_pairings, dispatch_uid="matching.activate_ready")
