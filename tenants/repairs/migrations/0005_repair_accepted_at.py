import django.utils.timezone
from django.db import migrations, models

# Orders accepted before this field existed take their first acceptance from the timeline.
BACKFILL = """
UPDATE repairs_repairorder o SET accepted_at = t.first_at
  FROM (SELECT order_id, min(at) AS first_at FROM repairs_timelineentry
         WHERE to_status = 'accepted' GROUP BY order_id) t
 WHERE t.order_id = o.id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("repairs", "0004_repair_stats_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="repairorder",
            name="accepted_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="timelineentry",
            name="at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
    ]
