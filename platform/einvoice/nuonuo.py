"""Nuonuo open platform (诺诺开放平台, 诺税通 SaaS) e-invoices: requestBillingNew, queryInvoiceResult.

Every call is a POST to one URL (https://sdk.nuonuo.com/open/v1/services) with `senid` (32 random
hex), `nonce` (8 random digits), `timestamp` (seconds) and `appkey` in the query string; headers carry
the API method name, the access token, the seller's tax number (userTax: in third-party mode the
company that authorised the app) and `X-Nuonuo-Sign`: HMAC-SHA1 with the app secret over
"a=services&l=v1&p=open&k=<appkey>&i=<senid>&n=<nonce>&t=<timestamp>&f=<body>", base64. An answer
is {"code": "E0000", "describe": ..., "result": ...}; any other code is a refusal.

The access token: a configured one (NUONUO_ACCESS_TOKEN: an ISV's, from the company's authorisation)
is used as it is. Without one, a merchant app's token is fetched from https://open.nuonuo.com/accessToken
(form client_id, client_secret, grant_type=client_credentials → {"access_token", "expires_in": 86400})
and shared by every process through Redis until ten minutes before it expires — Nuonuo allows few
fetches a month (about 50), so one process fetches under a Redis lock while the others wait for it.
A call refused as an invalid or expired token (TOKEN_REFUSED) drops the shared token and is sent again
once with a fresh one.

Issuing answers the provider's serial (invoiceSerialNum) at once; the invoice is made later. The
query by order number answers a list with each submission's `status`: "2" done, "20"/"21" in
progress, "22"/"24" failed (`failCause`), with invoiceCode, invoiceNo and pdfUrl once done. A red
invoice (红冲) is another requestBillingNew with invoiceType "2" naming the blue one's code and number.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

import requests
from django.conf import settings

import einvoice
from core import redis_client
from einvoice import EInvoiceError, InvoiceResult, IssueRequest, VoidRequest

REAL_BASE = "https://sdk.nuonuo.com/open/v1/services"
TOKEN_URL = "https://open.nuonuo.com/accessToken"
TOKEN_REFUSED = frozenset({"070202"})  # accessToken无效或已过期
TOKEN_EARLY_SECONDS = 600
TOKEN_LOCK_SECONDS = 30
METHOD_ISSUE = "nuonuo.OpeMplatform.requestBillingNew"
METHOD_QUERY = "nuonuo.OpeMplatform.queryInvoiceResult"
OK = "E0000"
SHANGHAI = ZoneInfo("Asia/Shanghai")
STATES = {"2": "issued", "20": "issuing", "21": "issuing", "22": "failed", "24": "failed"}
TIMEOUT = 10


@dataclass(frozen=True)
class NuonuoConfig:
    app_key: str
    app_secret: str
    access_token: str  # configured (an ISV's); blank: fetched with the app key and secret
    api_base: str
    tax_rate: str  # e.g. "0.06": property management services
    goods_code: str  # 税收分类编码 of the service invoiced
    goods_name: str
    clerk: str  # 开票人
    token_url: str = TOKEN_URL

    @classmethod
    def from_settings(cls) -> NuonuoConfig:
        c = settings.NUONUO
        return cls(
            app_key=c["APP_KEY"],
            app_secret=c["APP_SECRET"],
            access_token=c["ACCESS_TOKEN"],
            api_base=c["API_BASE"],
            tax_rate=c["TAX_RATE"],
            goods_code=c["GOODS_CODE"],
            goods_name=c["GOODS_NAME"],
            clerk=c["CLERK"],
            token_url=c.get("TOKEN_URL") or TOKEN_URL,
        )

    def missing(self) -> tuple[str, ...]:
        absent = [
            f"NUONUO_{name}"
            for name, value in (
                ("APP_KEY", self.app_key),
                ("APP_SECRET", self.app_secret),
                ("GOODS_CODE", self.goods_code),
                ("CLERK", self.clerk),
            )
            if not value
        ]
        if not self.api_base.startswith("https://"):
            absent.append("NUONUO_API_BASE (https)")
        if not self.access_token and not self.token_url.startswith("https://"):
            absent.append("NUONUO_TOKEN_URL (https)")
        return tuple(absent)


def signature(*, path: str, app_key: str, app_secret: str, senid: str, nonce: str, timestamp: str, body: str) -> str:
    pieces = path.split("/")  # "/open/v1/services" -> p=open, l=v1, a=services
    text = f"a={pieces[3]}&l={pieces[2]}&p={pieces[1]}&k={app_key}&i={senid}&n={nonce}&t={timestamp}&f={body}"
    return base64.b64encode(hmac.new(app_secret.encode(), text.encode(), hashlib.sha1).digest()).decode()


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _when(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, int | float) or str(value).isdigit():
        return datetime.fromtimestamp(int(value) / 1000, tz=UTC)
    return datetime.strptime(str(value), "%Y-%m-%d %H:%M:%S").replace(tzinfo=SHANGHAI)


class TokenSource:
    """The access token every call carries: the configured one, or a merchant app's fetched and shared
    through Redis (see the module's docstring)."""

    def __init__(self, config: NuonuoConfig, session: requests.Session):
        self.config = config
        self.session = session
        self.key = f"einvoice:nuonuo:token:{config.app_key}"

    def _redis(self) -> Any:
        return redis_client.client()

    def get(self) -> str:
        if self.config.access_token:
            return self.config.access_token
        store = self._redis()
        deadline = time.monotonic() + TOKEN_LOCK_SECONDS
        while True:
            cached = store.get(self.key)
            if cached:
                return str(cached)
            if store.set(self.key + ":lock", "1", nx=True, ex=TOKEN_LOCK_SECONDS):
                try:
                    token, lifetime = self._fetch()
                    store.set(self.key, token, ex=max(lifetime - TOKEN_EARLY_SECONDS, 60))
                    return token
                finally:
                    store.delete(self.key + ":lock")
            if time.monotonic() > deadline:
                raise EInvoiceError("TOKEN_BUSY", "another process has been fetching the access token too long")
            time.sleep(0.2)

    def drop(self, token: str) -> None:
        """Forget a token the API refused (unless another process has replaced it already)."""
        store = self._redis()
        if store.get(self.key) == token:
            store.delete(self.key)

    def _fetch(self) -> tuple[str, int]:
        form = {
            "client_id": self.config.app_key,
            "client_secret": self.config.app_secret,
            "grant_type": "client_credentials",
        }
        try:
            response = self.session.post(self.config.token_url, data=form, timeout=TIMEOUT)
        except requests.RequestException as error:
            raise EInvoiceError("UNREACHABLE", str(error)) from error
        try:
            answer = response.json()
        except ValueError:
            raise EInvoiceError("BAD_ANSWER", response.text[:200], status=response.status_code) from None
        token = str(answer.get("access_token") or "")
        if response.status_code != 200 or not token:
            describe = str(answer.get("error_description") or answer.get("error") or answer.get("describe") or "")
            raise EInvoiceError("TOKEN_REFUSED", describe[:200], status=response.status_code)
        return token, int(answer.get("expires_in") or 86400)


class NuonuoProvider:
    name = "nuonuo"

    def __init__(self, config: NuonuoConfig, session: requests.Session):
        self.config = config
        self.session = session
        self.tokens = TokenSource(config, session)

    def _call(self, method: str, content: dict[str, Any], *, user_tax: str) -> Any:
        token = self.tokens.get()
        try:
            return self._send(method, content, user_tax=user_tax, token=token)
        except EInvoiceError as error:
            if error.code not in TOKEN_REFUSED or self.config.access_token:
                raise
        self.tokens.drop(token)
        return self._send(method, content, user_tax=user_tax, token=self.tokens.get())

    def _send(self, method: str, content: dict[str, Any], *, user_tax: str, token: str) -> Any:
        body = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
        senid = uuid.uuid4().hex
        nonce = str(secrets.randbelow(90_000_000) + 10_000_000)
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "X-Nuonuo-Sign": signature(
                path=urlsplit(self.config.api_base).path,
                app_key=self.config.app_key,
                app_secret=self.config.app_secret,
                senid=senid,
                nonce=nonce,
                timestamp=timestamp,
                body=body,
            ),
            "accessToken": token,
            "userTax": user_tax,
            "method": method,
        }
        query = urlencode({"senid": senid, "nonce": nonce, "timestamp": timestamp, "appkey": self.config.app_key})
        try:
            response = self.session.post(
                f"{self.config.api_base}?{query}", data=body.encode(), headers=headers, timeout=TIMEOUT
            )
        except requests.RequestException as error:
            raise EInvoiceError("UNREACHABLE", str(error)) from error
        if response.status_code >= 500:
            raise EInvoiceError(f"HTTP_{response.status_code}", response.text[:200], status=response.status_code)
        try:
            answer = response.json()
        except ValueError:
            raise EInvoiceError("BAD_ANSWER", response.text[:200], status=response.status_code) from None
        if answer.get("code") != OK:
            raise EInvoiceError(
                str(answer.get("code") or "UNKNOWN"), str(answer.get("describe") or ""), status=response.status_code
            )
        return answer.get("result")

    def _order(self, request: IssueRequest, *, order_no: str, kind: str, sign: int) -> dict[str, Any]:
        return {
            "order": {
                "buyerName": request.buyer_name,
                "buyerTaxNum": request.buyer_tax_number,
                "salerTaxNum": request.seller_tax_number,
                "salerTel": request.seller_phone,
                "salerAddress": request.seller_address,
                "orderNo": order_no,
                "invoiceDate": request.issued_on.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"),
                "clerk": self.config.clerk,
                "email": request.email,
                "pushMode": "1" if request.email else "-1",
                "invoiceType": kind,
                "invoiceDetail": [
                    {
                        "goodsName": item.name or self.config.goods_name,
                        "goodsCode": self.config.goods_code,
                        "withTaxFlag": "1",
                        "price": _money(sign * item.amount),
                        "num": "1",
                        "taxRate": self.config.tax_rate,
                    }
                    for item in request.items
                ],
            }
        }

    def issue(self, request: IssueRequest) -> str:
        content = self._order(request, order_no=request.order_no, kind="1", sign=1)
        result = self._call(METHOD_ISSUE, content, user_tax=request.seller_tax_number)
        return str(result["invoiceSerialNum"])

    def void(self, request: VoidRequest) -> str:
        content = self._order(request.request, order_no=request.order_no, kind="2", sign=-1)
        content["order"].update(
            invoiceCode=request.original.invoice_code, invoiceNum=request.original.invoice_number, remark=request.reason
        )
        result = self._call(METHOD_ISSUE, content, user_tax=request.request.seller_tax_number)
        return str(result["invoiceSerialNum"])

    def query(self, *, order_no: str, seller_tax_number: str) -> InvoiceResult | None:
        content = {"isOfferInvoiceDetail": "0", "orderNos": [order_no], "serialNos": []}
        rows = self._call(METHOD_QUERY, content, user_tax=seller_tax_number) or []
        rows = [row for row in rows if row.get("orderNo") == order_no]
        if not rows:
            return None
        row = rows[-1]
        state = STATES.get(str(row.get("status")), "failed")
        return InvoiceResult(
            state=state,
            order_no=order_no,
            serial=str(row.get("serialNo") or ""),
            invoice_code=str(row.get("invoiceCode") or ""),
            invoice_number=str(row.get("invoiceNo") or ""),
            issued_at=_when(row.get("invoiceTime")),
            pdf_url=str(row.get("pdfUrl") or ""),
            failure_code=str(row.get("status")) if state == "failed" else "",
            failure_message=str(row.get("failCause") or row.get("statusMsg") or "") if state == "failed" else "",
            raw=row,
        )

    def fetch_pdf(self, url: str) -> bytes:
        try:
            response = self.session.get(url, timeout=TIMEOUT)
        except requests.RequestException as error:
            raise EInvoiceError("UNREACHABLE", str(error)) from error
        if response.status_code != 200 or not response.content.startswith(b"%PDF"):
            raise EInvoiceError("PDF_UNAVAILABLE", url, status=response.status_code)
        return response.content


def _real() -> NuonuoProvider:
    return NuonuoProvider(NuonuoConfig.from_settings(), requests.Session())


einvoice.register("nuonuo", _real)
