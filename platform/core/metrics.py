"""Prometheus metrics. Set PROMETHEUS_MULTIPROC_DIR to aggregate several worker processes."""

from __future__ import annotations

import logging
import os

from prometheus_client import REGISTRY as DEFAULT_REGISTRY
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess

REQUESTS = Counter("wuye_http_requests_total", "HTTP requests", ["method", "surface", "status"])
LATENCY = Histogram(
    "wuye_http_request_seconds",
    "HTTP request latency",
    ["surface"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
TASKS = Counter("wuye_celery_tasks_total", "Celery tasks finished", ["task", "state"])
# Read from the outbox table at each scrape (one query over every company): the figures an
# operator alerts on — work piling up, work given up.
OUTBOX = Gauge("wuye_outbox_messages", "Outbox messages by status", ["status"], multiprocess_mode="mostrecent")
OUTBOX_OLDEST = Gauge(
    "wuye_outbox_oldest_pending_seconds", "Age of the oldest pending outbox message", multiprocess_mode="mostrecent"
)


def _read_outbox() -> None:
    from django.db.models import Count, Min
    from django.utils import timezone

    from core.outbox.models import OutboxMessage, OutboxStatus

    counts = dict(OutboxMessage.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    for status in (OutboxStatus.PENDING, OutboxStatus.DEAD):
        OUTBOX.labels(status).set(counts.get(status, 0))
    oldest = OutboxMessage.objects.filter(status=OutboxStatus.PENDING).aggregate(at=Min("created_at"))["at"]
    OUTBOX_OLDEST.set((timezone.now() - oldest).total_seconds() if oldest else 0)


def render() -> bytes:
    try:
        _read_outbox()
    except Exception:  # the database is down: /healthz says so; the other metrics still answer
        logging.getLogger(__name__).warning("outbox metrics unavailable", exc_info=True)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        # prometheus_client leaves this constructor unannotated (its package is otherwise typed).
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest(DEFAULT_REGISTRY)
