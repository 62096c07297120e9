"""A storm of WeChat Pay notifications on the real endpoint: every genuine payment credited once,
nothing forged or mismatched credited, the ledgers balanced to the fen.

    python -m tests.bench.payment_storm [--orders 1000] [--deliveries 10000] [--clients 16]
                                        [--workers 2] [--threads 4] [--quick] [--database NAME] [--keep]

Uses DATABASE_URL / REDIS_URL (or the embedded servers) and a scratch database (`wuye_bench_storm`
unless --database), dropped at the end. Provisions two companies through the real signup path, each
a sub-merchant of the WeChat Pay stand-in (standins.wechatpay: its keys, its signatures, its
AEAD_AES_256_GCM), fills each with houses on an overdue property fee (late fees accruing) billed by
the product's bill runs, and starts `--orders` payments across them with checkout.start_payment
(quote → order → the stand-in's prepay, as the owner's "pay" does). The orders fall in four groups:
- genuine (70 %): paid at the stand-in; their notifications are delivered 1–4 times, shuffled among
  everything else, each also replayed on the other company's host, and shadowed by a bad-signature,
  an expired-timestamp, a wrong-amount and a wrong-sub_mchid copy (the last two validly signed);
- delayed (10 %): paid at the stand-in, no notification during the storm: the sweeper settles them
  by query, then their notifications arrive late (twice);
- forged (10 %): never paid; notifications claiming success signed with a stranger's key, expired,
  tampered after signing, or another company's (genuinely signed) sent here;
- mismatched (10 %): never paid; validly signed notifications of success with the wrong amount,
  the wrong sub_mchid or sp_mchid, or a state other than SUCCESS.
Deliveries go over HTTP to gunicorn as deploy/Dockerfile runs it (config.wsgi, gthread), each with
its company's Host header, from `--clients` keep-alive connections; then WeChat Pay's retries (a
freshly signed copy per genuine order) and the delayed group. Afterwards, in each company: a billing
Payment per genuine order (exactly one), its allocations equal to the order's amount, nothing on the
houses of forged or mismatched orders, every payment = its allocations + what went to the prepaid
balance, no charge allocated beyond its amount, and the stand-in's money = the money credited.
Baseline in the same run: the same endpoint refusing a delivery with no signature (401) from the same
clients → refused_per_s.
Last line: key=value (double_credited, forged_credited, mismatched_credited, genuine_credited, ...,
deliveries_per_s, refused_per_s, ratio_to_refused, load1).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import random
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "platform"))
sys.path.insert(0, str(ROOT))

NOTIFY = "/api/v1/payments/wechat/notify/"
COMPANIES = (("benchstorma", "风暴甲物业", "1239000001", "wxa9a9a9a9a9a9a9a9"),)
COMPANIES += (("benchstormb", "风暴乙物业", "1239000002", "wxb9b9b9b9b9b9b9b9"),)


def _scratch_database_url(name: str) -> str:
    from config import embedded

    url = os.environ.get("DATABASE_URL") or embedded.start_postgres()
    os.environ.setdefault("REDIS_URL", os.environ.get("REDIS_URL") or embedded.start_redis())
    base, _, _name = url.rpartition("/")
    return f"{base}/{name}"


def _months_back(day: date, months: int) -> date:
    year, month = day.year, day.month - months
    while month < 1:
        year, month = year - 1, month + 12
    return date(year, month, 1)


@dataclass
class Shop:
    """One company of the bench: its host, its sub-merchant, its orders by group."""

    slug: str
    host: str
    sub_mchid: str
    company: Any
    orders: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # group -> [order facts]


@dataclass(frozen=True)
class Shot:
    """One delivery: to which host, what (headers, body), of which kind, and the status it must get."""

    host: str
    headers: dict[str, str]
    body: bytes
    kind: str
    expect: int


# --- the companies, their bills and their orders ---------------------------------------------------


def _provision(slug: str, name: str) -> Any:
    from companies import services as company_services
    from companies.models import Company
    from core.outbox import services as outbox

    signup = company_services.create_signup(
        data={
            "company_name": name,
            "slug": slug,
            "admin_name": "基准",
            "admin_phone": "13800000000",
            "admin_email": f"admin@{slug}.example.com",
            "password": "Bench-pass-2026",
        }
    )
    if outbox.deliver_now(schema_name="public", key=f"signup:{signup.pk}") != "done":
        raise SystemExit(f"provisioning {slug} failed")
    return Company.objects.get(slug=slug)


def _fill(company: Any, *, houses: int, sub_mchid: str, appid: str) -> tuple[Any, list[int]]:
    """Houses on an overdue property fee (a catch-up run last month, this month's run), one owner
    signed in through the mini-program holding them all, the company a sub-merchant of the stand-in."""
    from django.db import connection
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from accounts.models import User
    from billing.models import FeeItem, FeePrice
    from billing.services import bill_runs
    from core.actions import action
    from core.schemas import Schema
    from payments.services import merchant
    from standins import wechatpay
    from tenants.estates import services as estate_services
    from tenants.estates.models import House
    from tenants.residents import services as resident_services

    with tenant_context(company):
        today = timezone.localdate()
        start = _months_back(today, 2)
        estate = estate_services.create_estate(name="风暴小区")
        building = estate_services.create_building(estate=estate, name="1栋", floors=200, units=["1单元"])
        unit_id = building.units.get().pk

        @action(schema=Schema.COMPANY, audit=False)  # bench data, set-based (the ledger is not)
        def fill() -> None:
            with connection.cursor() as cursor:
                cursor.execute(
                    """INSERT INTO estates_house (unit_id, building_id, estate_id, number, floor, building_area,
                           usable_area, layout, use, status, fee_coefficient, binding_code)
                       SELECT %s, %s, %s, 'S' || n, 1 + (n %% 200), 60 + (n %% 90) + 0.37,
                              round((60 + (n %% 90)) * 0.8, 2), '', 'residential', 'occupied', 1, 'SB' || n
                       FROM generate_series(1, %s) AS n""",
                    [unit_id, building.pk, estate.pk, houses],
                )
            for name, mode, price, late_fee in (
                ("物业费", "building_area", "2.3500", {"strategy": "daily_rate", "rate": "0.0005"}),
                ("垃圾处理费", "fixed", "15.00", {}),
            ):
                item = FeeItem.objects.create(
                    name=name,
                    kind="property",
                    mode=mode,
                    cycle_months=1,
                    timing="prepaid",
                    due_value=15,
                    valid_from=start,
                    late_fee=late_fee,
                )
                FeePrice.objects.create(fee_item=item, effective_from=start, unit_price=Decimal(price))
                with connection.cursor() as cursor:
                    cursor.execute(
                        """INSERT INTO billing_feeassignment (fee_item_id, house_id, start, quantity, created_at)
                           SELECT %s, id, %s, 1, now() FROM estates_house""",
                        [item.pk, start],
                    )

        fill()
        for as_of in (_months_back(today, 1), today):
            run = bill_runs.create_bill_run(as_of=as_of, estate=estate, actor=None)
            run = bill_runs.start_bill_run(run=run, actor=None)
            bill_runs.execute_bill_run(bill_run_id=run.pk)
        admin = User.objects.get(username="admin")
        owner = User.objects.create(
            username="storm-owner", roles=["resident"], wechat_openid=f"o{company.slug}stormowner0000000"
        )
        person = resident_services.create_person(actor=admin, name="风暴业主")
        person.user = owner
        person.save(update_fields=["user"])
        ids = list(House.objects.filter(estate=estate).order_by("id").values_list("id", flat=True))
        for house in House.objects.filter(pk__in=ids).order_by("id"):
            resident_services.add_occupancy(
                actor=admin, house=house, person=person, relation="owner", is_primary_payer=True
            )
        merchant.update_wechat_merchant(
            company=company, actor=admin, sub_mchid=sub_mchid, sub_appid=appid, secret="stormS3cr3tS3cr3tS3cr3t"
        )
    wechatpay.register_sub_merchant(sub_mchid, appid)
    return owner, ids


def _start_orders(shop: Shop, owner: Any, house_ids: list[int], rng: random.Random) -> None:
    """An order per house (all that is due), through the stand-in's prepay; split into the groups."""
    from django_tenants.utils import tenant_context

    from payments.models import Purpose
    from payments.services import checkout

    facts = []
    with tenant_context(shop.company):
        for house_id in house_ids:
            order = checkout.start_payment(
                company=shop.company,
                user=owner,
                purpose=Purpose.BILLS,
                payer_id=house_id,
                item_ids=None,
                idempotency_key=f"storm-{house_id}",
            )
            if order.status != "pending":
                raise SystemExit(f"order for house {house_id} is {order.status}")
            facts.append(
                {"id": order.pk, "out_trade_no": order.out_trade_no, "house": house_id, "fen": order.amount_fen}
            )
    rng.shuffle(facts)
    n = len(facts)
    cut = [0, round(n * 0.7), round(n * 0.8), round(n * 0.9), n]
    for group, lo, hi in zip(("genuine", "delayed", "forged", "mismatched"), cut[:-1], cut[1:], strict=True):
        shop.orders[group] = facts[lo:hi]


# --- the deliveries ----------------------------------------------------------------------------------


def _resource(sub_mchid: str, out_trade_no: str, /, **changes: Any) -> dict[str, Any]:
    """The decrypted resource of a TRANSACTION.SUCCESS for a stand-in order (paid or not: a forger
    writes what they like), with `changes` applied."""
    import secrets

    from standins import wechatpay

    order = wechatpay._load(sub_mchid, out_trade_no)
    assert order is not None, out_trade_no
    if order["trade_state"] != "SUCCESS":
        order = {
            **order,
            "trade_state": "SUCCESS",
            "transaction_id": "42" + secrets.token_hex(13),
            "success_time": wechatpay._now_text(),
        }
    resource = wechatpay._transaction(order)
    amount = changes.pop("amount_total", None)
    if amount is not None:
        resource["amount"] = {**resource["amount"], "total": amount, "payer_total": amount}
    resource.update(changes)
    return resource


def _signed(resource: dict[str, Any], *, forged: bool = False, age: float = 0.0) -> tuple[dict[str, str], bytes]:
    from standins import wechatpay_notify

    note = wechatpay_notify.notification(
        url="",
        event_type="TRANSACTION.SUCCESS",
        resource=resource,
        original_type="transaction",
        forged=forged,
        now=time.time() - age if age else None,
    )
    return note.headers, note.body


def _tampered(body: bytes) -> bytes:
    envelope = json.loads(body)
    envelope["summary"] = "支付成功!"  # the signature covers the raw body: any change breaks it
    return json.dumps(envelope, ensure_ascii=False).encode()


@dataclass(frozen=True)
class Spec:
    """A delivery still to sign: signed just before its batch goes out, as WeChat Pay signs each
    attempt anew (a batch signed long before it is sent would meet the 5-minute timestamp rule)."""

    host: str
    kind: str
    expect: int
    make: Callable[[], tuple[dict[str, str], bytes]]

    def shot(self) -> Shot:
        headers, body = self.make()
        return Shot(self.host, headers, body, self.kind, self.expect)


def _claim(sub_mchid: str, out_trade_no: str, /, **changes: Any) -> Callable[[], tuple[dict[str, str], bytes]]:
    return lambda: _signed(_resource(sub_mchid, out_trade_no, **changes))


def _storm_specs(shops: list[Shop], total: int, rng: random.Random) -> list[Spec]:
    """The storm, shuffled, `total` long; a tenth of the genuine payments arrive as bursts of three
    at once (WeChat Pay's retries crossing the first delivery)."""
    from standins import wechatpay_notify

    units: list[list[Spec]] = []
    genuine: list[Spec] = []
    for shop in shops:
        other = next(s for s in shops if s is not shop)
        for fact in shop.orders["genuine"]:
            no = fact["out_trade_no"]
            wechatpay_notify.pay(sub_mchid=shop.sub_mchid, out_trade_no=no)  # the payer confirms on the phone
            real = Spec(shop.host, "genuine", 204, _claim(shop.sub_mchid, no))
            genuine.append(real)
            units += [[real] for _ in range(rng.randint(1, 4))]
            if rng.random() < 0.1:
                units.append([real] * 3)
            units += [
                [Spec(other.host, "replayed_other_host", 404, real.make)],
                [Spec(shop.host, "bad_signature", 401, lambda m=real.make: _tampered_pair(m()))],
                [Spec(shop.host, "expired", 401, lambda s=shop.sub_mchid, n=no: _signed(_resource(s, n), age=900))],
                [Spec(shop.host, "wrong_amount", 400, _claim(shop.sub_mchid, no, amount_total=fact["fen"] - 1))],
                [Spec(shop.host, "wrong_sub_mchid", 400, _claim(shop.sub_mchid, no, sub_mchid=other.sub_mchid))],
            ]
        for fact in shop.orders["delayed"]:
            # its notification is lost
            wechatpay_notify.pay(sub_mchid=shop.sub_mchid, out_trade_no=fact["out_trade_no"])
        for fact in shop.orders["forged"]:
            claim = _resource(shop.sub_mchid, fact["out_trade_no"])  # success, as a forger would write it
            for kind, expect, host, make in (
                ("forged_key", 401, shop.host, lambda c=claim: _signed(c, forged=True)),
                ("forged_key", 401, shop.host, lambda c=claim: _signed(c, forged=True)),
                ("expired", 401, shop.host, lambda c=claim: _signed(c, age=3600)),
                ("future_timestamp", 401, shop.host, lambda c=claim: _signed(c, age=-900)),
                ("bad_signature", 401, shop.host, lambda c=claim: _tampered_pair(_signed(c))),
                ("unknown_serial", 401, shop.host, lambda c=claim: _reserialed(_signed(c))),
                ("unsigned", 401, shop.host, lambda c=claim: ({}, _signed(c)[1])),
                ("replayed_other_host", 404, other.host, lambda c=claim: _signed(c)),
            ):
                units.append([Spec(host, kind, expect, make)])
        for fact in shop.orders["mismatched"]:
            no = fact["out_trade_no"]
            for kind, expect, changes in (
                ("wrong_amount", 400, {"amount_total": fact["fen"] + 1}),
                ("wrong_amount", 400, {"amount_total": max(1, fact["fen"] // 2)}),
                ("wrong_amount", 400, {"amount_total": fact["fen"] * 100}),
                ("wrong_sub_mchid", 400, {"sub_mchid": other.sub_mchid}),
                ("wrong_sub_mchid", 400, {"sub_mchid": "1239999999"}),
                ("wrong_sp_mchid", 400, {"sp_mchid": "1900009999"}),
                ("not_success", 400, {"trade_state": "NOTPAY"}),
                ("not_success", 400, {"trade_state": "CLOSED"}),
                ("unknown_order", 404, {"out_trade_no": no[:-4] + "ZZZZ"}),
            ):
                units.append([Spec(shop.host, kind, expect, _claim(shop.sub_mchid, no, **changes))])
    while sum(map(len, units)) < total:  # WeChat Pay's duplicates make up the rest
        units.append([rng.choice(genuine)])
    rng.shuffle(units)
    return [spec for unit in units for spec in unit][:total]


def _tampered_pair(signed: tuple[dict[str, str], bytes]) -> tuple[dict[str, str], bytes]:
    return signed[0], _tampered(signed[1])


def _reserialed(signed: tuple[dict[str, str], bytes]) -> tuple[dict[str, str], bytes]:
    return {**signed[0], "Wechatpay-Serial": "PUB_KEY_ID_0000UNKNOWN"}, signed[1]


def _late_specs(shops: list[Shop]) -> list[Spec]:
    """After the storm: WeChat Pay's retries of every genuine and delayed payment (twice for the
    delayed ones, which the sweeper settled meanwhile)."""
    return [
        Spec(shop.host, "late_retry", 204, _claim(shop.sub_mchid, fact["out_trade_no"]))
        for shop in shops
        for fact in shop.orders["genuine"] + shop.orders["delayed"] * 2
    ]


def _fire_signed(port: int, specs: list[Spec], clients: int, batch: int = 300) -> tuple[float, Counter[str], list[str]]:
    """Sign a batch, deliver it, the next…; the seconds count the deliveries only. Batches are small
    enough to go out well within the 5-minute timestamp rule on a slow, shared machine."""
    seconds, counts, surprises = 0.0, Counter[str](), []
    for lo in range(0, len(specs), batch):
        shots = [spec.shot() for spec in specs[lo : lo + batch]]
        took, batch_counts, batch_surprises = _fire(port, shots, clients)
        seconds += took
        counts.update(batch_counts)
        surprises += batch_surprises
    return seconds, counts, surprises


def _fire(port: int, shots: list[Shot], clients: int) -> tuple[float, Counter[str], list[str]]:
    """Deliver the shots from `clients` keep-alive connections; returns (seconds, counts, surprises)."""
    work: queue.SimpleQueue[Shot | None] = queue.SimpleQueue()
    for shot in shots:
        work.put(shot)
    for _ in range(clients):
        work.put(None)
    counts: Counter[str] = Counter()
    surprises: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        barrier.wait()
        while (shot := work.get()) is not None:
            headers = {**shot.headers, "Host": shot.host, "Content-Type": "application/json"}
            for attempt in (1, 2):
                try:
                    conn.request("POST", NOTIFY, body=shot.body, headers=headers)
                    response = conn.getresponse()
                    body = response.read()
                    break
                except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                    conn.close()  # an idle keep-alive connection the server closed: reconnect once
                    if attempt == 2:
                        raise
            with lock:
                counts[f"{shot.kind}:{response.status}"] += 1
                if response.status != shot.expect:
                    surprises.append(f"{shot.kind} → {response.status} (expected {shot.expect}) {body[:160]!r}")
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    t0 = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - t0, counts, surprises


# --- the checks --------------------------------------------------------------------------------------


def _check(shop: Shop) -> dict[str, int]:
    """What the storm left in one company's ledgers."""
    from django.db.models import Sum
    from django_tenants.utils import tenant_context

    from billing.models import Allocation, BalanceEntry, Charge, Payment
    from payments.models import PaymentOrder
    from standins import wechatpay

    zero = Decimal("0.00")
    figures: Counter[str] = Counter()
    with tenant_context(shop.company):
        wechat = Payment.objects.filter(method="wechat")
        per_house = Counter(wechat.values_list("house_id", flat=True))
        for group in ("genuine", "delayed"):
            for fact in shop.orders[group]:
                order = PaymentOrder.objects.get(pk=fact["id"])
                payments = per_house.get(fact["house"], 0)
                if payments > 1:
                    figures["double_credited"] += 1
                if payments == 0 or order.status != "paid" or order.settlement != "allocated":
                    figures["genuine_missing"] += 1
                    continue
                payment = wechat.get(house_id=fact["house"])
                allocated = Allocation.objects.filter(payment=payment).aggregate(s=Sum("amount"))["s"] or zero
                if payment.amount == order.amount == allocated and str(payment.pk) == order.settled_reference:
                    figures["genuine_credited"] += 1
                else:
                    figures["genuine_misallocated"] += 1
                if Charge.objects.filter(house_id=fact["house"]).aggregate(s=Sum("amount"))["s"] != allocated:
                    figures["genuine_left_owing"] += 1  # the order paid all that was due, late fees included
        for group, name in (("forged", "forged_credited"), ("mismatched", "mismatched_credited")):
            for fact in shop.orders[group]:
                order = PaymentOrder.objects.get(pk=fact["id"])
                # Still pending, or closed by the sweeper once expired (a slow storm): never paid, never settled.
                if per_house.get(fact["house"]) or order.status not in ("pending", "closed") or order.settlement:
                    figures[name] += 1
                if Allocation.objects.filter(charge__house_id=fact["house"]).exists():
                    figures[name] += 1
        # The ledger: every payment is its allocations plus what went to the prepaid balance; no charge
        # is allocated beyond its amount; the stand-in's money is the money credited.
        unbalanced = 0
        allocations = dict(Allocation.objects.values_list("payment_id").annotate(s=Sum("amount")))
        to_balance = dict(
            BalanceEntry.objects.filter(payment__isnull=False).values_list("payment_id").annotate(s=Sum("amount"))
        )
        for pk, amount in Payment.objects.values_list("pk", "amount"):
            unbalanced += abs(amount - allocations.get(pk, zero) - to_balance.get(pk, zero))
        for amount, allocated in Charge.objects.annotate(a=Sum("allocations__amount")).values_list("amount", "a"):
            unbalanced += max(zero, (allocated or zero) - amount) + max(zero, -(allocated or zero))
        received = sum(
            Decimal(wechatpay._load(shop.sub_mchid, f["out_trade_no"])["total"]) / 100
            for group in ("genuine", "delayed")
            for f in shop.orders[group]
        )
        credited = wechat.aggregate(s=Sum("amount"))["s"] or zero
        unbalanced += abs(received - credited)
        figures["unbalanced_fen"] += int(unbalanced * 100)
        figures["received_fen"] += int(received * 100)
    return dict(figures)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--deliveries", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--quick", action="store_true", help="CI-sized: 100 orders, 1,000 deliveries")
    parser.add_argument("--database", default="wuye_bench_storm", help="the scratch database's name")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    if args.quick:
        args.orders, args.deliveries, args.clients = 100, 1_000, 8
    rng = random.Random(args.seed)

    os.environ["DATABASE_URL"] = _scratch_database_url(args.database)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("WUYE_DEMO", "true")
    os.environ["WUYE_WECHATPAY_BACKEND"] = "standin"
    os.environ["WUYE_LOG_FORMAT"] = "text"
    os.environ["LOG_LEVEL"] = "ERROR"  # every refusal logs a warning: 10,000 of them say nothing here
    import django
    import psycopg

    def admin_connect() -> psycopg.Connection[Any]:
        params = django.db.connections["default"].get_connection_params()
        return psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True)

    django.setup()
    from django.db import connections

    with admin_connect() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {args.database} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {args.database}")
    try:
        env = {**os.environ, "PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}"}
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "migrate_schemas", "--shared", "-v", "0"], env=env, check=True
        )
        from django.utils import timezone
        from django_tenants.utils import tenant_context

        from companies import services as company_services
        from core.outbox import relay
        from payments.services import sweeper
        from tests.bench import serving

        relay.publish = lambda *a, **k: None  # the bench runs what it needs itself
        company_services.ensure_public_tenant()
        print(f"migrated in {time.perf_counter() - t0:.1f}s", flush=True)
        t0 = time.perf_counter()
        shops = []
        for slug, name, sub_mchid, appid in COMPANIES:
            company = _provision(slug, name)
            print(f"{slug} provisioned at {time.perf_counter() - t0:.1f}s", flush=True)
            shop = Shop(slug=slug, host=company.domains.first().domain, sub_mchid=sub_mchid, company=company)
            owner, house_ids = _fill(company, houses=args.orders // 2, sub_mchid=sub_mchid, appid=appid)
            print(f"{slug} billed at {time.perf_counter() - t0:.1f}s", flush=True)
            _start_orders(shop, owner, house_ids, rng)
            shops.append(shop)
        setup_seconds = time.perf_counter() - t0
        print(f"two companies, {args.orders} orders pending at the stand-in in {setup_seconds:.1f}s", flush=True)
        connections.close_all()

        port = serving.free_port()
        server = serving.serve(port=port, workers=args.workers, threads=args.threads)
        try:
            for shop in shops:  # warm every worker thread: its connection, the gateway's keys
                _fire(port, [Shot(shop.host, {}, b"{}", "warm", 401)] * args.clients * 2, args.clients)
            baseline = [Shot(s.host, {}, b'{"id":"x"}', "unsigned", 401) for s in shops] * max(
                500, args.deliveries // 10
            )
            refused_seconds, _counts, refused_surprises = _fire(port, baseline, args.clients)
            refused_rate = len(baseline) / refused_seconds
            print(f"baseline: {len(baseline)} unsigned deliveries refused at {refused_rate:.0f}/s", flush=True)

            storm = _storm_specs(shops, args.deliveries, rng)
            storm_seconds, counts, surprises = _fire_signed(port, storm, args.clients)
            rate = len(storm) / storm_seconds
            print(f"storm: {len(storm)} deliveries in {storm_seconds:.1f}s → {rate:.0f}/s", flush=True)
            for key, n in sorted(counts.items()):
                print(f"  {key}: {n}")

            swept = Counter[str]()
            later = timezone.now() + timedelta(minutes=2)
            for shop in shops:
                with tenant_context(shop.company):
                    swept.update(sweeper.sweep(now=later))
            connections.close_all()
            print(f"sweeper: {dict(swept)}", flush=True)
            late = _late_specs(shops)
            _late_seconds, late_counts, late_surprises = _fire_signed(port, late, args.clients)
            surprises += late_surprises + refused_surprises
            print(f"late: {dict(late_counts)}", flush=True)
        finally:
            server.terminate()
            server.wait(timeout=30)

        figures: Counter[str] = Counter()
        for shop in shops:
            figures.update(_check(shop))
        for surprise in surprises[:10]:
            print(f"unexpected: {surprise}")
        expected_genuine = sum(len(s.orders["genuine"]) + len(s.orders["delayed"]) for s in shops)
        load1 = os.getloadavg()[0]
        print(
            f"orders={args.orders} deliveries={len(storm) + len(late)} storm_deliveries={len(storm)} "
            f"genuine_expected={expected_genuine} genuine_credited={figures['genuine_credited']} "
            f"double_credited={figures['double_credited']} forged_credited={figures['forged_credited']} "
            f"mismatched_credited={figures['mismatched_credited']} genuine_missing={figures['genuine_missing']} "
            f"genuine_misallocated={figures['genuine_misallocated']} "
            f"genuine_left_owing={figures['genuine_left_owing']} unbalanced_fen={figures['unbalanced_fen']} "
            f"swept_paid={swept['paid']} unexpected_status={len(surprises)} "
            f"deliveries_per_s={rate:.0f} refused_per_s={refused_rate:.0f} "
            f"ratio_to_refused={rate / refused_rate:.2f} clients={args.clients} "
            f"workers={args.workers}x{args.threads} load1={load1:.2f}"
        )
    finally:
        connections.close_all()
        if not args.keep:
            with admin_connect() as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {args.database} WITH (FORCE)")


if __name__ == "__main__":
    main()
