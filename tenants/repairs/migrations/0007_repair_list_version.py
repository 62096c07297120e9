"""The dispatcher's list cache version (models.ListVersion), bumped by the database itself: a
statement-level trigger on repair orders, their photos and categories, so every write path — the
services, tasks, bulk SQL, a migration — invalidates the cached pages. The row is created on the
first bump if missing (a test flush). Each bump moves to the clock in microseconds (or one past the
last version, whichever is later), so a number a rolled-back transaction used, or one from before a
flush, is never issued again for different data."""

from django.db import migrations, models

FORWARD = r"""
CREATE OR REPLACE FUNCTION repairs_bump_list_version() RETURNS trigger AS $$
BEGIN
    INSERT INTO repairs_listversion (id, version)
    VALUES (1, floor(extract(epoch FROM clock_timestamp()) * 1000000)::bigint)
    ON CONFLICT (id) DO UPDATE SET version = greatest(
        repairs_listversion.version + 1, floor(extract(epoch FROM clock_timestamp()) * 1000000)::bigint
    );
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

INSERT INTO repairs_listversion (id, version)
VALUES (1, floor(extract(epoch FROM clock_timestamp()) * 1000000)::bigint)
ON CONFLICT (id) DO NOTHING;

CREATE TRIGGER repair_order_list_version
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON repairs_repairorder
    FOR EACH STATEMENT EXECUTE FUNCTION repairs_bump_list_version();
CREATE TRIGGER repair_photo_list_version
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON repairs_repairphoto
    FOR EACH STATEMENT EXECUTE FUNCTION repairs_bump_list_version();
CREATE TRIGGER repair_category_list_version
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON repairs_repaircategory
    FOR EACH STATEMENT EXECUTE FUNCTION repairs_bump_list_version();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS repair_category_list_version ON repairs_repaircategory;
DROP TRIGGER IF EXISTS repair_photo_list_version ON repairs_repairphoto;
DROP TRIGGER IF EXISTS repair_order_list_version ON repairs_repairorder;
DROP FUNCTION IF EXISTS repairs_bump_list_version();
"""


class Migration(migrations.Migration):
    dependencies = [("repairs", "0006_repair_fees")]

    operations = [
        migrations.CreateModel(
            name="ListVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.BigIntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("id", 1)), name="repair_list_version_single_row")
                ],
            },
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
