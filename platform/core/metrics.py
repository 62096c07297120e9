"""Prometheus metrics. Set PROMETHEUS_MULTIPROC_DIR to aggregate several worker processes."""

from __future__ import annotations

import os

from prometheus_client import REGISTRY as DEFAULT_REGISTRY
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess

REQUESTS = Counter("wuye_http_requests_total", "HTTP requests", ["method", "surface", "status"])
LATENCY = Histogram(
    "wuye_http_request_seconds",
    "HTTP request latency",
    ["surface"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
TASKS = Counter("wuye_celery_tasks_total", "Celery tasks finished", ["task", "state"])


def render() -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(DEFAULT_REGISTRY)
