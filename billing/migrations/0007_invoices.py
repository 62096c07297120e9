"""Invoices (发票) and their lines, with the rules the database holds:

- an invoice's status moves only along the state machine (billing.models.invoices.TRANSITIONS), and
  invoices and their lines are never deleted;
- a line's `live` flag follows its invoice's status, so the partial unique index keeps a payment on
  at most one live invoice;
- a payment on an invoice being issued, issued or being voided can't be reversed (refund, receipt
  void): the reversal's insert is refused;
- an invoice's amount is the sum of its lines, checked at commit.
Tables are named by the schema of the row that fired.
"""

import core.storage
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


FORWARD = r"""
CREATE FUNCTION billing_invoice_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'invoices are never deleted' USING ERRCODE = 'restrict_violation';
    END IF;
    IF NEW.status <> OLD.status AND (OLD.status, NEW.status) NOT IN (
        ('requested', 'issuing'), ('requested', 'issued'), ('requested', 'rejected'),
        ('issuing', 'issued'), ('issuing', 'failed'),
        ('failed', 'issuing'), ('failed', 'rejected'),
        ('issued', 'voiding'), ('issued', 'voided'),
        ('voiding', 'voided'), ('voiding', 'issued')
    ) THEN
        RAISE EXCEPTION 'invoice % cannot go from % to %', OLD.id, OLD.status, NEW.status
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.amount <> OLD.amount OR NEW.house_id <> OLD.house_id THEN
        RAISE EXCEPTION 'an invoice''s house and amount are fixed' USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER invoice_transition BEFORE UPDATE OR DELETE ON billing_invoice
    FOR EACH ROW EXECUTE FUNCTION billing_invoice_transition();

CREATE FUNCTION billing_invoice_lines_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('UPDATE %1$I.billing_invoiceline SET live = $2 WHERE invoice_id = $1', TG_TABLE_SCHEMA)
        USING NEW.id, NEW.status NOT IN ('rejected', 'voided');
    RETURN NULL;
END $$;
CREATE TRIGGER invoice_lines_follow AFTER UPDATE OF status ON billing_invoice
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION billing_invoice_lines_follow();

CREATE FUNCTION billing_invoice_line_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    status text;
BEGIN
    IF TG_OP = 'DELETE' OR NEW.invoice_id <> OLD.invoice_id OR NEW.payment_id <> OLD.payment_id
       OR NEW.amount <> OLD.amount THEN
        RAISE EXCEPTION 'invoice lines are fixed' USING ERRCODE = 'restrict_violation';
    END IF;
    EXECUTE format('SELECT status FROM %1$I.billing_invoice WHERE id = $1', TG_TABLE_SCHEMA)
        INTO status USING NEW.invoice_id;
    IF NEW.live <> (status NOT IN ('rejected', 'voided')) THEN
        RAISE EXCEPTION 'a line is live exactly while its invoice is' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER invoice_line_fixed BEFORE UPDATE OR DELETE ON billing_invoiceline
    FOR EACH ROW EXECUTE FUNCTION billing_invoice_line_fixed();

CREATE FUNCTION billing_invoiced_payment_not_reversed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    locking bigint;
BEGIN
    EXECUTE format('SELECT i.id FROM %1$I.billing_invoiceline l JOIN %1$I.billing_invoice i ON i.id = l.invoice_id
                    WHERE l.payment_id = $1 AND i.status IN (''issuing'', ''issued'', ''voiding'') LIMIT 1',
                   TG_TABLE_SCHEMA)
        INTO locking USING NEW.payment_id;
    IF locking IS NOT NULL THEN
        RAISE EXCEPTION 'payment % is on invoice %: void the invoice first', NEW.payment_id, locking
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER allocation_not_of_invoiced_payment AFTER INSERT ON billing_allocation
    FOR EACH ROW WHEN (NEW.amount < 0) EXECUTE FUNCTION billing_invoiced_payment_not_reversed();

CREATE FUNCTION billing_invoice_amount_is_lines() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    total numeric;
    lines numeric;
    invoice bigint;
BEGIN
    IF TG_TABLE_NAME = 'billing_invoice' THEN
        invoice := NEW.id;
    ELSE
        invoice := NEW.invoice_id;
    END IF;
    EXECUTE format('SELECT amount FROM %1$I.billing_invoice WHERE id = $1', TG_TABLE_SCHEMA)
        INTO total USING invoice;
    EXECUTE format('SELECT COALESCE(sum(amount), 0) FROM %1$I.billing_invoiceline WHERE invoice_id = $1',
                   TG_TABLE_SCHEMA)
        INTO lines USING invoice;
    IF total <> lines THEN
        RAISE EXCEPTION 'invoice % amount % is not the sum of its lines %', invoice, total, lines
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER invoice_amount_is_lines AFTER INSERT ON billing_invoice
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION billing_invoice_amount_is_lines();
CREATE CONSTRAINT TRIGGER invoice_line_amount_is_lines AFTER INSERT ON billing_invoiceline
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION billing_invoice_amount_is_lines();
"""

