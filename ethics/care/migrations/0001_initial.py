"""The care records came from the `ethics` app with their tables (`db_table` keeps the old
names): this creates them in the model state only; the database already has them."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import peersupport.platform.crypto


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("matching", "0001_initial"),
        ("ethics", "0003_care_moves_out"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DebriefRequest",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("text", peersupport.platform.crypto.EncryptedTextField()),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("open", "Waiting for someone to pick it up"),
                                    ("picked_up", "Picked up"),
                                    ("closed", "Closed"),
                                ],
                                default="open",
                                max_length=20,
                            ),
                        ),
                        ("picked_up_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "created_at",
                            models.DateTimeField(db_index=True, default=django.utils.timezone.now),
                        ),
                        ("closed_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "picked_up_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="debriefs_picked",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "requested_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="debriefs",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "ethics_debriefrequest",
                        "ordering": ["-created_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="DebriefMessage",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("text", peersupport.platform.crypto.EncryptedTextField()),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "author",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "debrief",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="messages",
                                to="care.debriefrequest",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "ethics_debriefmessage",
                        "ordering": ["created_at", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="DebriefVolunteer",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("since", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "user",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="debrief_volunteer",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "ethics_debriefvolunteer",
                    },
                ),
                migrations.CreateModel(
                    name="SafetyFlag",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "category",
                            models.CharField(
                                choices=[
                                    ("self", "Danger to themselves"),
                                    ("others", "Danger to others"),
                                    ("child", "A child at risk of harm"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("text", peersupport.platform.crypto.EncryptedTextField()),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("open", "Sent: waiting for a coordinator"),
                                    ("acknowledged", "A coordinator is handling it"),
                                    ("closed", "Closed"),
                                ],
                                default="open",
                                max_length=20,
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(db_index=True, default=django.utils.timezone.now),
                        ),
                        ("acknowledged_at", models.DateTimeField(blank=True, null=True)),
                        ("closed_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "acknowledged_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "pairing",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="safety_flags",
                                to="matching.pairing",
                            ),
                        ),
                        (
                            "raised_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="flags_raised",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "ethics_safetyflag",
                        "ordering": ["-created_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="FlagAction",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("acknowledged", "Took it on"),
                                    ("note", "Added a note"),
                                    ("closed", "Closed it"),
                                ],
                                max_length=20,
                            ),
                        ),
                        (
                            "note",
                            peersupport.platform.crypto.EncryptedTextField(blank=True, default=""),
                        ),
                        ("at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "actor",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "flag",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="actions",
                                to="care.safetyflag",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "ethics_flagaction",
                        "ordering": ["at", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="ChangeRequest",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("change", "Asked for a different peer supporter"),
                                    ("handover", "The supporter asked to hand over"),
                                    ("blocked", "The supporter was blocked"),
                                ],
                                max_length=20,
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("open", "Waiting for a coordinator"),
                                    ("done", "Done"),
                                    ("withdrawn", "Withdrawn"),
                                ],
                                default="open",
                                max_length=20,
                            ),
                        ),
                        (
                            "reason",
                            peersupport.platform.crypto.EncryptedTextField(blank=True, default=""),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(db_index=True, default=django.utils.timezone.now),
                        ),
                        ("closed_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "closed_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "pairing",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="change_requests",
                                to="matching.pairing",
                            ),
                        ),
                        (
                            "requested_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="change_requests",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "ethics_changerequest",
                        "ordering": ["-created_at", "-id"],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("status", "open")),
                                fields=("pairing", "kind"),
                                name="one_open_change_per_pairing_and_kind",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("kind__in", ["change", "handover", "blocked"])),
                                name="change_kind_valid",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("status__in", ["open", "done", "withdrawn"])),
                                name="change_status_valid",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Concern",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "category",
                            models.CharField(
                                choices=[
                                    ("boundary", "A boundary was crossed"),
                                    ("judged", "I felt judged or not respected"),
                                    ("commitment", "A commitment was not kept"),
                                    ("confidentiality", "Something private was shared"),
                                    ("exploitation", "Sexual or financial exploitation"),
                                    ("other", "Something else"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("text", peersupport.platform.crypto.EncryptedTextField()),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("open", "Received: a coordinator will look at it soon"),
                                    ("in_review", "A coordinator is looking into it"),
                                    ("resolved", "Resolved"),
                                ],
                                default="open",
                                max_length=20,
                            ),
                        ),
                        (
                            "response",
                            peersupport.platform.crypto.EncryptedTextField(blank=True, default=""),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(db_index=True, default=django.utils.timezone.now),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("resolved_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "handled_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "pairing",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="concerns",
                                to="matching.pairing",
                            ),
                        ),
                        (
                            "raised_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="concerns_raised",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "ethics_concern",
                        "ordering": ["-created_at", "-id"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    (
                                        "category__in",
                                        [
                                            "boundary",
                                            "judged",
                                            "commitment",
                                            "confidentiality",
                                            "exploitation",
                                            "other",
                                        ],
                                    )
                                ),
                                name="concern_category_valid",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("status__in", ["open", "in_review", "resolved"])
                                ),
                                name="concern_status_valid",
                            ),
                        ],
                    },
                ),
                migrations.AddConstraint(
                    model_name="debriefrequest",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("status__in", ["open", "picked_up", "closed"])),
                        name="debrief_status_valid",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="debriefrequest",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("picked_up_by", models.F("requested_by")), _negated=True
                        ),
                        name="debrief_not_picked_by_requester",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="safetyflag",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("category__in", ["self", "others", "child"])),
                        name="flag_category_valid",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="safetyflag",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("status__in", ["open", "acknowledged", "closed"])),
                        name="flag_status_valid",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
