"""Demo accounts for trying the service locally. Idempotent: running it twice changes nothing."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ethics.agreements.selectors import outstanding_agreements
from ethics.agreements.services import agreement_acknowledge
from peersupport.demo.conversation import seed_conversation
from peersupport.people.models import (
    Gender,
    Language,
    LivedExperienceArea,
    MeetingMode,
    Relationship,
    Role,
    SupporterProfile,
    SupporterStatus,
    SurvivorProfile,
    User,
)

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - printed to the person running the demo

DEMO_ACCOUNTS = [
    ("survivor@example.org", "Sam", Role.SURVIVOR),
    ("supporter1@example.org", "Alex", Role.SUPPORTER),
    ("supporter2@example.org", "Jordan", Role.SUPPORTER),
    ("coordinator@example.org", "Casey", Role.COORDINATOR),
]

SUPPORTERS = {
    "supporter1@example.org": {
        "relationship": Relationship.SURVIVOR,
        "areas": ["adult-assault", "partner", "reporting"],
        "languages": ["en", "es"],
        "modes": ["chat", "video"],
        "gender": "woman",
        "capacity": 3,
        "availability": 0b111_111_111_111_111_000_000,
    },
    "supporter2@example.org": {
        "relationship": Relationship.PARTNER,
        "areas": ["childhood", "supporting", "family"],
        "languages": ["en"],
        "modes": ["phone", "chat", "in-person"],
        "gender": "man",
        "capacity": 2,
        "availability": 0b100_100_100_100_100_100_100,
    },
}


class Command(BaseCommand):
    help = "Create demo accounts (a survivor, two supporters, a coordinator) and print them."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Allow this with DEBUG off. Never on a service real people use.",
        )
        parser.add_argument(
            "--conversation",
            action="store_true",
            help="Also a fifth account, Riley, paired with Jordan and already talking.",
        )

    @transaction.atomic
    def handle(self, *args, force=False, conversation=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo creates accounts with a known password: DEBUG only.")
        for email, name, role in DEMO_ACCOUNTS:
            user, created = User.objects.get_or_create(
                email=email, defaults={"display_name": name, "role": role}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            EmailAddress.objects.update_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            if role == Role.SURVIVOR:
                self._survivor(user)
            elif role == Role.SUPPORTER:
                self._supporter(user, SUPPORTERS[email])
            if role in (Role.SURVIVOR, Role.SUPPORTER):
                self._acknowledge(user)
        accounts = list(DEMO_ACCOUNTS)
        if conversation:
            riley = seed_conversation(password=DEMO_PASSWORD)
            self._acknowledge(riley)
            accounts.append((riley.email, riley.display_name, riley.role))
        self.stdout.write(self.style.SUCCESS(f"Demo accounts (password for all: {DEMO_PASSWORD}):"))
        for email, name, role in accounts:
            self.stdout.write(f"  {role:<12} {name:<8} {email}")

    def _acknowledge(self, user):
        # The demo flows start with the current agreements acknowledged (idempotent).
        for version in outstanding_agreements(user):
            agreement_acknowledge(user=user, version_id=version.pk)

    def _survivor(self, user):
        profile, created = SurvivorProfile.objects.get_or_create(user=user)
        if created:
            profile.languages.set(Language.objects.filter(slug="en"))
            profile.meeting_modes.set(MeetingMode.objects.filter(slug__in=["chat", "video"]))
            profile.areas.set(LivedExperienceArea.objects.filter(slug__in=["adult-assault"]))

    def _supporter(self, user, spec):
        profile, created = SupporterProfile.objects.get_or_create(
            user=user,
            defaults={
                "relationship": spec["relationship"],
                "status": SupporterStatus.APPROVED,
                "capacity": spec["capacity"],
                "availability": spec["availability"],
                "gender": Gender.objects.filter(slug=spec["gender"]).first(),
                "motivation": "Demo supporter.",
            },
        )
        if created:
            profile.areas.set(LivedExperienceArea.objects.filter(slug__in=spec["areas"]))
            profile.languages.set(Language.objects.filter(slug__in=spec["languages"]))
            profile.meeting_modes.set(MeetingMode.objects.filter(slug__in=spec["modes"]))
