"""closed → paid, only as reconciliation heals it: an order the sweeper closed (expired, no
notification) that the provider's daily trade bill shows paid. The trigger allows the move only when
the order's event for it is already written — source `reconciliation`, its evidence the bill line
(`trade_bill`) naming this order, SUCCESS, at the order's amount. Any other closed → paid is still
refused, whatever the caller forgot."""

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


HEALED = """
    IF TG_OP = 'UPDATE' AND OLD.status = 'closed' AND NEW.status = 'paid' THEN
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.payments_paymentevent e
             WHERE e.order_id = $1 AND e.from_status = ''closed'' AND e.to_status = ''paid''
                   AND e.source = ''reconciliation''
                   AND e.evidence->''trade_bill''->>''out_trade_no'' = $2
                   AND e.evidence->''trade_bill''->>''trade_state'' = ''SUCCESS''
                   AND (e.evidence->''trade_bill''->>''amount'')::numeric = $3)', TG_TABLE_SCHEMA)
            INTO healed USING NEW.id, NEW.out_trade_no, NEW.amount;
    END IF;"""


def _function(allowed: list[tuple[str, str]], *, heal: bool) -> str:
    pairs = " OR ".join(f"(OLD.status = '{a}' AND NEW.status = '{b}')" for a, b in allowed)
    if heal:
        pairs += " OR healed"
    return f"""
CREATE OR REPLACE FUNCTION payments_order_transition() RETURNS trigger AS $$
DECLARE
    healed boolean := false;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.status <> 'created' THEN
            RAISE EXCEPTION 'payment order % must be created as created, not %', NEW.out_trade_no, NEW.status
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END IF;{HEALED if heal else ""}
    IF NEW.status IS DISTINCT FROM OLD.status AND NOT ({pairs}) THEN
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
"""


class Migration(migrations.Migration):
    dependencies = [("payments", "0007_order_channel")]

    operations = [migrations.RunSQL(_function(ALLOWED, heal=True), _function(ALLOWED, heal=False))]
