"""WeChat Pay API v3 in service-provider mode (服务商): the platform is the service provider
(`sp_mchid`, `sp_appid`), each company a sub-merchant (`sub_mchid`) with its mini-program (`sub_appid`).

settings.WECHATPAY_BACKEND chooses the backend: "wechatpay" (https://api.mch.weixin.qq.com, the
default outside the demo), "standin" (the same client, signing and verifying, talking in-process to
standins.wechatpay — the demo and tests only; core.adapters refuses it in production) or "disabled"
(a deployment that takes no WeChat payments says so explicitly). Every answer of the provider is
verified before it is believed; every notification is verified over its raw body and decrypted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit
from zoneinfo import ZoneInfo

import requests
from django.conf import settings
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy

from core.adapters import Binding
from payments.gateways import (
    GatewayError,
    GatewayState,
    Notification,
    Prepay,
    RefundState,
    TradeBill,
    VerificationFailed,
)
from payments.gateways import wechatpay_sign as crypto
from payments.gateways.wechatpay_bill import parse_trade_bill

REAL_BASE = "https://api.mch.weixin.qq.com"
SHANGHAI = ZoneInfo("Asia/Shanghai")
TRADE_STATES = {
    "SUCCESS": "paid",
    "REFUND": "paid",  # paid, then (part) refunded: the payment itself happened
    "NOTPAY": "pending",
    "USERPAYING": "pending",
    "CLOSED": "closed",
    "REVOKED": "closed",
    "PAYERROR": "failed",
}
REFUND_STATES = {"SUCCESS": "refunded", "PROCESSING": "processing", "CLOSED": "closed", "ABNORMAL": "failed"}
ENV = {  # setting key -> the environment variable an operator sets
    "SP_MCHID": "WECHATPAY_SP_MCHID",
    "SP_APPID": "WECHATPAY_SP_APPID",
    "APIV3_KEY": "WECHATPAY_APIV3_KEY",
    "MERCHANT_SERIAL": "WECHATPAY_MERCHANT_SERIAL",
    "MERCHANT_PRIVATE_KEY": "WECHATPAY_MERCHANT_PRIVATE_KEY",
    "PLATFORM_SERIAL": "WECHATPAY_PLATFORM_SERIAL",
    "PLATFORM_PUBLIC_KEY": "WECHATPAY_PLATFORM_PUBLIC_KEY",
}


@dataclass(frozen=True)
class WechatPayConfig:
    sp_mchid: str
    sp_appid: str
    apiv3_key: str = field(repr=False)
    merchant_serial: str
    merchant_private_key: str = field(repr=False)  # PEM
    platform_keys: Mapping[str, str]  # Wechatpay-Serial -> PEM (public key or certificate)
    api_base: str = REAL_BASE

    @classmethod
    def from_settings(cls) -> WechatPayConfig:
        conf = settings.WECHATPAY
        serial, key = conf.get("PLATFORM_SERIAL", ""), conf.get("PLATFORM_PUBLIC_KEY", "")
        return cls(
            sp_mchid=conf.get("SP_MCHID", ""),
            sp_appid=conf.get("SP_APPID", ""),
            apiv3_key=conf.get("APIV3_KEY", ""),
            merchant_serial=conf.get("MERCHANT_SERIAL", ""),
            merchant_private_key=conf.get("MERCHANT_PRIVATE_KEY", ""),
            platform_keys={serial: key} if serial and key else {},
            api_base=conf.get("API_BASE", REAL_BASE).rstrip("/"),
        )

    def missing(self) -> tuple[str, ...]:
        absent = [
            ENV[name]
            for name, value in (
                ("SP_MCHID", self.sp_mchid),
                ("SP_APPID", self.sp_appid),
                ("MERCHANT_SERIAL", self.merchant_serial),
                ("MERCHANT_PRIVATE_KEY", self.merchant_private_key),
            )
            if not value
        ]
        if len(self.apiv3_key.encode()) != 32:
            absent.append(f"{ENV['APIV3_KEY']} (32 bytes)")
        if not self.platform_keys:
            absent.append(f"{ENV['PLATFORM_SERIAL']}, {ENV['PLATFORM_PUBLIC_KEY']}")
        if not self.api_base.startswith("https://"):
            absent.append("WECHATPAY_API_BASE (https)")
        return tuple(absent)


def binding() -> Binding:
    """core.adapters' probe."""
    backend = settings.WECHATPAY_BACKEND
    if backend == "standin":
        return Binding(adapter="wechatpay", backend=backend, standin=True)
    if backend == "disabled":
        return Binding(adapter="wechatpay", backend=backend, standin=False)
    if backend == "wechatpay":
        config = WechatPayConfig.from_settings()
        return Binding(adapter="wechatpay", backend=config.api_base, standin=False, missing=config.missing())
    return Binding(adapter="wechatpay", backend=backend, standin=False, missing=("WUYE_WECHATPAY_BACKEND",))


