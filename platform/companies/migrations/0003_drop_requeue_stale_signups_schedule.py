"""The signup requeue task is gone (the outbox sweeper covers lost provisioning); its periodic-task
row, written by beat into existing installations, would send an unknown task every two minutes."""

from django.db import migrations


def drop_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(task="companies.tasks.requeue_stale_signups").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("companies", "0002_company_schema_not_a_system_schema"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(drop_schedule, migrations.RunPython.noop)]
