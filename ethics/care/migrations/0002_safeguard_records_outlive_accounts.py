"""Concerns and safety flags outlive the accounts of the people in the pairing: `pairing` and
`raised_by` are set to NULL when either goes, and each row keeps the pairing's number and the
side that raised it (filled in here for the rows already there)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def note_pairing_and_side(apps, schema_editor):
    for name in ("Concern", "SafetyFlag"):
        model = apps.get_model("care", name)
        model.objects.filter(pairing__isnull=False).update(pairing_ref=models.F("pairing_id"))
        model.objects.filter(raised_by=models.F("pairing__survivor")).update(raiser_side="survivor")
        model.objects.filter(pairing__isnull=False, raised_by__isnull=False, raiser_side="").update(
            raiser_side="supporter"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0001_initial"),
        ("matching", "0002_transition_note_encrypted"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="concern",
            name="pairing_ref",
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="concern",
            name="raiser_side",
            field=models.CharField(
                blank=True,
                choices=[
                    ("survivor", "the person seeking support"),
                    ("supporter", "the peer supporter"),
                ],
                default="",
                editable=False,
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="safetyflag",
            name="pairing_ref",
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="safetyflag",
            name="raiser_side",
            field=models.CharField(
                blank=True,
                choices=[
                    ("survivor", "the person seeking support"),
                    ("supporter", "the peer supporter"),
                ],
                default="",
                editable=False,
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="concern",
            name="pairing",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="concerns",
                to="matching.pairing",
            ),
        ),
        migrations.AlterField(
            model_name="concern",
            name="raised_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="concerns_raised",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="safetyflag",
            name="pairing",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="safety_flags",
                to="matching.pairing",
            ),
        ),
        migrations.AlterField(
            model_name="safetyflag",
            name="raised_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="flags_raised",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddConstraint(
            model_name="concern",
            constraint=models.CheckConstraint(
                condition=models.Q(("raiser_side__in", ["survivor", "supporter", ""])),
                name="concern_raiser_side_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="safetyflag",
            constraint=models.CheckConstraint(
                condition=models.Q(("raiser_side__in", ["survivor", "supporter", ""])),
                name="flag_raiser_side_valid",
            ),
        ),
        # Last, after the tables have changed (PostgreSQL refuses to alter a table with
        # pending trigger events in the same transaction).
        migrations.RunPython(note_pairing_and_side, migrations.RunPython.noop),
    ]
