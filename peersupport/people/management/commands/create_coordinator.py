"""Create a coordinator account: `manage.py create_coordinator EMAIL --name NAME`."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from peersupport.people import services


class Command(BaseCommand):
    help = (
        "Create a coordinator account with no password yet; email them (and print) a link to "
        "choose one."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", required=True, help="The name shown to colleagues.")

    def handle(self, *args, email, name, **options):
        try:
            with transaction.atomic():
                user = services.coordinator_create(email=email, display_name=name, created_by=None)
                link = services.coordinator_send_link(user=user)
        except ValidationError as error:
            raise CommandError(error.messages[0]) from error
        self.stdout.write(f"Created coordinator {user.email}.")
        self.stdout.write("They have been emailed a link to choose a password. The same link:")
        self.stdout.write(f"  {link}")
