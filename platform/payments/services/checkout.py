"""Starting a payment: quote the chosen items, store the order (and its out_trade_no) before the
gateway hears of it, ask the gateway for a prepay, hand the client what it pays with.

Items are held by one live order at a time (a partial unique index on the lines). Asking again for
items the same user is already paying closes that attempt at the gateway first (WeChat Pay's rule
before a new out_trade_no for the same goods), so at most one of them can ever be paid; items held
by someone else's live attempt are refused until it ends or expires. Gateway calls happen outside
any transaction; each step that follows one is an action of its own.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from core.actions import action
from core.errors import DomainError
from payments import bridge, gateways
from payments.gateways import GatewayError, Prepay
from payments.models import Channel, OrderStatus, PaymentEvent, PaymentOrder, PaymentOrderLine
from payments.services import orders, watch

logger = logging.getLogger(__name__)
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_out_trade_no() -> str:
    """W + local time to the second + 12 random characters: 27 of the 32 allowed, sortable by time."""
    stamp = timezone.localtime().strftime("%Y%m%d%H%M%S")
    return "W" + stamp + "".join(secrets.choice(_ALPHABET) for _ in range(12))


class AlreadyPaid(DomainError):
    def __init__(self) -> None:
        super().__init__(_("这些费用刚刚已支付成功，请刷新账单。"), code="already_paid", status_code=409)


def merchant_of(gateway_name: str, company: Any) -> dict[str, str]:
    """What the gateway needs of this company, or a 409 when the company (or the deployment) takes
    no payments through it."""
    try:
        gateway = gateways.get(gateway_name)
    except (GatewayError, KeyError) as exc:
        raise DomainError(
            _("暂不支持该支付方式，请选择其他方式或在营业厅缴费。"),
            code=f"{gateway_name}_not_configured",
            status_code=409,
        ) from exc
    return dict(gateway.merchant_for(company))


def expected_merchant(gateway_name: str, merchant: dict[str, str]) -> dict[str, str]:
    """The merchant ids a gateway's reports must carry for this company."""
    return dict(gateways.get(gateway_name).merchant_ids(merchant))


def quote(*, purpose: str, user: Any, payer_id: int, item_ids: Sequence[int] | None) -> bridge.Quote:
    """What paying these items would come to now (the purpose checks who asks); nothing is written."""
    return bridge.payable(purpose).quote(user=user, payer_id=payer_id, item_ids=item_ids)


def start_payment(
    *,
    company: Any,
    user: Any,
    purpose: str,
    payer_id: int,
    item_ids: Sequence[int] | None,
    idempotency_key: str,
    gateway_name: str = "wechatpay",
    channel: str = Channel.JSAPI,
    payer_ip: str | None = None,
) -> PaymentOrder:
    """The owner's "pay": an order in pending with its client parameters, or a DomainError.
    `channel`: jsapi (in WeChat, the owner's openid pays) or h5 (a browser opens the gateway's page)."""
    key = (idempotency_key or "").strip()
    if not key or len(key) > 64:
        raise DomainError(_("缺少请求编号。"), fields={"idempotency_key": [_("缺少请求编号（1–64 个字符）。")]})
    existing = PaymentOrder.objects.filter(idempotency_key=key).first()
    if existing is not None:
        if existing.created_by_id != user.pk or existing.payer_id != payer_id:
            raise DomainError(_("该请求编号已用于其他支付。"), code="idempotency_conflict", status_code=409)
        return existing  # a retried request: the same attempt, whatever state it reached
    merchant = merchant_of(gateway_name, company)
    payer_account = ""
    if gateway_name == "wechatpay" and channel == Channel.JSAPI:
        payer_account = user.wechat_openid or ""
        if not payer_account:
            raise DomainError(_("请在微信小程序中登录后支付。"), code="wechat_login_required", status_code=409)
    quoted = quote(purpose=purpose, user=user, payer_id=payer_id, item_ids=item_ids)
    _end_earlier_attempts(company, user, purpose, [line.item_id for line in quoted.lines])
    order = _create_order(
        quote=quoted,
        purpose=purpose,
        user=user,
        gateway_name=gateway_name,
        key=key,
        payer_account=payer_account,
        channel=channel,
        payer_ip=payer_ip,
    )
    gateway = gateways.get(gateway_name)
    try:
        prepay = gateway.prepay(order, merchant=merchant, payer_account=payer_account)
    except GatewayError as exc:
        if exc.unreachable:
            # Nobody knows whether the gateway made the order: the sweeper asks it later.
            logger.warning("prepay of %s unanswered: %s", order.out_trade_no, exc)
            raise DomainError(
                _("支付服务暂时不可用，请稍后再试。"), code="gateway_unavailable", status_code=503
            ) from exc
        _refused(order.pk, exc)
        raise DomainError(
            _("支付渠道拒绝了该订单（%(code)s）。") % {"code": exc.code}, code="gateway_refused", status_code=503
        ) from exc
    return _prepaid(order.pk, prepay)


