"""The per-statement allocation check of 0011 worked out each charge's allocated and net amounts in a
query ending in `LIMIT 1`: the planner, expecting a violation early, walked the whole charges table
in id order and summed every charge's allocations — not only those of the statement's new rows — so
each statement cost grew with the ledger (an import's tenth batch of 20,000 allocations summed
200,000 charges). The sums are now taken for the statement's charges only, in a materialised step,
and the violation looked for among them. Same rule, same locks, same messages.
"""

from django.db import migrations

_LOCK_AND_ADJUSTMENTS = r"""
CREATE OR REPLACE FUNCTION billing_check_allocations() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    PERFORM 1 FROM billing_charge WHERE id IN (SELECT charge_id FROM new_allocations) ORDER BY id FOR UPDATE;
    IF EXISTS (SELECT 1 FROM billing_charge
               WHERE id IN (SELECT charge_id FROM new_allocations) AND kind = 'adjustment') THEN
        RAISE EXCEPTION 'an adjustment line is not paid' USING ERRCODE = 'check_violation';
    END IF;
"""
_SUMS = r"""
        SELECT c.id AS charge_id,
               (SELECT COALESCE(sum(a.amount), 0) FROM billing_allocation a WHERE a.charge_id = c.id) AS allocated,
               c.amount + COALESCE((SELECT sum(j.amount) FROM billing_charge j
                                    WHERE j.principal_id = c.id AND j.kind = 'adjustment'), 0) AS net
        FROM billing_charge c WHERE c.id IN (SELECT charge_id FROM new_allocations)
"""
_RAISE = r"""
    IF FOUND THEN
        RAISE EXCEPTION 'charge % over-allocated: % of %', bad.charge_id, bad.allocated, bad.net
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;
"""

FORWARD = (
    _LOCK_AND_ADJUSTMENTS
    + "    WITH touched AS MATERIALIZED ("
    + _SUMS
    + r"""    )
    SELECT t.charge_id, t.allocated, t.net INTO bad FROM touched t
    WHERE t.allocated > t.net OR t.allocated < 0
    ORDER BY t.charge_id LIMIT 1;"""
    + _RAISE
)

BACKWARD = (  # 0011's
    _LOCK_AND_ADJUSTMENTS
    + "    SELECT t.charge_id, t.allocated, t.net INTO bad FROM ("
    + _SUMS
    + r"""    ) t WHERE t.allocated > t.net OR t.allocated < 0
    ORDER BY t.charge_id LIMIT 1;"""
    + _RAISE
)


class Migration(migrations.Migration):
    dependencies = [("billing", "0011_ledger_checks_per_statement")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
