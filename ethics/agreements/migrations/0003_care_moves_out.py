"""The care records moved to the `care` app (ethics/care). Their tables stay where they
are: this forgets them here in the model state only, and care 0001 takes them over."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("ethics", "0002_load_agreements"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="concern",
                    name="handled_by",
                ),
                migrations.RemoveField(
                    model_name="concern",
                    name="pairing",
                ),
                migrations.RemoveField(
                    model_name="concern",
                    name="raised_by",
                ),
                migrations.RemoveField(
                    model_name="debriefmessage",
                    name="author",
                ),
                migrations.RemoveField(
                    model_name="debriefmessage",
                    name="debrief",
                ),
                migrations.RemoveField(
                    model_name="debriefrequest",
                    name="picked_up_by",
                ),
                migrations.RemoveField(
                    model_name="debriefrequest",
                    name="requested_by",
                ),
                migrations.RemoveField(
                    model_name="debriefvolunteer",
                    name="user",
                ),
                migrations.RemoveField(
                    model_name="flagaction",
                    name="actor",
                ),
                migrations.RemoveField(
                    model_name="flagaction",
                    name="flag",
                ),
                migrations.RemoveField(
                    model_name="safetyflag",
                    name="acknowledged_by",
                ),
                migrations.RemoveField(
                    model_name="safetyflag",
                    name="pairing",
                ),
                migrations.RemoveField(
                    model_name="safetyflag",
                    name="raised_by",
                ),
                migrations.DeleteModel(
                    name="ChangeRequest",
                ),
                migrations.DeleteModel(
                    name="Concern",
                ),
                migrations.DeleteModel(
                    name="DebriefMessage",
                ),
                migrations.DeleteModel(
                    name="DebriefRequest",
                ),
                migrations.DeleteModel(
                    name="DebriefVolunteer",
                ),
                migrations.DeleteModel(
                    name="FlagAction",
                ),
                migrations.DeleteModel(
                    name="SafetyFlag",
                ),
            ],
            database_operations=[],
        ),
    ]
