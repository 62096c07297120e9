"""Reads of payment orders, already scoped to who asks."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from payments import bridge
from payments.models import (
    REFUND_LIVE,
    ItemKind,
    OrderStatus,
    PaymentEvent,
    PaymentOrder,
    PaymentRefund,
    PaymentRefundEvent,
    ReconciliationItem,
    ReconciliationRun,
    RefundSource,
    RefusedNotification,
    Settlement,
)


def with_lines(order_id: int) -> PaymentOrder:
    return PaymentOrder.objects.prefetch_related("lines").get(pk=order_id)


def paid_order_for(*, purpose: str, item_id: int) -> PaymentOrder | None:
    """The order that paid an item of a purpose, with money left in it (not yet wholly refunded)."""
    return (
        PaymentOrder.objects.filter(
            purpose=purpose,
            lines__purpose=purpose,
            lines__item_id=item_id,
            status__in=[OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED],
            settlement=Settlement.ALLOCATED,
        )
        .order_by("-paid_at", "-id")
        .first()
    )


def owner_order(user: Any, order_id: int) -> PaymentOrder | None:
    """One of the orders this owner started (None for anyone else's: the caller answers 404)."""
    if user is None or user.pk is None:
        return None
    return PaymentOrder.objects.prefetch_related("lines").filter(pk=order_id, created_by=user).first()


# --- the owner's card page (payments.api.card_page) --------------------------------------------
# Its link proves itself: an HMAC (SECRET_KEY) of the company's schema and the order, so a link is
# unguessable, names one order of one company, and needs nothing stored.
CARD_PAGE_SALT = "wuye.payments.card_page"
CARD_PAGE_ORDER = re.compile(r"^[A-Z0-9]{1,32}$")


def card_page_key(schema: str, out_trade_no: str) -> str:
    return salted_hmac(CARD_PAGE_SALT, f"{schema}|{out_trade_no}", algorithm="sha256").hexdigest()[:40]


def card_page_path(schema: str, order: PaymentOrder) -> str:
    """The card page of a card order, on its company's host (the link the app opens)."""
    return f"/pay/card/{order.out_trade_no}/{card_page_key(schema, order.out_trade_no)}/"


def card_page_order(schema: str, out_trade_no: str, key: str) -> PaymentOrder | None:
    """The card order a link names in this company, or None (a wrong key and another company's order
    alike: the page answers 404 and says nothing more)."""
    if not CARD_PAGE_ORDER.match(out_trade_no) or not constant_time_compare(key, card_page_key(schema, out_trade_no)):
        return None
    return PaymentOrder.objects.prefetch_related("lines").filter(out_trade_no=out_trade_no, gateway="stripe").first()


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def staff_orders(
    *,
    status: str = "",
    gateway: str = "",
    house: int | None = None,
    created_from: date | None = None,
    created_to: date | None = None,
    paid_from: date | None = None,
    paid_to: date | None = None,
    search: str = "",
) -> QuerySet[PaymentOrder]:
    """Every payment order of this company, for staff: the filters of the 在线支付 list (dates are
    whole local days, both ends included; `search` is an out_trade_no or the gateway's reference,
    exact or a prefix)."""
    orders = PaymentOrder.objects.all()
    if status:
        orders = orders.filter(status=status)
    if gateway:
        orders = orders.filter(gateway=gateway)
    if house is not None:
        orders = orders.filter(payer_kind="house", payer_id=house)
    if created_from:
        orders = orders.filter(created_at__gte=_day_start(created_from))
    if created_to:
        orders = orders.filter(created_at__lt=_day_start(created_to + timedelta(days=1)))
    if paid_from:
        orders = orders.filter(paid_at__gte=_day_start(paid_from))
    if paid_to:
        orders = orders.filter(paid_at__lt=_day_start(paid_to + timedelta(days=1)))
    term = re.sub(r"\s+", "", search or "")
    if term:
        orders = orders.filter(Q(out_trade_no__startswith=term) | Q(gateway_reference__startswith=term))
    return orders.order_by("-created_at", "-id")


def staff_order(order_id: int) -> PaymentOrder | None:
    """One order with its lines and its event trail (oldest first), for the staff detail."""
    return (
        PaymentOrder.objects.prefetch_related("lines", Prefetch("events", PaymentEvent.objects.order_by("id")))
        .filter(pk=order_id)
        .first()
    )


def order_settled_as(purpose: str, reference: str) -> PaymentOrder | None:
    """The paid order whose money the purpose recorded under `reference` (billing: the payment id)."""
    return (
        PaymentOrder.objects.filter(purpose=purpose, settlement=Settlement.ALLOCATED, settled_reference=reference)
        .exclude(gateway="offline")
        .first()
    )


# Keys whose values never reach a screen whole: who paid (the openid / account) and anything that
# signs, encrypts or authenticates.
_PAYER_KEYS = re.compile(r"openid|payer_account|account|buyer|card|phone|mobile", re.IGNORECASE)
_SECRET_KEYS = re.compile(
    r"secret|sign|key|token|password|passwd|cipher|nonce|associated_data|private|serial|credential|authorization",
    re.IGNORECASE,
)
SECRET_MASK = "******"


def mask_identifier(value: str) -> str:
    """An openid or an account number: the first 3 and last 4 characters, the rest hidden."""
    if len(value) <= 8:
        return "*" * len(value)
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"


def masked_evidence(evidence: Any, *, key: str = "") -> Any:
    """An event's evidence as staff see it: the payer's identifiers masked, secret-like values
    replaced, everything else (states, amounts, times, references) as the gateway said it."""
    if isinstance(evidence, Mapping):
        return {str(name): masked_evidence(value, key=str(name)) for name, value in evidence.items()}
    if isinstance(evidence, list | tuple):
        return [masked_evidence(value, key=key) for value in evidence]
    if key and _SECRET_KEYS.search(key) and evidence not in (None, ""):
        return SECRET_MASK
    if key and _PAYER_KEYS.search(key) and isinstance(evidence, str) and evidence:
        return mask_identifier(evidence)
    return evidence


def reconciliation_runs() -> QuerySet[ReconciliationRun]:
    """Runs, newest day first, each with the number of its open differences (healed ones excluded)."""
    open_items = Q(items__resolved_at__isnull=True) & ~Q(items__kind=ItemKind.HEALED)
    return ReconciliationRun.objects.select_related("job").annotate(
        item_count=Count("items", filter=~Q(items__kind=ItemKind.HEALED)),
        open_count=Count("items", filter=open_items),
        healed_count=Count("items", filter=Q(items__kind=ItemKind.HEALED)),
    )


def reconciliation_items(run_id: int) -> QuerySet[ReconciliationItem]:
    return ReconciliationItem.objects.filter(run_id=run_id).select_related("resolved_by").order_by("id")


def refunds_of(order_id: int) -> list[PaymentRefund]:
    return list(PaymentRefund.objects.filter(order_id=order_id).order_by("id"))


def purpose_refund_states(references: Iterable[str]) -> dict[str, str]:
    """The latest channel refund's status for each purpose reference asked (`vendor_order:12`): what a
    purpose shows its staff — refunding, refunded, or failed/closed and to be asked again."""
    latest: dict[str, str] = {}
    rows = (
        PaymentRefund.objects.filter(source=RefundSource.PURPOSE, purpose_reference__in=list(references))
        .order_by("purpose_reference", "id")
        .values_list("purpose_reference", "status")
    )
    for reference, status in rows:
        latest[reference] = status
    return latest


def refused_notifications() -> QuerySet[RefusedNotification]:
    return RefusedNotification.objects.order_by("-received_at", "-id")


@dataclass
class OrderRefund:
    """One refund of an order as staff see it: the purpose's request (who asked, who decided) with
    its channel refunds — a failed one asked again is a second — and their evidence, oldest first;
    or a refund payments made on its own (a lost race), which has no request."""

    source: str
    amount: Decimal
    reason: str
    status: str  # the request's status; a lost race's: its channel refund's
    request_id: int | None = None
    method: str = ""
    requested_by_name: str = ""
    requested_at: datetime | None = None
    decided_by_name: str = ""
    decided_at: datetime | None = None
    decision_note: str = ""
    channel_refunds: list[PaymentRefund] = field(default_factory=list)

    @property
    def latest(self) -> PaymentRefund | None:
        return self.channel_refunds[-1] if self.channel_refunds else None

    @property
    def channel_status(self) -> str:
        return str(self.latest.status) if self.latest else ""

    @property
    def out_refund_no(self) -> str:
        return self.latest.out_refund_no if self.latest else ""

    @property
    def channel_refund_no(self) -> str:
        """The gateway's refund id (WeChat Pay's refund_id), once it said it."""
        return self.latest.gateway_reference if self.latest else ""

    @property
    def events(self) -> list[PaymentRefundEvent]:
        return [event for refund in self.channel_refunds for event in refund.events.all()]


@dataclass
class OrderRefunds:
    refunds: list[OrderRefund]
    refundable: Decimal  # what a new refund request may ask for now


def order_refunds(order: PaymentOrder) -> OrderRefunds:
    """An order's refunds for the staff detail: the purpose's requests (through payments.bridge) joined
    to the channel refunds carrying their reference, then any channel refund of no request. Refundable:
    what the purpose still allows, within what the order has not promised back already."""
    channel = list(
        PaymentRefund.objects.filter(order=order)
        .prefetch_related(Prefetch("events", PaymentRefundEvent.objects.order_by("id")))
        .order_by("id")
    )
    provider = bridge.refund_book(order.purpose)
    book = None
    if provider is not None and order.settlement == Settlement.ALLOCATED and order.settled_reference:
        book = provider(settled_reference=order.settled_reference)
    refunds: list[OrderRefund] = []
    claimed: set[int] = set()
    for request in book.requests if book else ():
        attempts = [r for r in channel if r.source == RefundSource.PURPOSE and r.purpose_reference == request.reference]
        claimed.update(r.pk for r in attempts)
        refunds.append(
            OrderRefund(
                source=RefundSource.PURPOSE,
                amount=request.amount,
                reason=request.reason,
                status=request.status,
                request_id=request.request_id,
                method=request.method,
                requested_by_name=request.requested_by,
                requested_at=request.requested_at,
                decided_by_name=request.decided_by,
                decided_at=request.decided_at,
                decision_note=request.decision_note,
                channel_refunds=attempts,
            )
        )
    for refund in channel:
        if refund.pk not in claimed:
            refunds.append(
                OrderRefund(
                    source=str(refund.source),
                    amount=refund.amount,
                    reason=refund.reason,
                    status=str(refund.status),
                    requested_at=refund.created_at,
                    channel_refunds=[refund],
                )
            )
    refundable = Decimal("0.00")
    if book is not None and order.status in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED):
        promised = sum((r.amount for r in channel if r.status in REFUND_LIVE), Decimal("0.00"))
        refundable = max(Decimal("0.00"), min(book.refundable, order.amount - promised))
    return OrderRefunds(refunds=refunds, refundable=refundable)
