"""Run the batch matcher once: `manage.py run_matching [--offer]`."""

import json

from django.core.management.base import BaseCommand

from matching.runner import matching_run


class Command(BaseCommand):
    help = "Match every open request against every supporter with places, and store proposals."

    def add_arguments(self, parser):
        parser.add_argument(
            "--offer",
            action="store_true",
            default=None,
            help="Offer the proposals at once (default: the MATCHING_AUTO_OFFER setting).",
        )

    def handle(self, *args, offer=None, **options):
        result = matching_run(actor=None, offer=offer)
        self.stdout.write(json.dumps(result.as_dict()))
