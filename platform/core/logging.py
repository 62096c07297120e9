"""Structured logs: one JSON object a line, each with the tenant and the request or task id."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from core import context


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            record.tenant = context.current_tenant()
        except Exception:  # settings not ready (very early start-up)
            record.tenant = "-"
        record.request_id = context.request_id.get()
        record.task_id = context.task_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "ts": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "tenant": getattr(record, "tenant", "-"),
            "request_id": getattr(record, "request_id", "-"),
            "task_id": getattr(record, "task_id", "-"),
        }
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False)
