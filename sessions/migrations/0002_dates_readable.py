"""Session and check-in times the application can read back, and no others.

A session dated 0001-01-01 in Asia/Tokyo was stored as a date BC; every page that loaded the
row failed until it was removed. Rows like it are first moved to the nearest time that can be
read (they then show as "date not valid", and their supporter can choose the date again),
then the database refuses such times for good.
"""

import datetime

from django.db import migrations, models

READABLE_FROM = datetime.datetime.min.replace(tzinfo=datetime.UTC)
READABLE_TO = datetime.datetime.max.replace(tzinfo=datetime.UTC)


def bring_into_range(apps, schema_editor):
    # UPDATEs with the bounds as parameters: a row out of range can never be loaded to fix.
    for model_name, field in (("SupportSession", "starts_at"), ("CheckInSchedule", "next_due_at")):
        rows = apps.get_model("peer_sessions", model_name).objects
        rows.filter(**{f"{field}__lt": READABLE_FROM}).update(**{field: READABLE_FROM})
        rows.filter(**{f"{field}__gt": READABLE_TO}).update(**{field: READABLE_TO})


class Migration(migrations.Migration):
    dependencies = [
        ("peer_sessions", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(bring_into_range, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="checkinschedule",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("next_due_at__gte", READABLE_FROM), ("next_due_at__lte", READABLE_TO)
                ),
                name="checkin_next_due_readable",
            ),
        ),
        migrations.AddConstraint(
            model_name="supportsession",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("starts_at__gte", READABLE_FROM), ("starts_at__lte", READABLE_TO)
                ),
                name="session_starts_at_readable",
            ),
        ),
    ]
