"""Per-request / per-task context carried into every log line (tenant, request id, task id)."""

from __future__ import annotations

import contextvars

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
task_id: contextvars.ContextVar[str] = contextvars.ContextVar("task_id", default="-")


def current_tenant() -> str:
    from django.db import connection

    return getattr(connection, "schema_name", None) or "-"


client_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("client_ip", default=None)
