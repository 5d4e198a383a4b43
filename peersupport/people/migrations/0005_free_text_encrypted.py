"""A supporter's application statement and the reasons given for declining or pausing them
are encrypted at rest, like every free text a person writes.

The rows already there are encrypted in place, in batches, through raw SQL (the model in
this state would encrypt on write and decrypt on read). A value that already is a token the
configured keys read is left alone, so running it again changes nothing; backwards, the
tokens are decrypted to plain text again.
"""

from django.db import migrations

import peersupport.platform.crypto
from peersupport.platform.crypto import decrypt, encrypt

FIELDS = ("motivation", "decision_reason", "pause_reason")
BATCH = 500


def _plain(value: str) -> str | None:
    """The text of a token, or None when the value is no token (so it is plain text)."""
    try:
        return decrypt(value)
    except ValueError:
        return None


def _encrypted(value: str) -> str | None:
    return encrypt(value) if _plain(value) is None else None


def _rewrite(apps, schema_editor, change) -> None:
    """Set each non-empty value of FIELDS to change(value), unless that is None."""
    model = apps.get_model("peersupport", "SupporterProfile")
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    for name in FIELDS:
        column = quote(model._meta.get_field(name).column)
        select = (
            f"SELECT {pk}, {column} FROM {table} "  # noqa: S608 - names from the model
            f"WHERE {pk} > %s AND {column} <> '' ORDER BY {pk} LIMIT %s"
        )
        update = f"UPDATE {table} SET {column} = %s WHERE {pk} = %s"  # noqa: S608
        last = 0
        with connection.cursor() as cursor:
            while True:
                cursor.execute(select, [last, BATCH])
                rows = cursor.fetchall()
                if not rows:
                    break
                last = rows[-1][0]
                changed = [(new, key) for key, value in rows if (new := change(value)) is not None]
                if changed:
                    cursor.executemany(update, changed)


def encrypt_rows(apps, schema_editor) -> None:
    _rewrite(apps, schema_editor, _encrypted)


def decrypt_rows(apps, schema_editor) -> None:
    _rewrite(apps, schema_editor, _plain)


class Migration(migrations.Migration):
    dependencies = [
        ("peersupport", "0004_outgoing_email"),
    ]

    operations = [
        migrations.AlterField(
            model_name="supporterprofile",
            name="motivation",
            field=peersupport.platform.crypto.EncryptedTextField(
                max_length=2000, verbose_name="why I want to be a peer supporter"
            ),
        ),
        migrations.AlterField(
            model_name="supporterprofile",
            name="decision_reason",
            field=peersupport.platform.crypto.EncryptedTextField(blank=True, max_length=500),
        ),
        migrations.AlterField(
            model_name="supporterprofile",
            name="pause_reason",
            field=peersupport.platform.crypto.EncryptedTextField(blank=True, max_length=500),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows),
    ]
