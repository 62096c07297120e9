from django.db import migrations, models


class Migration(migrations.Migration):
    """The portal's order list counts the vendor's orders of approved admissions from this index
    alone (partners.selectors.vendor_orders; measured by tests.bench.partners)."""

    dependencies = [
        ("partners", "0003_catalogue_slots_orders"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="portalorder",
            index=models.Index(fields=["vendor", "admission"], name="portal_order_vendor_admission"),
        ),
    ]
