"""What happens on the payer's phone and the notifications WeChat Pay sends — the WeChat Pay stand-in's
side, for tests and the demo (not part of WeChat Pay's API, which is standins.wechatpay):
`pay()` marks an order paid and returns its TRANSACTION.SUCCESS notification, built as WeChat Pay
builds them (AEAD_AES_256_GCM resource, signed with the platform key); `notification(...,
forged=True)` signs with a stranger's key under the same serial; `finish_refund(..., status=...)`
ends a refund and returns its REFUND.<status> notification; `deliver` sends one to its notify_url
over HTTP in the background (the pay page, standins.views, does: once, twice, late or after a
forged one).
"""

from __future__ import annotations

import contextlib
import json
import secrets
import threading
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

from payments.gateways import wechatpay_sign as crypto
from standins.wechatpay import PREFIX, _load, _now_text, _refund_view, _save, _store, _transaction, keys


@dataclass(frozen=True)
class Delivery:
    """One notification as it goes over the wire: where, headers, raw body."""

    url: str
    headers: dict[str, str]
    body: bytes


def notification(
    *,
    url: str,
    event_type: str,
    resource: dict[str, Any],
    original_type: str,
    forged: bool = False,
    now: float | None = None,
) -> Delivery:
    k = keys()
    plaintext = json.dumps(resource, ensure_ascii=False).encode()
    envelope = {
        "id": str(uuid.uuid4()),
        "create_time": _now_text(),
        "resource_type": "encrypt-resource",
        "event_type": event_type,
        "summary": {
            "TRANSACTION.SUCCESS": "支付成功",
            "REFUND.SUCCESS": "退款成功",
            "REFUND.CLOSED": "退款关闭",
            "REFUND.ABNORMAL": "退款异常",
        }.get(event_type, ""),
        "resource": crypto.encrypt_resource(
            k.apiv3_key, plaintext, associated_data=original_type, original_type=original_type
        ),
    }
    body = json.dumps(envelope, ensure_ascii=False).encode()
    signer = crypto.generate_key() if forged else crypto.load_private_key(k.platform_private)
    return Delivery(url=url, headers=crypto.signed_headers(signer, k.platform_serial, body, now=now), body=body)


def order_by_prepay(prepay_id: str) -> dict[str, Any] | None:
    ref = _store().get(f"{PREFIX}prepay:{prepay_id}")
    if not ref:
        return None
    sub_mchid, out_trade_no = str(ref).split(":", 1)
    return _load(sub_mchid, out_trade_no)


def pay(*, sub_mchid: str, out_trade_no: str) -> Delivery:
    """The payer confirms on their phone: the order is paid and its TRANSACTION.SUCCESS notification
    is returned (not sent: the caller delivers it, once, twice, late or never)."""
    order = _load(sub_mchid, out_trade_no)
    if order is None or order["trade_state"] not in ("NOTPAY", "SUCCESS"):
        raise ValueError(f"order {out_trade_no} cannot be paid ({order and order['trade_state']})")
    if order["trade_state"] == "NOTPAY":
        from standins import wechatpay_bill

        order.update(trade_state="SUCCESS", transaction_id="42" + secrets.token_hex(13)[:26], success_time=_now_text())
        _save(order)
        wechatpay_bill.record_payment(order)
    return notification(
        url=order["notify_url"],
        event_type="TRANSACTION.SUCCESS",
        resource=_transaction(order),
        original_type="transaction",
    )


def finish_refund(*, sub_mchid: str, out_trade_no: str, out_refund_no: str, status: str = "SUCCESS") -> Delivery:
    """The refund ends — SUCCESS (it reached the payer), CLOSED or ABNORMAL — and its REFUND.<status>
    notification is returned (to deliver). A refund that ended already keeps its end."""
    order = _load(sub_mchid, out_trade_no)
    if order is None or out_refund_no not in order["refunds"]:
        raise ValueError(f"no refund {out_refund_no}")
    refund = order["refunds"][out_refund_no]
    if refund["status"] == "PROCESSING":
        refund.update(status=status)
        if status == "SUCCESS":
            refund["success_time"] = _now_text()
        _save(order)
    view = _refund_view(order, out_refund_no, refund)
    resource = {**view, "refund_status": refund["status"]}
    resource.pop("status", None)
    return notification(
        url=refund["notify_url"], event_type=f"REFUND.{refund['status']}", resource=resource, original_type="refund"
    )


def loopback(url: str) -> tuple[str, dict[str, str]]:
    """A `*.localhost` notify URL (the demo's company hosts; loopback by RFC 6761, which browsers
    honour but the system resolver may not) is reached on 127.0.0.1 with its Host header."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if host != "localhost" and not host.endswith(".localhost"):
        return url, {}
    netloc = "127.0.0.1" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc)), {"Host": parts.netloc}


def deliver(delivery: Delivery, *, delay: float = 0.0) -> None:
    """Send a notification to its notify_url over HTTP, in the background (as WeChat Pay's servers do)."""

    url, host = loopback(delivery.url)

    def post() -> None:
        with contextlib.suppress(requests.RequestException):  # WeChat Pay would retry; the sweeper queries
            requests.post(
                url,
                data=delivery.body,
                headers={**delivery.headers, **host, "Content-Type": "application/json"},
                timeout=5,
            )

    timer = threading.Timer(delay, post)
    timer.daemon = True
    timer.start()
