"""Retried money requests (幂等): a request that takes money carries a key (the cash desk makes one per
attempt); the same key again answers with the first request's payment instead of taking the money twice,
and a different request under a used key is refused.

Look the key up before the payer lock (the cheap answer to a retry) and again under it (a twin
request sent at the same moment may have won the lock).
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from billing.models import Payment
from billing.services.common import field_error
from core.errors import DomainError

KEY_MAX = 64  # Payment.idempotency_key


def request_key(raw: str) -> str:
    """The key as sent, trimmed; a field error when it is missing or too long."""
    key = (raw or "").strip()
    if not key or len(key) > KEY_MAX:
        raise field_error("idempotency_key", _("缺少请求编号（1–64 个字符）。"))
    return key


def conflict() -> DomainError:
    return DomainError(_("该请求已处理过，但内容不同；请刷新后重试。"), code="idempotency_conflict", status_code=409)


def replayed(key: str, *, house_id: int, amount: Decimal, method: str) -> Payment | None:
    """The payment an earlier request under `key` made when it asked for the same (payer, amount,
    method); None when the key is new."""
    existing = Payment.objects.filter(idempotency_key=key).first()
    if existing is None:
        return None
    if existing.house_id != house_id or existing.amount != amount or existing.method != method:
        raise conflict()
    return existing
