from django.apps import AppConfig


class CareConfig(AppConfig):
    """Care records about a pairing: concerns, safety flags, debriefs, change requests, blocks."""

    name = "ethics.care"
    label = "care"
    verbose_name = "Care records"

    def ready(self) -> None:
        """Keep each person's home panel current (home_cache.py) on the writes it shows."""
        # Imports inside ready(): models and signals need the app registry loaded.
        from django.db.models.signals import post_delete, post_save

        from ethics.agreements.models import Acknowledgement, AgreementVersion
        from matching.models import Block, Pairing, SupportRequest
        from peersupport.people.models import SupporterProfile, User
        from sessions.models import CheckIn, CheckInSchedule, SupportSession

        # (Inside ready() too: this app's models and receivers need the registry.)
        from . import receivers
        from .models import ChangeRequest, Concern, DebriefRequest, DebriefVolunteer, SafetyFlag

        watched = {
            receivers.person_changed: [Acknowledgement, SupporterProfile, DebriefVolunteer],
            receivers.pairing_changed: [Pairing],
            receivers.block_changed: [Block],
            receivers.request_changed: [SupportRequest],
            receivers.pairing_row_changed: [CheckIn, CheckInSchedule, SupportSession],
            receivers.everyone_changed: [
                AgreementVersion,
                ChangeRequest,
                Concern,
                DebriefRequest,
                SafetyFlag,
                User,
            ],
        }
        for receiver, models in watched.items():
            for model in models:
                for signal in (post_save, post_delete):
                    signal.connect(
                        receiver, sender=model, dispatch_uid=f"care.home.{model.__name__}"
                    )
