"""Walk the audit chain and print one JSON line: `{"events": N, "ok": true, "first_bad_id": null}`.
Exits 1 when the chain does not hold, so a scheduled check can alert on it."""

import json
import sys

from django.core.management.base import BaseCommand

from peersupport.people import audit


class Command(BaseCommand):
    help = "Check the audit trail's hash chain, oldest row first; print one JSON line."

    def handle(self, *args, **options):
        verdict = audit.verify()
        self.stdout.write(json.dumps(verdict.as_dict()))
        if not verdict.ok:
            sys.exit(1)