def gateway() -> WechatPayGateway:
    backend = settings.WECHATPAY_BACKEND
    if backend == "wechatpay":
        return WechatPayGateway(WechatPayConfig.from_settings(), requests.Session())
    if backend == "standin":
        from standins import wechatpay as standin

        return WechatPayGateway(standin.demo_config(), standin.in_process_session())
    raise GatewayError("DISABLED", "WeChat Pay is not configured on this deployment")


def _when(text: str | None) -> datetime | None:
    return parse_datetime(text) if text else None


def _expire(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).replace(microsecond=0).isoformat()


class WechatPayGateway:
    name = "wechatpay"
    method = "wechat"
    label = gettext_lazy("微信支付")
    channels: tuple[str, ...] = (
        "jsapi",
        "h5",
    )  # requestPayment in the mini-program (the payer's openid); WeChat's H5 cashier

    def __init__(self, config: WechatPayConfig, session: requests.Session):
        self.config = config
        self.session = session

    @cached_property
    def _private_key(self) -> Any:
        return crypto.load_private_key(self.config.merchant_private_key)

    @cached_property
    def _platform_keys(self) -> dict[str, Any]:
        return {serial: crypto.load_public_key(pem) for serial, pem in self.config.platform_keys.items()}

    def _send(self, method: str, url_path: str, text: str, *, accept: str = "application/json") -> requests.Response:
        """One signed request (WECHATPAY2-SHA256-RSA2048 over method, path, body); the raw answer."""
        headers = {
            "Authorization": crypto.authorization(
                self._private_key,
                mchid=self.config.sp_mchid,
                serial=self.config.merchant_serial,
                method=method,
                url_path=url_path,
                body=text,
            ),
            "Accept": accept,
            "User-Agent": "wuye-payments/1",
        }
        if text:
            headers["Content-Type"] = "application/json"
        try:
            response = self.session.request(
                method, self.config.api_base + url_path, data=text.encode(), headers=headers, timeout=(3, 10)
            )
        except requests.RequestException as exc:
            raise GatewayError("UNREACHABLE", exc.__class__.__name__) from exc
        if response.status_code >= 300:
            try:
                error = response.json()
            except ValueError:
                error = {}
            raise GatewayError(
                str(error.get("code") or "HTTP_ERROR"),
                str(error.get("message") or ""),
                status=response.status_code,
                body=error,
            )
        return response

    def _call(
        self, method: str, path: str, *, body: Mapping[str, Any] | None = None, query: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        url_path = path + (f"?{urlencode(query)}" if query else "")
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":")) if body is not None else ""
        response = self._send(method, url_path, text)
        try:  # an answer we cannot verify is one we never got
            crypto.verify_signed(
                self._platform_keys, {k.lower(): v for k, v in response.headers.items()}, response.content
            )
        except VerificationFailed as exc:
            raise GatewayError("RESPONSE_NOT_VERIFIED", str(exc)) from exc
        return response.json() if response.content else {}

    def merchant_for(self, company: Any) -> dict[str, str]:
        from payments.services.merchant import wechat_merchant  # the company's sub-merchant settings

        return wechat_merchant(company)

    def merchant_ids(self, merchant: Mapping[str, str]) -> dict[str, str]:
        return {"sp_mchid": self.config.sp_mchid, "sub_mchid": merchant["sub_mchid"]}

    _merchant = merchant_ids

    def prepay(self, order: Any, *, merchant: Mapping[str, str], payer_account: str) -> Prepay:
        """JSAPI (the mini-program: requestPayment's signed parameters) or H5 (a phone's browser: the
        h5_url to open, WeChat's cashier page, which returns to the app afterwards)."""
        body = {
            "sp_appid": self.config.sp_appid,
            "sub_appid": merchant["sub_appid"],
            **self._merchant(merchant),
            "description": order.description,
            "out_trade_no": order.out_trade_no,
            "time_expire": _expire(order.expires_at),
            "notify_url": merchant["notify_url"],
            "amount": {"total": order.amount_fen, "currency": "CNY"},
        }
        if getattr(order, "channel", "jsapi") == "h5":
            body["scene_info"] = {"payer_client_ip": getattr(order, "payer_ip", None) or "", "h5_info": {"type": "Wap"}}
            answer = self._call("POST", "/v3/pay/partner/transactions/h5", body=body)
            h5_url = str(answer.get("h5_url") or "")
            if not h5_url.startswith(("https://", "http://")):
                raise GatewayError("NO_H5_URL", "answer without h5_url", status=200, body=answer)
            prepay_id = (parse_qs(urlsplit(h5_url).query).get("prepay_id") or [""])[0]
            return Prepay(reference=prepay_id, client_params={"pay_url": h5_url}, raw=answer)
        body["payer"] = {"sub_openid": payer_account}
        answer = self._call("POST", "/v3/pay/partner/transactions/jsapi", body=body)
        prepay_id = str(answer.get("prepay_id") or "")
        if not prepay_id:
            raise GatewayError("NO_PREPAY_ID", "answer without prepay_id", status=200, body=answer)
        params = crypto.pay_sign(self._private_key, appid=merchant["sub_appid"], prepay_id=prepay_id)
        return Prepay(reference=prepay_id, client_params=params, raw=answer)

    def query(self, order: Any, *, merchant: Mapping[str, str]) -> GatewayState:
        path = f"/v3/pay/partner/transactions/out-trade-no/{quote(order.out_trade_no)}"
        try:
            answer = self._call("GET", path, query=self._merchant(merchant))
        except GatewayError as exc:
            if exc.code == "ORDERNOTEXIST":
                return GatewayState(state="unknown", out_trade_no=order.out_trade_no, raw=exc.body or {})
            raise
        return transaction_state(answer)

    def close(self, order: Any, *, merchant: Mapping[str, str]) -> None:
        path = f"/v3/pay/partner/transactions/out-trade-no/{quote(order.out_trade_no)}/close"
        self._call("POST", path, body=self._merchant(merchant))

    def refund(
        self, order: Any, *, merchant: Mapping[str, str], out_refund_no: str, amount_fen: int, reason: str
    ) -> RefundState:
        body = {
            "sub_mchid": merchant["sub_mchid"],
            "out_trade_no": order.out_trade_no,
            "out_refund_no": out_refund_no,
            "reason": reason[:80],
            "notify_url": merchant["notify_url"],
            "amount": {"refund": amount_fen, "total": order.amount_fen, "currency": "CNY"},
        }
        return refund_state(self._call("POST", "/v3/refund/domestic/refunds", body=body))

    def trade_bill(self, bill_date: date, merchant: Mapping[str, str]) -> TradeBill:
        """申请交易账单 for the sub-merchant (signed, verified answer), then its download: the file's
        answer carries no signature (WeChat Pay signs none), so its SHA1 must equal the hash the
        verified answer gave. A day without any trade has no bill (NO_STATEMENT_EXIST): an empty day."""
        query = {"bill_date": bill_date.isoformat(), "sub_mchid": merchant["sub_mchid"], "bill_type": "ALL"}
        try:
            answer = self._call("GET", "/v3/bill/tradebill", query=query)
        except GatewayError as exc:
            if exc.code == "NO_STATEMENT_EXIST":
                return TradeBill(bill_date=bill_date, rows=(), exists=False)
            raise
        url = urlsplit(str(answer.get("download_url") or "").strip())
        base = urlsplit(self.config.api_base)
        if (url.scheme, url.netloc) != (base.scheme, base.netloc) or not url.path:
            # Our signature goes only to WeChat Pay's own host.
            raise GatewayError("BAD_DOWNLOAD_URL", "download_url is not on the API host", status=200, body=answer)
        if str(answer.get("hash_type") or "").upper() != "SHA1":
            raise GatewayError("UNKNOWN_HASH_TYPE", str(answer.get("hash_type")), status=200, body=answer)
        content = self._send("GET", url.path + (f"?{url.query}" if url.query else ""), "", accept="*/*").content
        if hashlib.sha1(content).hexdigest() != str(answer.get("hash_value") or "").lower():  # noqa: S324 (WeChat Pay's choice)
            raise GatewayError("BILL_HASH_MISMATCH", "the downloaded bill is not the one announced", status=200)
        return parse_trade_bill(content, bill_date=bill_date)

    def query_refund(self, order: Any, *, merchant: Mapping[str, str], out_refund_no: str) -> RefundState:
        path = f"/v3/refund/domestic/refunds/{quote(out_refund_no)}"
        try:
            answer = self._call("GET", path, query={"sub_mchid": merchant["sub_mchid"]})
        except GatewayError as exc:
            if exc.code == "RESOURCE_NOT_EXISTS":
                return RefundState(
                    state="unknown",
                    out_refund_no=out_refund_no,
                    out_trade_no=order.out_trade_no,
                    amount_fen=0,
                    raw=exc.body or {},
                )
            raise
        return refund_state(answer)

    def parse_notification(self, headers: Mapping[str, str], body: bytes) -> Notification:
        crypto.verify_signed(self._platform_keys, {k.lower(): v for k, v in headers.items()}, body)
        try:
            envelope = json.loads(body)
            resource = envelope["resource"]
            event_type = str(envelope["event_type"])
        except (ValueError, KeyError, TypeError) as exc:
            raise VerificationFailed("not a notification envelope") from exc
        try:
            decrypted = json.loads(crypto.decrypt_resource(self.config.apiv3_key, resource))
        except ValueError as exc:
            raise VerificationFailed("resource is not JSON") from exc
        if not isinstance(decrypted, dict):
            raise VerificationFailed("resource is not an object")
        raw = {
            "id": envelope.get("id"),
            "event_type": event_type,
            "create_time": envelope.get("create_time"),
            "resource": decrypted,
        }
        event_id = str(envelope.get("id") or "")
        if event_type == "TRANSACTION.SUCCESS":
            return Notification(
                event="transaction.success", event_id=event_id, payment=transaction_state(decrypted), raw=raw
            )
        if event_type.startswith("REFUND."):
            return Notification(event=event_type.lower(), event_id=event_id, refund=refund_state(decrypted), raw=raw)
        return Notification(event="other", event_id=event_id, raw=raw)


