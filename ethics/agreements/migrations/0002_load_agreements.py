"""Version 1 of the three agreements: the organisation's own text, item by item.

The text lives in ethics/agreements/data/agreements.json (copied from the organisation's published
text), so it is data, never template text.
"""

import json
from pathlib import Path

from django.db import migrations
from django.utils import timezone

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "agreements.json"


def load(apps, schema_editor):
    Document = apps.get_model("ethics", "AgreementDocument")
    Version = apps.get_model("ethics", "AgreementVersion")
    Item = apps.get_model("ethics", "AgreementItem")
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    now = timezone.now()
    for spec in data["documents"]:
        document, _created = Document.objects.get_or_create(
            slug=spec["slug"],
            defaults={"title": spec["title"], "audience": spec["audience"], "order": spec["order"]},
        )
        if Version.objects.filter(document=document, number=1).exists():
            continue
        version = Version.objects.create(
            document=document,
            number=1,
            introduction="\n\n".join(spec["introduction"]),
            summary="",
            created_at=now,
            published_at=now,
        )
        Item.objects.bulk_create(
            Item(version=version, number=n, text=text)
            for n, text in enumerate(spec["items"], start=1)
        )


def unload(apps, schema_editor):
    Document = apps.get_model("ethics", "AgreementDocument")
    Version = apps.get_model("ethics", "AgreementVersion")
    Acknowledgement = apps.get_model("ethics", "Acknowledgement")
    slugs = [spec["slug"] for spec in json.loads(DATA_FILE.read_text("utf-8"))["documents"]]
    Acknowledgement.objects.filter(version__document__slug__in=slugs).delete()
    Version.objects.filter(document__slug__in=slugs).delete()
    Document.objects.filter(slug__in=slugs).delete()


class Migration(migrations.Migration):
    dependencies = [("ethics", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
