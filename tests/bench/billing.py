"""A bill run at scale, against the physical limit of writing the same rows.

    python -m tests.bench.billing [--houses 100000] [--items 3]

Uses DATABASE_URL / REDIS_URL (or the embedded servers) and a scratch database `wuye_bench_billing`,
dropped at the end. Provisions a company, fills it with `--houses` houses (set-based SQL) and
`--items` periodic fee items assigned to every house (by building area, fixed, per count), then:
- runs one bill run for the estate as the worker would (chunks, one transaction each) → charges/s;
- COPYs the same rows into a scratch copy of the charge table (same columns, constraints, indexes
  and triggers) as the baseline in the same run → ratio_to_copy;
- reads the arrears of the estate (outstanding per house over the ledger) → arrears_ms;
- takes a cash-desk payment (lookup + late fees + allocate + receipt number) → payment_ms;
- bills an item assigned eleven months ago up to last month, then times this month's run → monthly_run_s
  (what a company's monthly bill day costs once its items have a history).
Last line: charges_per_second, copy_per_second, ratio_to_copy, peak_rss_mb, arrears_ms, payment_ms,
monthly_run_s.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "platform"))
sys.path.insert(0, str(ROOT))

SCRATCH = "wuye_bench_billing"
SLUG = "benchbilling"


def _scratch_database_url() -> str:
    from config import embedded

    url = os.environ.get("DATABASE_URL") or embedded.start_postgres()
    os.environ.setdefault("REDIS_URL", os.environ.get("REDIS_URL") or embedded.start_redis())
    base, _, _name = url.rpartition("/")
    return f"{base}/{SCRATCH}"


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--houses", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=3, choices=[1, 2, 3])
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = _scratch_database_url()
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("WUYE_DEMO", "true")
    os.environ["WUYE_LOG_FORMAT"] = "text"
    os.environ["LOG_LEVEL"] = "WARNING"
    import django
    import psycopg

    def admin_connect():
        params = django.db.connections["default"].get_connection_params()
        return psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True)

    django.setup()
    from django.db import connection, connections

    with admin_connect() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {SCRATCH}")
    try:
        env = {**os.environ, "PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}"}
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "migrate_schemas", "--shared", "-v", "0"], env=env, check=True
        )
        from django_tenants.utils import tenant_context

        from billing.models import Charge, FeeAssignment, FeeItem, FeePrice
        from billing.money import add_months
        from billing.services import bill_runs, payments
        from companies import services as company_services
        from companies.models import Company
        from core.actions import action
        from core.outbox import relay
        from core.outbox import services as outbox
        from core.schemas import Schema
        from tenants.estates import services as estate_services
        from tenants.estates.models import House

        relay.publish = lambda *a, **k: None  # messages run here, as a worker would run them
        company_services.ensure_public_tenant()
        signup = company_services.create_signup(
            data={
                "company_name": "收费基准物业",
                "slug": SLUG,
                "admin_name": "基准",
                "admin_phone": "13800000000",
                "admin_email": f"admin@{SLUG}.example.com",
                "password": "Bench-pass-2026",
            }
        )
        if outbox.deliver_now(schema_name="public", key=f"signup:{signup.pk}") != "done":
            raise SystemExit("provisioning the bench company failed")
        company = Company.objects.get(slug=SLUG)
        start = date(2026, 11, 1)

        with tenant_context(company):
            estate = estate_services.create_estate(name="基准小区")
            building = estate_services.create_building(estate=estate, name="1栋", floors=200, units=["1单元"])
            unit_id = building.units.get().pk

            @action(schema=Schema.COMPANY, audit=False)  # bench data, set-based
            def fill() -> None:
                with connection.cursor() as cursor:
                    cursor.execute(
                        """INSERT INTO estates_house (unit_id, building_id, estate_id, number, floor, building_area,
                               usable_area, layout, use, status, fee_coefficient, binding_code)
                           SELECT %s, %s, %s, 'H' || n, 1 + (n %% 200), 60 + (n %% 90) + 0.25, round((60 + (n %% 90)) * 0.8, 2),
                                  '', 'residential', 'occupied', 1, 'B' || n
                           FROM generate_series(1, %s) AS n""",
                        [unit_id, building.pk, estate.pk, args.houses],
                    )
                specs = [
                    ("物业费", "building_area", "2.3500"),
                    ("垃圾处理费", "fixed", "15.00"),
                    ("二次供水费", "count", "8.5000"),
                ][: args.items]
                for name, mode, price in specs:
                    item = FeeItem.objects.create(name=name, kind="property", mode=mode, valid_from=start)
                    FeePrice.objects.create(fee_item=item, effective_from=start, unit_price=Decimal(price))
                    with connection.cursor() as cursor:
                        cursor.execute(
                            """INSERT INTO billing_feeassignment (fee_item_id, house_id, start, quantity, created_at)
                               SELECT %s, id, %s, 1, now() FROM estates_house""",
                            [item.pk, start],
                        )
                    assert FeeAssignment.objects.filter(fee_item=item).count() == args.houses

            t0 = time.perf_counter()
            fill()
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            print(f"filled {args.houses} houses × {args.items} items in {time.perf_counter() - t0:.1f}s", flush=True)

            run = bill_runs.create_bill_run(as_of=start, estate=estate, actor=None)
            print(f"preview: {run.preview['charges']} charges, total {run.preview['total']}", flush=True)
            run = bill_runs.start_bill_run(run=run, actor=None)
            t0 = time.perf_counter()
            bill_runs.execute_bill_run(bill_run_id=run.pk)
            run_seconds = time.perf_counter() - t0
            charges = Charge.objects.count()
            assert charges == args.houses * args.items, charges
            charges_per_second = charges / run_seconds
            print(f"bill run: {charges} charges in {run_seconds:.2f}s = {charges_per_second:.0f}/s", flush=True)

            # Baseline: COPY the same rows into a copy of the table with everything the real one has.
            with connection.cursor() as cursor:
                cursor.execute("CREATE TABLE bench_charge (LIKE billing_charge INCLUDING ALL)")
                for constraint in ("house_id", "estate_id", "building_id", "fee_item_id", "bill_run_id"):
                    target = {
                        "house_id": "estates_house",
                        "estate_id": "estates_estate",
                        "building_id": "estates_building",
                        "fee_item_id": "billing_feeitem",
                        "bill_run_id": "billing_billrun",
                    }[constraint]
                    cursor.execute(
                        f"ALTER TABLE bench_charge ADD FOREIGN KEY ({constraint}) REFERENCES {target}(id)"
                        " DEFERRABLE INITIALLY DEFERRED"
                    )
                cursor.execute(
                    "CREATE TRIGGER bench_immutable BEFORE UPDATE OR DELETE ON bench_charge "
                    "FOR EACH ROW EXECUTE FUNCTION billing_refuse_change()"
                )
            columns = (
                "house_id, estate_id, building_id, fee_item_id, kind, cycle_start, period_start, period_end, "
                "amount, issued_on, due_date, calculation, reason, bill_run_id, created_at"
            )
            raw = connection.connection
            with raw.cursor() as cursor:
                rows = []
                with cursor.copy(f"COPY (SELECT {columns} FROM billing_charge) TO STDOUT") as copy:
                    for data in copy:
                        rows.append(bytes(data))
            t0 = time.perf_counter()
            with (
                raw.cursor() as cursor,
                raw.transaction(),
                cursor.copy(f"COPY bench_charge ({columns}) FROM STDIN") as copy,
            ):
                for data in rows:
                    copy.write(data)
            copy_seconds = time.perf_counter() - t0
            del rows
            copy_per_second = charges / copy_seconds
            print(f"COPY of the same rows: {copy_seconds:.2f}s = {copy_per_second:.0f}/s", flush=True)

            from billing.selectors import arrears

            timings = []
            for _ in range(5):
                t0 = time.perf_counter()
                arrears.arrears_totals(as_of=start, estate=estate.pk)
                timings.append(time.perf_counter() - t0)
            arrears_ms = statistics.median(timings) * 1000

            houses = list(House.objects.order_by("?").values_list("pk", flat=True)[:20])
            timings = []
            for n, house_id in enumerate(houses):
                t0 = time.perf_counter()
                house = House.objects.get(pk=house_id)
                payments.record_payment(
                    house=house, amount=Decimal("100.00"), method="cash", idempotency_key=f"bench-{n}", actor=None
                )
                timings.append(time.perf_counter() - t0)
            payment_ms = statistics.median(timings) * 1000

            # A monthly run of an item a year old: eleven months billed, the twelfth is new. Planner
            # statistics still predate every charge (the ANALYZE above), as after a burst of runs.
            older = add_months(start, -11)
            item = FeeItem.objects.create(name="旧物业费", kind="property", mode="building_area", valid_from=older)
            FeePrice.objects.create(fee_item=item, effective_from=older, unit_price=Decimal("2.3500"))
            with connection.cursor() as cursor:
                cursor.execute(
                    """INSERT INTO billing_feeassignment (fee_item_id, house_id, start, quantity, created_at)
                       SELECT %s, id, %s, 1, now() FROM estates_house""",
                    [item.pk, older],
                )
            for as_of in (add_months(start, -1), start):
                run = bill_runs.create_bill_run(as_of=as_of, estate=estate, fee_items=[item], actor=None)
                run = bill_runs.start_bill_run(run=run, actor=None)
                t0 = time.perf_counter()
                bill_runs.execute_bill_run(bill_run_id=run.pk)
                monthly_seconds = time.perf_counter() - t0
            assert Charge.objects.filter(fee_item=item).count() == args.houses * 12
            print(f"monthly run of a year-old item: {args.houses} charges in {monthly_seconds:.2f}s", flush=True)
        ratio = copy_per_second / charges_per_second
        print(
            f"charges_per_second={charges_per_second:.0f} copy_per_second={copy_per_second:.0f} "
            f"ratio_to_copy={ratio:.2f} peak_rss_mb={_peak_rss_mb():.0f} arrears_ms={arrears_ms:.0f} "
            f"payment_ms={payment_ms:.1f} monthly_run_s={monthly_seconds:.2f}"
        )
    finally:
        connections.close_all()
        with admin_connect() as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")


if __name__ == "__main__":
    main()