def _end_earlier_attempts(company: Any, user: Any, purpose: str, item_ids: list[int]) -> None:
    """Close the live orders holding these items: the user's own earlier attempts, or anyone's that
    expired. Someone else's live attempt is refused (409)."""
    now = timezone.now()
    holders = PaymentOrder.objects.filter(
        purpose=purpose,
        lines__item_id__in=item_ids,
        lines__holds=True,
        status__in=[OrderStatus.CREATED, OrderStatus.PENDING],
    ).distinct()
    for holder in holders:
        if holder.created_by_id != user.pk and holder.expires_at > now:
            raise DomainError(_("所选费用正在由他人支付中，请稍后再试。"), code="charge_in_payment", status_code=409)
    for holder in holders:
        close_attempt(holder, company=company, source="reissue")


def close_attempt(order: PaymentOrder, *, company: Any, source: str) -> PaymentOrder:
    """Close an attempt at the gateway, then here. If the gateway says it was paid meanwhile, the
    payment is settled (credited once) and AlreadyPaid is raised."""
    gateway = gateways.get(order.gateway)
    merchant = merchant_of(order.gateway, company)
    try:
        gateway.close(order, merchant=merchant)
    except GatewayError as exc:
        if exc.unreachable:
            raise DomainError(
                _("支付服务暂时不可用，请稍后再试。"), code="gateway_unavailable", status_code=503
            ) from exc
        if exc.code != "ORDERNOTEXIST":  # ORDERPAID and the like: ask what really happened
            state = gateway.query(order, merchant=merchant)
            settled = orders.settle(
                order_id=order.pk,
                state=state,
                merchant=expected_merchant(order.gateway, merchant),
                source=source,
                method=gateway.method,
            )
            if settled.status in orders.PAID_STATES:
                raise AlreadyPaid() from exc
            return settled
    return _closed(order.pk, source=source)


@action
def _closed(order_id: int, *, source: str) -> PaymentOrder:
    order = orders.locked(order_id)
    if order.status == OrderStatus.PENDING:
        return orders.transition(order, OrderStatus.CLOSED, source=source, evidence={"closed": True})
    if order.status == OrderStatus.CREATED:  # the gateway never made it
        return orders.transition(order, OrderStatus.FAILED, source=source, evidence={"closed": True})
    return order


@action
def _create_order(
    *,
    quote: bridge.Quote,
    purpose: str,
    user: Any,
    gateway_name: str,
    key: str,
    payer_account: str,
    channel: str,
    payer_ip: str | None,
) -> PaymentOrder:
    order = PaymentOrder.objects.create(
        purpose=purpose,
        payer_kind=quote.payer_kind,
        payer_id=quote.payer_id,
        amount=quote.total,
        description=quote.description,
        gateway=gateway_name,
        channel=channel,
        payer_ip=payer_ip or None,
        out_trade_no=new_out_trade_no(),
        idempotency_key=key,
        payer_account=payer_account,
        expires_at=timezone.now() + timedelta(minutes=settings.PAYMENT_ORDER_TTL_MINUTES),
        created_by=user if getattr(user, "pk", None) else None,
    )
    watch.watch_after_commit()
    try:
        PaymentOrderLine.objects.bulk_create(
            [
                PaymentOrderLine(
                    order=order,
                    purpose=purpose,
                    item_id=line.item_id,
                    amount=line.amount,
                    late_fee=line.late_fee,
                    label=line.label,
                )
                for line in quote.lines
            ]
        )
    except IntegrityError:  # another attempt took an item since we looked (the partial unique index)
        raise DomainError(
            _("所选费用正在由他人支付中，请稍后再试。"), code="charge_in_payment", status_code=409
        ) from None
    PaymentEvent.objects.create(
        order=order,
        from_status="",
        to_status=OrderStatus.CREATED,
        source="api",
        evidence={"quote": [[line.item_id, str(line.amount), str(line.late_fee)] for line in quote.lines]},
    )
    account_services.record_audit(
        actor=user,
        action="payment_order.created",
        object_type="paymentorder",
        object_id=order.pk,
        after={
            "amount": str(order.amount),
            "out_trade_no": order.out_trade_no,
            "gateway": gateway_name,
            "channel": channel,
        },
    )
    return order


@action
def _prepaid(order_id: int, prepay: Prepay) -> PaymentOrder:
    order = orders.locked(order_id)
    if order.status != OrderStatus.CREATED:
        return order
    return orders.transition(
        order,
        OrderStatus.PENDING,
        source="gateway",
        evidence=dict(prepay.raw),
        prepay_id=prepay.reference,
        client_params=dict(prepay.client_params),
    )


@action
def _refused(order_id: int, error: GatewayError) -> PaymentOrder:
    order = orders.locked(order_id)
    evidence = {"code": error.code, "message": error.message, "status": error.status}
    return orders.transition(order, OrderStatus.FAILED, source="gateway", evidence=evidence)