def transaction_state(answer: Mapping[str, Any]) -> GatewayState:
    amount = answer.get("amount") or {}
    payer = answer.get("payer") or {}
    return GatewayState(
        state=TRADE_STATES.get(str(answer.get("trade_state")), "failed"),
        out_trade_no=str(answer.get("out_trade_no") or ""),
        reference=str(answer.get("transaction_id") or ""),
        amount_fen=amount.get("total") if isinstance(amount.get("total"), int) else None,
        paid_at=_when(answer.get("success_time")),
        merchant={"sp_mchid": str(answer.get("sp_mchid") or ""), "sub_mchid": str(answer.get("sub_mchid") or "")},
        payer_account=str(payer.get("sub_openid") or payer.get("sp_openid") or ""),
        raw=dict(answer),
    )


def refund_state(answer: Mapping[str, Any]) -> RefundState:
    amount = answer.get("amount") or {}
    status = str(answer.get("refund_status") or answer.get("status") or "")
    return RefundState(
        state=REFUND_STATES.get(status, "failed"),
        out_refund_no=str(answer.get("out_refund_no") or ""),
        out_trade_no=str(answer.get("out_trade_no") or ""),
        amount_fen=int(amount.get("refund") or 0),
        reference=str(answer.get("refund_id") or ""),
        merchant={"sp_mchid": str(answer.get("sp_mchid") or ""), "sub_mchid": str(answer.get("sub_mchid") or "")},
        raw=dict(answer),
    )
