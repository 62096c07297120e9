"""What every billing service shares: the audit line, field errors, the payer lock, today's date."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import models
from django.utils import timezone

from accounts import services as account_services
from core.errors import DomainError
from tenants.estates.models import House


def audit(
    actor: Any,
    action: str,
    obj: models.Model,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    account_services.record_audit(
        actor=actor,
        action=action,
        object_type=obj._meta.model_name or "",
        object_id=obj.pk,
        before=before,
        after=after,
    )


def field_error(field: str, message: str) -> DomainError:
    return DomainError(message, fields={field: [message]})


def lock_payer(house_id: int) -> House:
    """Take the payer's row lock: every money movement of one payer (payments, allocations, balance,
    deposits, refunds) runs one at a time, so two cashiers at once never spend the same charge twice."""
    return House.objects.select_for_update(of=("self",)).select_related("estate", "building", "unit").get(pk=house_id)


def today() -> date:
    return timezone.localdate()
