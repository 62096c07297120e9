"""django-celery-beat's tables leave the companies' schemas: beat's schedules are the platform's and
are read in the public schema alone (config.beat). Every company schema had its own empty copy,
which each new schema migrated (21 migrations) and each beat tick read, once per company.

Runs in every schema (core lives in both); drops only in a company's, and only its own tables:
names are qualified with the schema, since an unqualified DROP would fall through the search path
to the public schema's tables.
"""

from django.db import migrations
from django_tenants.utils import get_public_schema_name

BEAT_TABLES = (
    "django_celery_beat_periodictask",
    "django_celery_beat_periodictasks",
    "django_celery_beat_crontabschedule",
    "django_celery_beat_intervalschedule",
    "django_celery_beat_solarschedule",
    "django_celery_beat_clockedschedule",
)


def drop_beat_tables(apps, schema_editor):
    connection = schema_editor.connection
    schema = connection.schema_name
    if schema == get_public_schema_name():
        return
    quote = connection.ops.quote_name
    for table in BEAT_TABLES:
        schema_editor.execute(f"DROP TABLE IF EXISTS {quote(schema)}.{quote(table)} CASCADE")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(drop_beat_tables, migrations.RunPython.noop, elidable=True)]
