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
        self._watch_matcher_inputs()

    def _watch_matcher_inputs(self) -> None:
        """Every write to a row the matcher reads moves the queue cache on (queue_cache.py)."""
        # Imports inside ready(): models and signals are loaded once the registry is.
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from ethics.agreements.models import Acknowledgement, AgreementVersion
        from peersupport.people.models import (
            Gender,
            Language,
            LivedExperienceArea,
            MeetingMode,
            SupporterProfile,
            User,
        )

        # (Inside ready() too: this app's models and receivers need the registry.)
        from .models import Block, Pairing, SupportRequest
        from .receivers import matcher_input_changed

        watched = [
            Acknowledgement,
            AgreementVersion,
            Block,
            Gender,
            Language,
            LivedExperienceArea,
            MeetingMode,
            Pairing,
            SupporterProfile,
            SupportRequest,
            User,
        ]
        for model in watched:
            for signal in (post_save, post_delete):
                signal.connect(
                    matcher_input_changed, sender=model, dispatch_uid=f"queue.{model.__name__}"
                )
        for model in (SupporterProfile, SupportRequest):
            for name in ("areas", "languages", "meeting_modes", "areas_must", "areas_nice"):
                relation = getattr(model, name, None)
                if relation is not None:
                    m2m_changed.connect(
                        matcher_input_changed,
                        sender=relation.through,
                        dispatch_uid=f"queue.{model.__name__}.{name}",
                    )
