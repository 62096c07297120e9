"""What every billing service shares: the audit line, field errors, the amount check, the payer lock, today's date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

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


CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")  # the ledger's money columns: 12 digits, 2 places


def check_amount(field: str, value: Decimal, *, zero_allowed: bool = False) -> Decimal:
    """An amount of money entered: a Decimal (never a float), to the fen, positive (or zero where
    `zero_allowed`: a float, a count of cash), within the ledger's columns; else a field error."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise field_error(field, _("金额格式不正确。"))
    if value < 0 or (value == 0 and not zero_allowed):
        raise field_error(field, _("金额不能为负数。") if zero_allowed else _("金额须大于 0。"))
    if value > MAX_AMOUNT:
        raise field_error(field, _("金额过大（最多 %(max)s 元）。") % {"max": MAX_AMOUNT})
    if value != value.quantize(CENT):
        raise field_error(field, _("金额最多两位小数（精确到分）。"))
    return value.quantize(CENT)


def lock_payer(house_id: int) -> House:
    """Take the payer's row lock: every money movement of one payer (payments, allocations, balance,
    deposits, refunds) runs one at a time, so two cashiers at once never spend the same charge twice."""
    return House.objects.select_for_update(of=("self",)).select_related("estate", "building", "unit").get(pk=house_id)


def lock_payers(houses: QuerySet[House]) -> None:
    """`lock_payer` for many payers at once (a bill run's chunk), taken in id order so two takers of
    overlapping sets wait for each other instead of deadlocking."""
    list(houses.order_by("pk").select_for_update(of=("self",)).values_list("pk", flat=True))


def today() -> date:
    return timezone.localdate()
