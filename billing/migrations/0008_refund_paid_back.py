"""A refund's money going back (退款状态): payout_status, refunded_at, reversed_at, paid_out_by,
replaced_refund_no. Refunds approved before this were reversed at approval: they keep that
(reversed_at = decided_at); an offline one, or a channel one the channel confirmed, counts as paid
back at its decision time, as the reports counted it so far; a channel one still processing or failed
is refunding / refund_failed until the channel (or the cash desk) pays it."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

BACKFILL = """
UPDATE billing_refund SET
    reversed_at = CASE WHEN source = 'payment' THEN decided_at END,
    payout_status = CASE
        WHEN method <> 'original' OR channel_status = 'refunded' THEN 'refunded'
        WHEN channel_status = 'failed' THEN 'refund_failed'
        ELSE 'refunding' END,
    refunded_at = CASE WHEN method <> 'original' OR channel_status = 'refunded' THEN decided_at END
WHERE status = 'approved'
"""


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0007_invoices'),
        ('estates', '0002_house_floor_within_building'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='refund',
            name='paid_out_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='refund',
            name='payout_status',
            field=models.CharField(blank=True, choices=[('', '无'), ('refunding', '退款中'), ('refunded', '已退款'), ('refund_failed', '退款失败')], default='', max_length=14, verbose_name='退款状态'),
        ),
        migrations.AddField(
            model_name='refund',
            name='refunded_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='退款时间'),
        ),
        migrations.AddField(
            model_name='refund',
            name='replaced_refund_no',
            field=models.CharField(blank=True, default='', max_length=64, verbose_name='原退款单号'),
        ),
        migrations.AddField(
            model_name='refund',
            name='reversed_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.AddConstraint(
            model_name='refund',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('payout_status__in', ['refunding', 'refunded', 'refund_failed']), ('status', 'approved')), models.Q(models.Q(('status', 'approved'), _negated=True), ('payout_status', '')), _connector='OR'), name='refund_payout_status_known'),
        ),
        migrations.AddConstraint(
            model_name='refund',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('payout_status', 'refunded'), ('refunded_at__isnull', False)), models.Q(models.Q(('payout_status', 'refunded'), _negated=True), ('refunded_at__isnull', True)), _connector='OR'), name='refund_refunded_at_iff_refunded'),
        ),
    ]
