"""The notification service at scale: an announcement to many owners, and texts through the SMS stand-in.

    python -m tests.bench.notifications [--owners 20000] [--sends 2000]

Uses DATABASE_URL / REDIS_URL (or the embedded servers) and a scratch database
`wuye_bench_notifications`, dropped at the end. Provisions a company with `--owners` owner accounts
(each with its own phone), then times:
- notify: one action telling every owner of an event with two channels (inbox + SMS): the
  notification, 2 × owners deliveries and one outbox message → enqueue_s; baseline: the same number
  of delivery rows written by one INSERT … SELECT → baseline_insert_s;
- dispatch: the worker's fan-out of that message into one send message per SMS delivery → dispatch_s;
- sends: `--sends` of those messages run one after another in this process as a worker runs them
  (claim, lock the delivery, sign and post to the Tencent SMS stand-in, record) → sends_per_second;
  baseline: the stand-in alone, the same number of signed requests → standin_per_second.
Last line: owners, enqueue_s, baseline_insert_s, dispatch_s, sends_per_second, standin_per_second.
"""

from __future__ import annotations

import argparse
import time

from tests.bench.scratch import provision_company, scratch_database

SCRATCH = "wuye_bench_notifications"
SLUG = "benchnotify"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--owners", type=int, default=20_000)
    parser.add_argument("--sends", type=int, default=2000)
    args = parser.parse_args()
    with scratch_database(SCRATCH, WUYE_SMS_BACKEND="standin"):
        measure(args)


def measure(args: argparse.Namespace) -> None:
    from django.db import connection
    from django_tenants.utils import schema_context, tenant_context

    from accounts.models import User
    from core.actions import action
    from core.outbox import services as outbox
    from core.outbox.models import OutboxMessage
    from core.schemas import Schema
    from notifications import sms
    from notifications.models import Delivery, Notification
    from notifications.services import deliveries, notify
    from standins import sms as sms_standin

    company = provision_company(slug=SLUG, name="通知基准物业")
    phones = [f"139{n:08d}" for n in range(args.owners)]

    def forget_texts() -> None:
        """The stand-in's per-number limits and outboxes of the numbers texted (without a scan)."""
        store = sms_standin._store()
        app_id = sms_standin.DEMO_ACCOUNT.sdk_app_id
        for phone in phones[: args.sends * 2]:
            store.delete(
                f"{sms_standin.PREFIX}outbox:{phone}",
                *(f"{sms_standin.PREFIX}rate:{window}:{app_id}:{phone}" for window, *_ in sms_standin.LIMITS),
            )

    forget_texts()

    with tenant_context(company):

        @action(schema=Schema.COMPANY, audit=False)  # bench data
        def fill() -> None:
            User.objects.bulk_create(
                [User(username=f"owner{n}", roles=["resident"], phone=phone) for n, phone in enumerate(phones)],
                batch_size=2000,
            )

        fill()
        owners = list(User.objects.filter(roles__contains=["resident"]))

        @action(schema=Schema.COMPANY, audit=False)
        def announce() -> Notification:
            notification = notify(owners, "security.alert", {"place": "全小区", "kind": "停水"}, key="bench")
            assert notification is not None
            return notification

        t0 = time.perf_counter()
        notification = announce()
        enqueue_s = time.perf_counter() - t0
        rows = Delivery.objects.filter(notification=notification).count()
        print(f"notify {len(owners)} owners: {rows} deliveries + 1 outbox message in {enqueue_s:.2f}s")

        @action(schema=Schema.COMPANY, audit=False)
        def baseline() -> None:
            other = Notification.objects.create(event="security.alert", context={}, key="baseline")
            with connection.cursor() as cursor:
                cursor.execute(
                    f"""INSERT INTO {Delivery._meta.db_table} (notification_id, recipient_id, channel, status,
                           address, attempts, round, provider_id, reason, created_at, updated_at)
                        SELECT %s, u.id, c.channel, 'queued', '', 0, 0, '', '', now(), now()
                        FROM {User._meta.db_table} u, (VALUES ('inbox'), ('sms')) AS c(channel)
                        WHERE 'resident' = ANY(u.roles)""",
                    [other.pk],
                )

        t0 = time.perf_counter()
        baseline()
        baseline_s = time.perf_counter() - t0
        print(f"baseline: the same rows by one INSERT … SELECT in {baseline_s:.2f}s")

        t0 = time.perf_counter()
        fanned = deliveries.dispatch(notification_id=notification.pk)
        dispatch_s = time.perf_counter() - t0
        print(f"dispatch: {fanned} send messages in {dispatch_s:.2f}s")

    with schema_context("public"):
        ids = list(
            OutboxMessage.objects.filter(schema_name=company.schema_name, topic=deliveries.TOPIC_SEND)
            .order_by("pk")
            .values_list("pk", flat=True)[: args.sends]
        )
    t0 = time.perf_counter()
    results = [outbox.deliver(message_id=message_id) for message_id in ids]
    sends_s = time.perf_counter() - t0
    assert results.count("done") == len(ids), {r: results.count(r) for r in set(results)}
    with tenant_context(company):
        sent = Delivery.objects.filter(notification=notification, channel="sms", status="sent").count()
    assert sent == len(ids), sent
    sends_per_second = len(ids) / sends_s
    print(f"sends through the stand-in: {len(ids)} in {sends_s:.2f}s ({sends_per_second:.0f}/s)")

    gateway = sms.gateway()
    spare = phones[args.sends : args.sends * 2]
    t0 = time.perf_counter()
    for phone in spare:
        gateway.send(phone=phone, template="security_alert", params={"place": "全小区", "kind": "停水"})
    standin_per_second = len(spare) / (time.perf_counter() - t0)
    print(f"baseline: the stand-in alone, {len(spare)} signed requests: {standin_per_second:.0f}/s")
    forget_texts()
    print(
        f"owners={len(owners)} enqueue_s={enqueue_s:.2f} baseline_insert_s={baseline_s:.2f} "
        f"dispatch_s={dispatch_s:.2f} sends_per_second={sends_per_second:.0f} "
        f"standin_per_second={standin_per_second:.0f}"
    )


if __name__ == "__main__":
    main()
