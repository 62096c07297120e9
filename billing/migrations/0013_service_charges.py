"""Service charges: a `source` column on the ledger (a database default, for the INSERTs written in SQL), kind
`service` held to its shape, one per source; a cancellation adjusts its charge once."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0012_allocation_check_only_new_charges'),
        ('estates', '0003_building_has_elevator'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='charge',
            name='charge_kind_shape',
        ),
        migrations.AddField(
            model_name='charge',
            name='source',
            field=models.CharField(blank=True, db_default='', default='', max_length=64, verbose_name='来源'),
        ),
        migrations.AlterField(
            model_name='charge',
            name='kind',
            field=models.CharField(choices=[('regular', '应收'), ('late_fee', '滞纳金'), ('adjustment', '调整/减免'), ('service', '服务费')], default='regular', max_length=12, verbose_name='类型'),
        ),
        migrations.AddConstraint(
            model_name='charge',
            constraint=models.UniqueConstraint(condition=models.Q(('kind', 'service')), fields=('source',), name='service_charge_once_per_source'),
        ),
        migrations.AddConstraint(
            model_name='charge',
            constraint=models.UniqueConstraint(models.F('principal'), condition=models.Q(('calculation__has_key', 'cancel'), ('kind', 'adjustment')), name='cancel_once_per_principal'),
        ),
        migrations.AddConstraint(
            model_name='charge',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('amount__lt', 0), ('kind', 'adjustment'), ('principal__isnull', False)), models.Q(('amount__gt', 0), ('kind', 'late_fee'), ('principal__isnull', False)), models.Q(('amount__gte', 0), ('kind', 'regular'), ('principal__isnull', True)), models.Q(('amount__gt', 0), ('kind', 'service'), ('principal__isnull', True), models.Q(('source', ''), _negated=True)), _connector='OR'), name='charge_kind_shape'),
        ),
        migrations.AddConstraint(
            model_name='charge',
            constraint=models.CheckConstraint(condition=models.Q(('kind', 'service'), ('source', ''), _connector='OR'), name='charge_source_only_service'),
        ),
    ]
