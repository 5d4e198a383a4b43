"""The starting vocabularies and crisis resources. Coordinators edit them afterwards."""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import migrations

AREAS = [
    ("childhood", "Sexual abuse in childhood"),
    ("adult-assault", "Sexual assault or rape as an adult"),
    ("partner", "Sexual violence by a partner or ex-partner"),
    ("family", "Abuse within the family"),
    ("position-of-trust", "Abuse by someone in a position of trust (faith, sport, school, care)"),
    ("institutional", "Abuse in an institution"),
    ("online", "Online or image-based abuse"),
    ("exploitation", "Sexual exploitation or trafficking"),
    ("drug-facilitated", "Drug- or alcohol-facilitated assault"),
    ("harassment", "Sexual harassment"),
    ("reporting", "Going through reporting or the justice system"),
    ("supporting", "Supporting a loved one through their experience"),
]
LANGUAGES = [
    ("en", "English"),
    ("fr", "French"),
    ("es", "Spanish"),
    ("pt", "Portuguese"),
    ("pl", "Polish"),
    ("ar", "Arabic"),
    ("ur", "Urdu"),
    ("pa", "Punjabi"),
    ("cy", "Welsh"),
    ("bsl", "British Sign Language"),
]
MODES = [
    ("chat", "Text chat"),
    ("phone", "Phone"),
    ("video", "Video call"),
    ("in-person", "In person"),
]
GENDERS = [
    ("woman", "Woman"),
    ("man", "Man"),
    ("non-binary", "Non-binary"),
]
CRISIS = [
    {
        "name": "Emergency services",
        "description": "If you or someone else is in immediate danger.",
        "phone": "999 (UK) · 112 (EU) · 911 (US)",
        "region": "",
    },
    {
        "name": "Rape Crisis 24/7 Support Line",
        "description": "Free, confidential support for anyone aged 16 or over affected by "
        "sexual violence, at any time.",
        "phone": "0808 500 2222",
        "url": "https://rapecrisis.org.uk",
        "region": "England and Wales",
    },
    {
        "name": "Samaritans",
        "description": "Someone to talk to, day or night, about anything.",
        "phone": "116 123",
        "url": "https://www.samaritans.org",
        "region": "UK and Ireland",
    },
    {
        "name": "RAINN National Sexual Assault Hotline",
        "description": "Confidential support from a trained staff member.",
        "phone": "800 656 4673",
        "url": "https://rainn.org",
        "region": "United States",
    },
    {
        "name": "988 Suicide & Crisis Lifeline",
        "description": "Call or text 988 for support in a crisis.",
        "phone": "988",
        "url": "https://988lifeline.org",
        "region": "United States",
    },
]


def load(apps, schema_editor):
    for model_name, rows in [
        ("LivedExperienceArea", AREAS),
        ("Language", LANGUAGES),
        ("MeetingMode", MODES),
        ("Gender", GENDERS),
    ]:
        model = apps.get_model("peersupport", model_name)
        for order, (slug, name) in enumerate(rows):
            model.objects.update_or_create(slug=slug, defaults={"name": name, "order": order})
    crisis = apps.get_model("peersupport", "CrisisResource")
    for order, row in enumerate(CRISIS):
        crisis.objects.update_or_create(name=row["name"], defaults={**row, "order": order})
    site = apps.get_model("sites", "Site")
    site.objects.update_or_create(
        pk=settings.SITE_ID,
        defaults={"domain": urlsplit(settings.SITE_URL).netloc, "name": settings.SITE_NAME},
    )


def unload(apps, schema_editor):
    for model_name in [
        "LivedExperienceArea",
        "Language",
        "MeetingMode",
        "Gender",
        "CrisisResource",
    ]:
        apps.get_model("peersupport", model_name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("peersupport", "0001_initial"),
        ("sites", "0002_alter_domain_unique"),
    ]

    operations = [migrations.RunPython(load, unload)]
