"""The state machine in the database: an order is inserted as `created` and its status moves only
along payments.models.TRANSITIONS; events are immutable. Whatever the caller forgot, PostgreSQL
refuses the rest."""

from django.db import migrations

ALLOWED = [
    ("created", "pending"),
    ("created", "failed"),
    ("pending", "paid"),
    ("pending", "failed"),
    ("pending", "closed"),
    ("paid", "partially_refunded"),
    ("paid", "refunded"),
    ("partially_refunded", "refunded"),
]
PAIRS = " OR ".join(f"(OLD.status = '{a}' AND NEW.status = '{b}')" for a, b in ALLOWED)

FORWARD = f"""
CREATE FUNCTION payments_order_transition() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.status <> 'created' THEN
            RAISE EXCEPTION 'payment order % must be created as created, not %', NEW.out_trade_no, NEW.status
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status AND NOT ({PAIRS}) THEN
        RAISE EXCEPTION 'payment order %: % -> % is not an allowed transition', OLD.out_trade_no, OLD.status, NEW.status
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.out_trade_no <> OLD.out_trade_no OR NEW.amount <> OLD.amount OR NEW.payer_id <> OLD.payer_id THEN
        RAISE EXCEPTION 'payment order %: out_trade_no, amount and payer never change', OLD.out_trade_no
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER payments_order_transition BEFORE INSERT OR UPDATE ON payments_paymentorder
    FOR EACH ROW EXECUTE FUNCTION payments_order_transition();

CREATE FUNCTION payments_event_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'payment events are immutable' USING ERRCODE = 'check_violation';
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER payments_event_immutable BEFORE UPDATE OR DELETE ON payments_paymentevent
    FOR EACH ROW EXECUTE FUNCTION payments_event_immutable();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS payments_event_immutable ON payments_paymentevent;
DROP FUNCTION IF EXISTS payments_event_immutable();
DROP TRIGGER IF EXISTS payments_order_transition ON payments_paymentorder;
DROP FUNCTION IF EXISTS payments_order_transition();
"""


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
