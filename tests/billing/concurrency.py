"""Helpers of the tests that race real connections: work on threads of their own (each its own
connection, committing, as in production), a wait for another connection to block on a lock, and a
scratch company (committed ledger rows cannot be deleted, so the whole schema goes afterwards)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from django.db import connection, connections

from tests.conftest import _provision

WAIT = 15  # seconds: a generous bound; waits end as soon as the other side is seen


def in_threads(django_db_blocker: Any, *works: Callable[[], Any]) -> list[Any]:
    """Run each work at once on a thread of its own connection; their results, or the first error."""
    outcomes: list[dict[str, Any]] = [{} for _work in works]

    def run(index: int) -> None:
        with django_db_blocker.unblock():
            try:
                outcomes[index]["value"] = works[index]()
            except BaseException as exc:  # handed back to the test
                outcomes[index]["error"] = exc
            finally:
                connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(works))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for outcome in outcomes:
        if "error" in outcome:
            raise outcome["error"]
    return [outcome.get("value") for outcome in outcomes]


def on_own_connection(django_db_blocker: Any, work: Callable[[], Any]) -> Any:
    """Run `work()` on a thread of its own (its own connection, committing) and return its result."""
    return in_threads(django_db_blocker, work)[0]


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def wait_until_waiting(pids: list[int], done: threading.Event) -> bool:
    """Until the backend in `pids` (once known) waits on a lock — True — or `done` is set — False."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if done.is_set():
            return False
        if pids:
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_locks WHERE pid = %s AND NOT granted", [pids[0]])
                if cursor.fetchone()[0]:
                    return True
        time.sleep(0.02)
    raise AssertionError("the other connection neither waited nor finished")


def drop(slug: str) -> None:
    from companies.models import Company, Signup
    from core.outbox.models import OutboxMessage

    signups = [f"signup:{pk}" for pk in Signup.objects.filter(slug=slug).values_list("pk", flat=True)]
    for company in Company.objects.filter(slug=slug):
        # What the company's actions left in the shared outbox (bill runs' events) goes with it, or
        # a later test's sweeper would find it.
        OutboxMessage.objects.filter(schema_name=company.schema_name).delete()
        company.delete(force_drop=True)
    OutboxMessage.objects.filter(schema_name="public", key__in=signups).delete()
    Signup.objects.filter(slug=slug).delete()


def provision_scratch() -> Any:
    return _provision("gamma", "伽马物业")
