"""The ledger's rules, held by the database whatever a caller forgets.

- Ledger rows (charges, payments, allocations, balance entries, deposits and their settlements) are
  never updated or deleted: a correction is a row of its own. A receipt may only be voided.
- What is allocated to a charge stays within [0, its amount net of adjustments]; an adjustment may
  not take a charge below what is already paid. The charge row is locked first, so two cashiers
  allocating at once are serialised here too.
- A prepaid balance never goes negative; a deposit is never settled beyond its amount.
- A payment's amount is spent exactly (allocations + prepaid + deposit), checked at commit.
"""

from django.db import migrations

FORWARD = r"""
CREATE FUNCTION billing_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger rows are immutable: % on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END $$;

CREATE TRIGGER charge_immutable BEFORE UPDATE OR DELETE ON billing_charge
    FOR EACH ROW EXECUTE FUNCTION billing_refuse_change();
CREATE TRIGGER payment_immutable BEFORE UPDATE OR DELETE ON billing_payment
    FOR EACH ROW EXECUTE FUNCTION billing_refuse_change();
CREATE TRIGGER allocation_immutable BEFORE UPDATE OR DELETE ON billing_allocation
    FOR EACH ROW EXECUTE FUNCTION billing_refuse_change();
CREATE TRIGGER balance_entry_immutable BEFORE UPDATE OR DELETE ON billing_balanceentry
    FOR EACH ROW EXECUTE FUNCTION billing_refuse_change();
CREATE TRIGGER deposit_immutable BEFORE UPDATE OR DELETE ON billing_deposit
    FOR EACH ROW EXECUTE FUNCTION billing_refuse_change();
CREATE TRIGGER deposit_settlement_immutable BEFORE UPDATE OR DELETE ON billing_depositsettlement
    FOR EACH ROW EXECUTE FUNCTION billing_refuse_change();

CREATE FUNCTION billing_receipt_only_voided() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR OLD.voided_at IS NOT NULL
       OR NEW.number <> OLD.number OR NEW.year <> OLD.year OR NEW.sequence <> OLD.sequence
       OR NEW.payment_id <> OLD.payment_id OR NEW.snapshot <> OLD.snapshot OR NEW.issued_at <> OLD.issued_at THEN
        RAISE EXCEPTION 'a receipt can only be voided, once' USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER receipt_only_voided BEFORE UPDATE OR DELETE ON billing_receipt
    FOR EACH ROW EXECUTE FUNCTION billing_receipt_only_voided();

CREATE FUNCTION billing_charge_net(charge_id bigint) RETURNS numeric LANGUAGE sql STABLE AS $$
    SELECT c.amount + COALESCE((SELECT sum(a.amount) FROM billing_charge a
                                WHERE a.principal_id = c.id AND a.kind = 'adjustment'), 0)
    FROM billing_charge c WHERE c.id = charge_id
$$;

CREATE FUNCTION billing_check_allocation() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    target_kind text;
    allocated numeric;
    net numeric;
BEGIN
    SELECT kind INTO target_kind FROM billing_charge WHERE id = NEW.charge_id FOR UPDATE;
    IF target_kind = 'adjustment' THEN
        RAISE EXCEPTION 'an adjustment line is not paid' USING ERRCODE = 'check_violation';
    END IF;
    SELECT COALESCE(sum(amount), 0) INTO allocated FROM billing_allocation WHERE charge_id = NEW.charge_id;
    net := billing_charge_net(NEW.charge_id);
    IF allocated > net OR allocated < 0 THEN
        RAISE EXCEPTION 'charge % over-allocated: % of %', NEW.charge_id, allocated, net
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER allocation_within_charge AFTER INSERT ON billing_allocation
    FOR EACH ROW EXECUTE FUNCTION billing_check_allocation();

CREATE FUNCTION billing_check_adjustment() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    principal_kind text;
    net numeric;
    allocated numeric;
BEGIN
    IF NEW.kind <> 'adjustment' THEN
        RETURN NULL;
    END IF;
    SELECT kind INTO principal_kind FROM billing_charge WHERE id = NEW.principal_id FOR UPDATE;
    IF principal_kind = 'adjustment' THEN
        RAISE EXCEPTION 'an adjustment adjusts a charge, not another adjustment' USING ERRCODE = 'check_violation';
    END IF;
    net := billing_charge_net(NEW.principal_id);
    SELECT COALESCE(sum(amount), 0) INTO allocated FROM billing_allocation WHERE charge_id = NEW.principal_id;
    IF net < allocated THEN
        RAISE EXCEPTION 'charge % adjusted below what is paid: % < %', NEW.principal_id, net, allocated
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER adjustment_within_charge AFTER INSERT ON billing_charge
    FOR EACH ROW EXECUTE FUNCTION billing_check_adjustment();

CREATE FUNCTION billing_check_balance() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    balance numeric;
BEGIN
    PERFORM 1 FROM estates_house WHERE id = NEW.house_id FOR UPDATE;
    SELECT COALESCE(sum(amount), 0) INTO balance FROM billing_balanceentry WHERE house_id = NEW.house_id;
    IF balance < 0 THEN
        RAISE EXCEPTION 'prepaid balance of house % would be %', NEW.house_id, balance
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER balance_never_negative AFTER INSERT ON billing_balanceentry
    FOR EACH ROW EXECUTE FUNCTION billing_check_balance();

CREATE FUNCTION billing_check_deposit_settlement() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    held numeric;
    settled numeric;
BEGIN
    SELECT amount INTO held FROM billing_deposit WHERE id = NEW.deposit_id FOR UPDATE;
    SELECT COALESCE(sum(amount), 0) INTO settled FROM billing_depositsettlement WHERE deposit_id = NEW.deposit_id;
    IF settled > held THEN
        RAISE EXCEPTION 'deposit % settled beyond its amount: % > %', NEW.deposit_id, settled, held
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER deposit_settled_within_amount AFTER INSERT ON billing_depositsettlement
    FOR EACH ROW EXECUTE FUNCTION billing_check_deposit_settlement();

CREATE FUNCTION billing_check_payment_spent() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    spent numeric;
BEGIN
    -- Deferred to commit, when the search path may be another schema's: name the tables by the
    -- schema of the row that fired.
    EXECUTE format(
        'SELECT COALESCE((SELECT sum(amount) FROM %1$I.billing_allocation WHERE payment_id = $1 AND amount > 0), 0)'
        ' + COALESCE((SELECT sum(amount) FROM %1$I.billing_balanceentry'
        '             WHERE payment_id = $1 AND kind IN (''top_up'', ''overpayment'')), 0)'
        ' + COALESCE((SELECT amount FROM %1$I.billing_deposit WHERE payment_id = $1), 0)',
        TG_TABLE_SCHEMA) INTO spent USING NEW.id;
    IF spent <> NEW.amount THEN
        RAISE EXCEPTION 'payment % of % is spent as %', NEW.id, NEW.amount, spent
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER payment_spent_exactly AFTER INSERT ON billing_payment
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION billing_check_payment_spent();
"""

BACKWARD = r"""
DROP TRIGGER payment_spent_exactly ON billing_payment;
DROP FUNCTION billing_check_payment_spent();
DROP TRIGGER deposit_settled_within_amount ON billing_depositsettlement;
DROP FUNCTION billing_check_deposit_settlement();
DROP TRIGGER balance_never_negative ON billing_balanceentry;
DROP FUNCTION billing_check_balance();
DROP TRIGGER adjustment_within_charge ON billing_charge;
DROP FUNCTION billing_check_adjustment();
DROP TRIGGER allocation_within_charge ON billing_allocation;
DROP FUNCTION billing_check_allocation();
DROP FUNCTION billing_charge_net(bigint);
DROP TRIGGER receipt_only_voided ON billing_receipt;
DROP FUNCTION billing_receipt_only_voided();
DROP TRIGGER deposit_settlement_immutable ON billing_depositsettlement;
DROP TRIGGER deposit_immutable ON billing_deposit;
DROP TRIGGER balance_entry_immutable ON billing_balanceentry;
DROP TRIGGER allocation_immutable ON billing_allocation;
DROP TRIGGER payment_immutable ON billing_payment;
DROP TRIGGER charge_immutable ON billing_charge;
DROP FUNCTION billing_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
