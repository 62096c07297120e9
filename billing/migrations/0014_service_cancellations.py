"""Service cancellations (billing.models.ServiceCancellation): one row per service charge whose
service was called off, so that what a refund or a void takes back is reversed too — a cancel line
per reversal (the unique index now keys on calculation.after). The charges cancelled before (an adjustment line marked
"cancel") get their row."""

import django.db.models.deletion
import django.db.models.fields.json
import django.db.models.functions.comparison
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def mark_cancelled(apps, schema_editor):
    Charge = apps.get_model("billing", "Charge")
    ServiceCancellation = apps.get_model("billing", "ServiceCancellation")
    lines = Charge.objects.filter(kind="adjustment", calculation__has_key="cancel", principal__kind="service")
    for line in lines.order_by("id"):
        ServiceCancellation.objects.get_or_create(
            charge_id=line.principal_id,
            defaults={"reason": line.reason, "requested_by_id": line.created_by_id, "requested_at": line.created_at},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0013_service_charges"),
        ("estates", "0003_building_has_elevator"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ServiceCancellation",
            fields=[
                (
                    "charge",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="billing.charge",
                    ),
                ),
                ("reason", models.CharField(blank=True, default="", max_length=200, verbose_name="原因")),
                ("requested_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
        ),
        migrations.RemoveConstraint(
            model_name="charge",
            name="cancel_once_per_principal",
        ),
        migrations.AddConstraint(
            model_name="charge",
            constraint=models.UniqueConstraint(
                models.F("principal"),
                django.db.models.functions.comparison.Coalesce(
                    django.db.models.fields.json.KeyTextTransform("after", "calculation"), models.Value("")
                ),
                condition=models.Q(("calculation__has_key", "cancel"), ("kind", "adjustment")),
                name="cancel_once_per_principal_and_reversal",
            ),
        ),
        migrations.AddField(
            model_name="servicecancellation",
            name="requested_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(mark_cancelled, migrations.RunPython.noop),
    ]
