"""Refunds in the database: a refund is inserted as `processing` for a paid order, under the order's
row lock, and only while the order's live refunds (processing or refunded) stay within its amount;
its status moves only along payments.models.REFUND_TRANSITIONS; what it refunds never changes, and
it is never deleted. Refund events are immutable like order events. An order's `refunded_amount`
changes only to the sum of its refunded refunds."""

from django.db import migrations

ALLOWED = [("processing", "refunded"), ("processing", "failed"), ("processing", "closed")]
PAIRS = " OR ".join(f"(OLD.status = '{a}' AND NEW.status = '{b}')" for a, b in ALLOWED)

FORWARD = f"""
CREATE FUNCTION payments_refund_rules() RETURNS trigger AS $$
DECLARE
    order_status text;
    order_amount numeric;
    live numeric;
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'payment refunds are never deleted' USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF NEW.status <> 'processing' THEN
            RAISE EXCEPTION 'payment refund % must be created as processing, not %', NEW.out_refund_no, NEW.status
                USING ERRCODE = 'check_violation';
        END IF;
        SELECT status, amount INTO order_status, order_amount
            FROM payments_paymentorder WHERE id = NEW.order_id FOR UPDATE;
        IF order_status NOT IN ('paid', 'partially_refunded') THEN
            RAISE EXCEPTION 'payment refund %: the order is %, not paid', NEW.out_refund_no, order_status
                USING ERRCODE = 'check_violation';
        END IF;
        SELECT COALESCE(SUM(amount), 0) INTO live FROM payments_paymentrefund
            WHERE order_id = NEW.order_id AND status IN ('processing', 'refunded');
        IF live + NEW.amount > order_amount THEN
            RAISE EXCEPTION 'payment refund %: % already refunded or refunding, % more exceeds the order''s %',
                NEW.out_refund_no, live, NEW.amount, order_amount
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status AND NOT ({PAIRS}) THEN
        RAISE EXCEPTION 'payment refund %: % -> % is not an allowed transition', OLD.out_refund_no, OLD.status, NEW.status
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.order_id <> OLD.order_id OR NEW.amount <> OLD.amount OR NEW.out_refund_no <> OLD.out_refund_no
       OR NEW.source <> OLD.source OR NEW.purpose_reference <> OLD.purpose_reference THEN
        RAISE EXCEPTION 'payment refund %: order, amount, number and purpose never change', OLD.out_refund_no
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER payments_refund_rules BEFORE INSERT OR UPDATE OR DELETE ON payments_paymentrefund
    FOR EACH ROW EXECUTE FUNCTION payments_refund_rules();

CREATE TRIGGER payments_refund_event_immutable BEFORE UPDATE OR DELETE ON payments_paymentrefundevent
    FOR EACH ROW EXECUTE FUNCTION payments_event_immutable();

CREATE FUNCTION payments_order_refunded_amount() RETURNS trigger AS $$
DECLARE
    refunded numeric;
BEGIN
    IF NEW.refunded_amount IS DISTINCT FROM OLD.refunded_amount THEN
        SELECT COALESCE(SUM(amount), 0) INTO refunded FROM payments_paymentrefund
            WHERE order_id = NEW.id AND status = 'refunded';
        IF NEW.refunded_amount <> refunded THEN
            RAISE EXCEPTION 'payment order %: refunded_amount % is not its refunded refunds'' %',
                OLD.out_trade_no, NEW.refunded_amount, refunded
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER payments_order_refunded_amount BEFORE UPDATE ON payments_paymentorder
    FOR EACH ROW EXECUTE FUNCTION payments_order_refunded_amount();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS payments_order_refunded_amount ON payments_paymentorder;
DROP FUNCTION IF EXISTS payments_order_refunded_amount();
DROP TRIGGER IF EXISTS payments_refund_event_immutable ON payments_paymentrefundevent;
DROP TRIGGER IF EXISTS payments_refund_rules ON payments_paymentrefund;
DROP FUNCTION IF EXISTS payments_refund_rules();
"""


class Migration(migrations.Migration):
    dependencies = [("payments", "0005_payment_refunds")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
