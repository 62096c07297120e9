# The emergency contact (a third person's name and mobile) was plain text: encrypt it in place, in
# every company's schema (this is a tenant app: migrate_schemas runs it once per schema), and keep a
# masked copy beside it for lists, exports and the audit trail.

from django.db import migrations, models

import core.fields


def _encrypt_in_place(apps, schema_editor):
    from core import crypto
    from core.masking import mask_contact

    connection = schema_editor.connection
    schema = connection.schema_name
    with connection.cursor() as cursor:
        # Read raw: the historical field would try to decrypt the plain text.
        cursor.execute(
            "SELECT id, emergency_contact FROM residents_person"
            " WHERE emergency_contact <> '' AND emergency_contact NOT LIKE %s",
            [crypto.PREFIX + ":%"],
        )
        rows = cursor.fetchall()
        for pk, contact in rows:
            cursor.execute(
                "UPDATE residents_person SET emergency_contact = %s, emergency_contact_masked = %s WHERE id = %s",
                [crypto.encrypt(contact, schema=schema), mask_contact(contact)[:200], pk],
            )


def _decrypt_in_place(apps, schema_editor):
    from core import crypto

    connection = schema_editor.connection
    schema = connection.schema_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, emergency_contact FROM residents_person WHERE emergency_contact LIKE %s",
            [crypto.PREFIX + ":%"],
        )
        for pk, token in cursor.fetchall():
            cursor.execute(
                "UPDATE residents_person SET emergency_contact = %s WHERE id = %s",
                [crypto.decrypt(token, schema=schema)[:100], pk],
            )


class Migration(migrations.Migration):
    dependencies = [
        ("residents", "0003_indexes_are_blind_index_fields"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="emergency_contact_masked",
            field=models.CharField(blank=True, default="", max_length=200),
        ),
        migrations.AlterField(
            model_name="person",
            name="emergency_contact",
            field=core.fields.EncryptedTextField(blank=True, default="", verbose_name="紧急联系人"),
        ),
        migrations.RunPython(_encrypt_in_place, _decrypt_in_place),
    ]
