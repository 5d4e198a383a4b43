"""Apply the retention periods now and print one JSON line with the count per rule (and what
waits for a safety matter). `--dry-run` removes nothing and reports what a run would remove."""

import json

from django.core.management.base import BaseCommand

from peersupport.mydata import retention


class Command(BaseCommand):
    help = "Delete what is past its retention period; print one JSON line of counts."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would go; remove nothing."
        )

    def handle(self, *args, dry_run: bool = False, **options):
        self.stdout.write(json.dumps(retention.sweep(dry_run=dry_run)))