BACKWARD = r"""
DROP TRIGGER invoice_line_amount_is_lines ON billing_invoiceline;
DROP TRIGGER invoice_amount_is_lines ON billing_invoice;
DROP FUNCTION billing_invoice_amount_is_lines();
DROP TRIGGER allocation_not_of_invoiced_payment ON billing_allocation;
DROP FUNCTION billing_invoiced_payment_not_reversed();
DROP TRIGGER invoice_line_fixed ON billing_invoiceline;
DROP FUNCTION billing_invoice_line_fixed();
DROP TRIGGER invoice_lines_follow ON billing_invoice;
DROP FUNCTION billing_invoice_lines_follow();
DROP TRIGGER invoice_transition ON billing_invoice;
DROP FUNCTION billing_invoice_transition();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0006_refund_channel_status"),
        ("estates", "0002_house_floor_within_building"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="billingsettings",
            name="invoice_seller_address",
            field=models.CharField(blank=True, default="", max_length=100, verbose_name="销方地址"),
        ),
        migrations.AddField(
            model_name="billingsettings",
            name="invoice_seller_phone",
            field=models.CharField(blank=True, default="", max_length=20, verbose_name="销方电话"),
        ),
        migrations.AddField(
            model_name="billingsettings",
            name="invoice_seller_tax_number",
            field=models.CharField(blank=True, default="", max_length=20, verbose_name="销方税号"),
        ),
        migrations.CreateModel(
            name="Invoice",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "title_kind",
                    models.CharField(
                        choices=[("personal", "个人"), ("company", "单位")], max_length=10, verbose_name="抬头类型"
                    ),
                ),
                ("title", models.CharField(max_length=100, verbose_name="发票抬头")),
                ("tax_number", models.CharField(blank=True, default="", max_length=20, verbose_name="税号")),
                ("email", models.EmailField(blank=True, default="", max_length=254, verbose_name="接收邮箱")),
                ("amount", models.DecimalField(decimal_places=2, max_digits=12, verbose_name="金额")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("requested", "待审核"),
                            ("issuing", "开具中"),
                            ("issued", "已开具"),
                            ("failed", "开具失败"),
                            ("rejected", "已驳回"),
                            ("voiding", "红冲中"),
                            ("voided", "已红冲"),
                        ],
                        default="requested",
                        max_length=10,
                        verbose_name="状态",
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        blank=True,
                        choices=[("electronic", "电子发票"), ("paper", "纸质发票")],
                        default="",
                        max_length=10,
                        verbose_name="发票类型",
                    ),
                ),
                ("order_no", models.CharField(max_length=32, unique=True)),
                ("provider", models.CharField(blank=True, default="", max_length=20, verbose_name="开票服务")),
                ("attempts", models.PositiveSmallIntegerField(default=0)),
                ("provider_serial", models.CharField(blank=True, default="", max_length=64, verbose_name="开票流水号")),
                ("invoice_code", models.CharField(blank=True, default="", max_length=20, verbose_name="发票代码")),
                ("invoice_number", models.CharField(blank=True, default="", max_length=20, verbose_name="发票号码")),
                ("issued_at", models.DateTimeField(blank=True, null=True, verbose_name="开票时间")),
                (
                    "pdf",
                    models.FileField(
                        blank=True,
                        default="",
                        storage=core.storage.private_storage,
                        upload_to="invoices/",
                        verbose_name="发票文件",
                    ),
                ),
                ("failure", models.CharField(blank=True, default="", max_length=200, verbose_name="失败原因")),
                ("reject_reason", models.CharField(blank=True, default="", max_length=200, verbose_name="驳回原因")),
                ("void_reason", models.CharField(blank=True, default="", max_length=200, verbose_name="红冲原因")),
                ("void_order_no", models.CharField(blank=True, max_length=32, null=True, unique=True)),
                ("void_serial", models.CharField(blank=True, default="", max_length=64, verbose_name="红冲流水号")),
                ("voided_at", models.DateTimeField(blank=True, null=True, verbose_name="红冲时间")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "house",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="invoices", to="estates.house"
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="InvoiceLine",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("amount", models.DecimalField(decimal_places=2, max_digits=12, verbose_name="金额")),
                ("live", models.BooleanField(default=True)),
                (
                    "invoice",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="lines", to="billing.invoice"
                    ),
                ),
                (
                    "payment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="invoice_lines", to="billing.payment"
                    ),
                ),
            ],
            options={
                "ordering": ["id"],
            },
        ),
        migrations.AddIndex(
            model_name="invoice",
            index=models.Index(fields=["house", "created_at"], name="billing_inv_house_i_538279_idx"),
        ),
        migrations.AddIndex(
            model_name="invoice",
            index=models.Index(fields=["status", "created_at"], name="billing_inv_status_bfbaa4_idx"),
        ),
        migrations.AddConstraint(
            model_name="invoice",
            constraint=models.CheckConstraint(condition=models.Q(("amount__gt", 0)), name="invoice_amount_positive"),
        ),
        migrations.AddConstraint(
            model_name="invoice",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("title_kind", "personal"), models.Q(("tax_number", ""), _negated=True), _connector="OR"
                ),
                name="invoice_company_has_tax_number",
            ),
        ),
        migrations.AddConstraint(
            model_name="invoice",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "rejected"), _negated=True),
                    models.Q(("reject_reason", ""), _negated=True),
                    _connector="OR",
                ),
                name="invoice_rejected_has_reason",
            ),
        ),
        migrations.AddConstraint(
            model_name="invoice",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status__in", ["issued", "voiding", "voided"]), _negated=True),
                    models.Q(
                        models.Q(("kind", ""), _negated=True),
                        models.Q(("invoice_number", ""), _negated=True),
                        ("issued_at__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="invoice_issued_has_number",
            ),
        ),
        migrations.AddConstraint(
            model_name="invoice",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status__in", ["issuing", "failed"]), _negated=True),
                    ("kind", "electronic"),
                    _connector="OR",
                ),
                name="invoice_only_electronic_issues_async",
            ),
        ),
        migrations.AddConstraint(
            model_name="invoiceline",
            constraint=models.CheckConstraint(
                condition=models.Q(("amount__gt", 0)), name="invoice_line_amount_positive"
            ),
        ),
        migrations.AddConstraint(
            model_name="invoiceline",
            constraint=models.UniqueConstraint(
                condition=models.Q(("live", True)), fields=("payment",), name="payment_on_one_live_invoice"
            ),
        ),
        migrations.AddConstraint(
            model_name="invoiceline",
            constraint=models.UniqueConstraint(fields=("invoice", "payment"), name="invoice_line_once_per_payment"),
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
