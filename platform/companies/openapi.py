"""The company document says where a suspended company's API answers 402 (companies.middleware)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from companies.middleware import OPEN_WHEN_SUSPENDED
from core.openapi import ERROR_DESCRIPTIONS


def document_suspension(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: 402 on every company operation a suspension closes."""
    if (generator.urlconf or settings.ROOT_URLCONF) == settings.PUBLIC_SCHEMA_URLCONF:
        return result
    for path, operations in result.get("paths", {}).items():
        if path.startswith(OPEN_WHEN_SUSPENDED):
            continue
        for operation in operations.values():
            operation["responses"].setdefault(
                "402",
                {
                    "description": ERROR_DESCRIPTIONS[402],
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}},
                },
            )
    return result
