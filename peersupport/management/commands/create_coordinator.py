"""Create a coordinator account: `manage.py create_coordinator EMAIL --name NAME`."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from peersupport import services


class Command(BaseCommand):
    help = "Create a coordinator account and print a one-time password for the first sign-in."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", required=True, help="The name shown to colleagues.")

    def handle(self, *args, email, name, **options):
        try:
            user, password = services.coordinator_create(
                email=email, display_name=name, created_by=None
            )
        except ValidationError as error:
            raise CommandError(error.messages[0]) from error
        self.stdout.write(f"Created coordinator {user.email}.")
        self.stdout.write(
            f"One-time password: {password}  (ask them to change it after signing in)"
        )
