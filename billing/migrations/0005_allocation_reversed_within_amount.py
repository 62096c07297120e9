"""An allocation may be reversed more than once — two partial refunds of one payment — but never by
more than its amount: the unique constraint goes, a trigger holds the sum instead.

The trigger locks the reversed allocation's row first, so two reversals entered at once are
serialised and the second sees the first. Tables are named by the schema of the row that fired.
"""

from django.db import migrations

FORWARD = r"""
CREATE FUNCTION billing_check_reversal() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    original numeric;
    reversed numeric;
BEGIN
    EXECUTE format('SELECT amount FROM %1$I.billing_allocation WHERE id = $1 FOR UPDATE', TG_TABLE_SCHEMA)
        INTO original USING NEW.reverses_id;
    EXECUTE format('SELECT COALESCE(sum(amount), 0) FROM %1$I.billing_allocation WHERE reverses_id = $1',
                   TG_TABLE_SCHEMA)
        INTO reversed USING NEW.reverses_id;
    IF -reversed > original THEN
        RAISE EXCEPTION 'allocation % reversed beyond its amount: % > %', NEW.reverses_id, -reversed, original
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER allocation_reversed_within_amount AFTER INSERT ON billing_allocation
    FOR EACH ROW WHEN (NEW.reverses_id IS NOT NULL) EXECUTE FUNCTION billing_check_reversal();
"""

BACKWARD = r"""
DROP TRIGGER allocation_reversed_within_amount ON billing_allocation;
DROP FUNCTION billing_check_reversal();
"""


class Migration(migrations.Migration):
    dependencies = [("billing", "0004_discounts")]

    operations = [
        migrations.RemoveConstraint(model_name="allocation", name="allocation_reversed_once"),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
