"""The notification service at scale, with real workers: company A tells 20,000 owners at once while
company B sends one urgent message.

    python -m tests.bench.notifications [--owners 20000] [--concurrency 3] [--after 2000]

Uses DATABASE_URL / REDIS_URL (or the embedded servers) and a scratch database
`wuye_bench_notifications`, dropped at the end. Provisions companies A (`--owners` owners, each with
a phone) and B (one owner), starts a Celery worker as deploy/docker-compose.yml does (its own queue
and urgent queue, `--concurrency` processes, SMS through the Tencent stand-in), then:
- enqueue: one action telling every owner of A of a non-urgent event on two channels (inbox + SMS;
  bill.due_soon): the notification, 2 × owners deliveries and one outbox message → enqueue_s;
  baseline: the same number of delivery rows by one INSERT … SELECT → baseline_insert_s;
- throughput: the worker sends A's texts through the stand-in (batches, 100 numbers a request,
  A's own rate limit settings.NOTIFY_COMPANY_RATE) → sms_per_second (first to last sent_at);
  baseline: the stand-in alone in this process, the same requests without the database →
  standin_per_second;
- fairness: once `--after` of A's texts went out, B's owner is sent an urgent security alert →
  urgent_latency_s (B's commit to its text sent), and how many of A's were still waiting then.
Last line: owners, enqueue_s, baseline_insert_s, sms_per_second, standin_per_second,
urgent_latency_s, a_waiting_at_urgent, drain_s.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

from tests.bench.scratch import ROOT, provision_company, scratch_database

SCRATCH = "wuye_bench_notifications"
QUEUE = "wuye-bench-notify"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--owners", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=3)
    parser.add_argument("--after", type=int, default=2000, help="A's texts sent before B's urgent message")
    args = parser.parse_args()
    with scratch_database(SCRATCH, WUYE_SMS_BACKEND="standin", CELERY_DEFAULT_QUEUE=QUEUE):
        measure(args)


def _worker_command(concurrency: int) -> list[str]:
    """deploy/docker-compose.yml's worker, on the bench's queues."""
    import yaml
    from django.conf import settings

    compose = yaml.safe_load((ROOT / "deploy" / "docker-compose.yml").read_text())
    command = compose["services"]["worker"]["command"].split()
    assert command[0] == "celery" and command[command.index("-Q") + 1] == "wuye,wuye-urgent", command
    command[command.index("-Q") + 1] = f"{QUEUE},{settings.NOTIFY_URGENT_QUEUE}"
    command[command.index("--concurrency") + 1] = str(concurrency)
    command[command.index("--loglevel") + 1] = "WARNING"
    return [sys.executable, "-m", *command]


def _wait(what: str, done, timeout: float = 600.0, every: float = 0.01) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    while not done():
        if time.perf_counter() - started > timeout:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(every)
    return time.perf_counter()


def measure(args: argparse.Namespace) -> None:
    from django.db import connection
    from django_tenants.utils import tenant_context

    from accounts.models import User
    from config.celery import app
    from core import redis_client
    from core.actions import action
    from core.outbox import relay
    from core.schemas import Schema
    from notifications import sms
    from notifications.models import Delivery, Notification
    from notifications.services import notify
    from standins import sms as sms_standin

    publish = relay.publish  # provision_company runs its messages here; the rest go to the worker
    company_a = provision_company(slug="benchnotifya", name="通知基准物业甲")
    company_b = provision_company(slug="benchnotifyb", name="通知基准物业乙")
    relay.publish = publish
    phones = [f"139{n:08d}" for n in range(args.owners)]
    spare = [f"137{n:08d}" for n in range(min(args.owners, 5000))]
    b_phones = ["13600000001", "13600000002"]
    store = redis_client.client()

    def forget() -> None:
        """The stand-in's per-number limits and outboxes of the bench's numbers, our rate buckets and lanes."""
        app_id = sms_standin.DEMO_ACCOUNT.sdk_app_id
        for start in range(0, len(phones + spare + b_phones), 2000):
            keys = []
            for phone in (phones + spare + b_phones)[start : start + 2000]:
                keys.append(f"{sms_standin.PREFIX}outbox:{phone}")
                keys += [f"{sms_standin.PREFIX}rate:{window}:{app_id}:{phone}" for window, *_ in sms_standin.LIMITS]
            store.delete(*keys)
        for pattern in ("notify:*",):
            keys = list(store.scan_iter(match=pattern))
            if keys:
                store.delete(*keys)

    forget()

    @action(schema=Schema.COMPANY, audit=False)  # bench data
    def fill(numbers: list[str]) -> None:
        User.objects.bulk_create(
            [User(username=f"owner{n}", roles=["resident"], phone=phone) for n, phone in enumerate(numbers)],
            batch_size=2000,
        )

    @action(schema=Schema.COMPANY, audit=False)
    def tell(users: list, event: str, context: dict, key: str) -> Notification:  # type: ignore[type-arg]
        notification = notify(users, event, context, key=key)
        assert notification is not None
        return notification

    with tenant_context(company_a):
        fill(phones)
        owners_a = list(User.objects.filter(roles__contains=["resident"]))
    with tenant_context(company_b):
        fill(b_phones)
        warm_owner, urgent_owner = User.objects.filter(roles__contains=["resident"]).order_by("pk")

    def sent(company, notification: Notification) -> int:  # type: ignore[no-untyped-def]
        with tenant_context(company):
            return Delivery.objects.filter(notification=notification, channel="sms", status="sent").count()

    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}"}
    worker = subprocess.Popen(_worker_command(args.concurrency), env=env, cwd=ROOT)
    try:
        _wait("the worker", lambda: bool(app.control.ping(timeout=0.5)), timeout=120, every=0.5)
        with tenant_context(company_b):  # warm-up: each worker process's first task connects, loads
            warm = tell([warm_owner], "bill.due_soon", {"house": "1栋", "amount": "1.00", "due_date": "明天"}, "warm")
        _wait("the warm-up text", lambda: sent(company_b, warm) == 1, timeout=120)

        bill = {"house": "全体业主", "amount": "268.50", "due_date": "2026-12-31"}
        with tenant_context(company_a):
            t0 = time.perf_counter()
            announcement = tell(owners_a, "bill.due_soon", bill, "bench")
            committed = time.perf_counter()
            enqueue_s = committed - t0
            rows = Delivery.objects.filter(notification=announcement).count()
        print(f"A: notify {len(owners_a)} owners: {rows} deliveries + 1 outbox message in {enqueue_s:.2f}s", flush=True)

        _wait(f"{args.after} of A's texts", lambda: sent(company_a, announcement) >= args.after, every=0.05)
        with tenant_context(company_b):
            u0 = time.perf_counter()
            alert = tell([urgent_owner], "security.alert", {"place": "2栋", "kind": "火警"}, "urgent")
            u_committed = time.perf_counter()
        urgent_done = _wait("B's urgent text", lambda: sent(company_b, alert) == 1, timeout=120, every=0.005)
        urgent_latency_s = urgent_done - u_committed
        a_waiting = len(owners_a) - sent(company_a, announcement)
        print(
            f"B: urgent message committed in {u_committed - u0:.3f}s, texted {urgent_latency_s:.3f}s later; "
            f"{a_waiting} of A's texts still waiting then",
            flush=True,
        )

        drained = _wait("A's texts", lambda: sent(company_a, announcement) == len(owners_a), every=0.2)
        drain_s = drained - committed
        with tenant_context(company_a), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT min(sent_at), max(sent_at), count(*) FROM {Delivery._meta.db_table} "
                "WHERE notification_id = %s AND channel = 'sms' AND status = 'sent'",
                [announcement.pk],
            )
            first, last, count = cursor.fetchone()
        sms_per_second = count / max((last - first).total_seconds(), 1e-6)
        texted = sum(len(sms_standin.outbox(phone)) for phone in phones[:500])
        assert texted == 500, f"{texted} texts to the first 500 owners: some were sent twice or never"
        print(
            f"A: {count} texts sent in {drain_s:.1f}s after the commit; {sms_per_second:.0f}/s from the first "
            "to the last",
            flush=True,
        )
    finally:
        worker.terminate()
        worker.wait(timeout=60)

    with tenant_context(company_a):

        @action(schema=Schema.COMPANY, audit=False)
        def baseline() -> None:
            other = Notification.objects.create(event="bill.due_soon", context={}, key="baseline")
            with connection.cursor() as cursor:
                cursor.execute(
                    f"""INSERT INTO {Delivery._meta.db_table} (notification_id, recipient_id, "to", channel,
                           status, address, attempts, round, provider_id, reason, urgent, immediate, created_at,
                           updated_at)
                        SELECT %s, u.id, '', c.channel, 'queued', '', 0, 0, '', '', false, false, now(), now()
                        FROM {User._meta.db_table} u, (VALUES ('inbox'), ('sms')) AS c(channel)
                        WHERE 'resident' = ANY(u.roles)""",
                    [other.pk],
                )

        t0 = time.perf_counter()
        baseline()
        baseline_s = time.perf_counter() - t0
    print(f"baseline: the same rows by one INSERT … SELECT in {baseline_s:.2f}s", flush=True)

    gateway = sms.gateway()
    t0 = time.perf_counter()
    for start in range(0, len(spare), 100):
        answers = gateway.send_many(phones=spare[start : start + 100], template="bill_due_soon", params=bill)
        assert all(isinstance(answer, sms.SmsReceipt) for answer in answers)
    standin_per_second = len(spare) / (time.perf_counter() - t0)
    print(f"baseline: the stand-in alone, {len(spare)} numbers 100 a request: {standin_per_second:.0f}/s", flush=True)
    forget()
    print(
        f"owners={len(owners_a)} enqueue_s={enqueue_s:.2f} baseline_insert_s={baseline_s:.2f} "
        f"sms_per_second={sms_per_second:.0f} standin_per_second={standin_per_second:.0f} "
        f"urgent_latency_s={urgent_latency_s:.3f} a_waiting_at_urgent={a_waiting} drain_s={drain_s:.1f}"
    )


if __name__ == "__main__":
    main()
