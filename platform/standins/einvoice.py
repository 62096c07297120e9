"""A stand-in for the Nuonuo open platform's e-invoice API (sdk.nuonuo.com/open/v1/services), for tests and the demo.

It checks what Nuonuo checks and answers as it answers ({"code", "describe", "result"}):
- the call: POST to /open/v1/services with senid (32 hex), nonce (8 digits), timestamp and appkey in
  the query, headers `method`, `accessToken`, `userTax` and `X-Nuonuo-Sign` — HMAC-SHA1 with the
  app secret over "a=services&l=v1&p=open&k=..&i=..&n=..&t=..&f=<body>", base64 — recomputed here;
  a timestamp more than 10 minutes off, an unknown app key or token, a bad signature are refused;
- requestBillingNew: the order's fields (buyer name, a well-formed buyer tax number when given, the
  seller's tax number matching userTax, lines with a price), an order number used once per seller
  (a repeat is refused, as Nuonuo refuses it); answers the serial (invoiceSerialNum) at once and
  issues later. A red invoice (invoiceType "2") must name an issued blue invoice not yet reddened;
- queryInvoiceResult by order numbers: "20" 开票中 for the first `polls` queries of a submission,
  then "2" 开票完成 with invoiceCode, invoiceNo, invoiceTime and a pdfUrl — or "22" 开票失败 with
  its failCause when the submission was set to fail;
- the PDF at its pdfUrl (generated with reportlab; its CJK font is reportlab's built-in STSong);
- a merchant app's token at https://open.nuonuo.com/accessToken (client_credentials with the app key
  and secret): each fetch issues a new token valid 24 hours and ends the one before; calls carry
  either it or the demo's configured token. `expire_token()` ends the issued one early;
  `token_fetches()` counts fetches (Nuonuo allows few a month).

Where the exact refusal codes of Nuonuo's gateway were not at hand, the codes below are this
stand-in's own, in the same shape; the outcome (a refusal that is not "E0000") is what callers see.

For tests and the demo: `fail_next(code, status)` refuses the next calls (an outage: status 500;
a refusal: status 200); `fail_next_issue(cause)` makes the next submission end in 开票失败;
`set_polls(n)` sets how many queries a submission stays 开票中. State lives in Redis under
`standin:einvoice:`.
"""

from __future__ import annotations

import io
import json
import re
import secrets
import time
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import redis
import requests

import einvoice
from core import redis_client
from einvoice.nuonuo import METHOD_ISSUE, METHOD_QUERY, OK, REAL_BASE, NuonuoConfig, NuonuoProvider, signature
from standins.transport import WsgiTransport

PREFIX = "standin:einvoice:"
PDF_BASE = "https://inv.nuonuo.com/fp/"
SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_SKEW_SECONDS = 600
_TAX_NUMBER = re.compile(r"[0-9A-Z]{15}|[0-9A-Z]{17,18}|[0-9A-Z]{20}")
_SENID = re.compile(r"[0-9a-f]{32}")
_NONCE = re.compile(r"[0-9]{8}")


def _store() -> redis.Redis:
    return redis_client.client()


def _once(name: str, make: Callable[[], str]) -> str:
    store = _store()
    value = store.get(PREFIX + name)
    if value is None:
        store.set(PREFIX + name, make(), nx=True)
        value = store.get(PREFIX + name)
    return str(value)


def credentials() -> tuple[str, str, str]:
    """(app key, app secret, access token): made by the first process of the run, never committed."""
    return (
        _once("app-key", lambda: "SD" + secrets.token_hex(4).upper()),
        _once("app-secret", lambda: secrets.token_hex(8).upper()),
        _once("access-token", lambda: secrets.token_hex(16)),
    )


def demo_config() -> NuonuoConfig:
    app_key, app_secret, token = credentials()
    return NuonuoConfig(
        app_key=app_key,
        app_secret=app_secret,
        access_token=token,
        api_base=REAL_BASE,
        tax_rate="0.06",
        goods_code="3040801010000000000",
        goods_name="物业管理服务",
        clerk="演示开票员",
    )


def expire_token() -> None:
    _store().delete(PREFIX + "issued-token")


def token_fetches() -> int:
    return int(_store().get(PREFIX + "token-fetches") or 0)


def _token(form: dict[str, str]) -> tuple[int, dict[str, Any]]:
    app_key, app_secret, _configured = credentials()
    if form.get("grant_type") != "client_credentials":
        return 400, {"error": "unsupported_grant_type", "error_description": "grant_type不支持"}
    if form.get("client_id") != app_key or form.get("client_secret") != app_secret:
        return 401, {"error": "invalid_client", "error_description": "client_id或client_secret错误"}
    store = _store()
    store.incr(PREFIX + "token-fetches")
    issued = secrets.token_hex(16)
    store.set(PREFIX + "issued-token", issued, ex=86400)  # the one before is no longer valid
    return 200, {"access_token": issued, "expires_in": 86400}


def fail_next(code: str, status: int = 500, times: int = 1) -> None:
    _store().rpush(f"{PREFIX}fail-next", *([json.dumps([code, status])] * times))


def fail_next_issue(cause: str = "购方税号校验不通过") -> None:
    _store().rpush(f"{PREFIX}fail-issue", cause)


def set_polls(polls: int) -> None:
    _store().set(f"{PREFIX}polls", polls)


def submissions() -> int:
    """How many invoices (blue and red) were submitted: a test's proof that a retry issued nothing twice."""
    return int(_store().get(f"{PREFIX}submitted") or 0)


class Refusal(Exception):
    def __init__(self, code: str, describe: str, status: int = 200):
        self.code, self.describe, self.status = code, describe, status


def _key(seller: str, order_no: str) -> str:
    return f"{PREFIX}order:{seller}:{order_no}"


def _load(seller: str, order_no: str) -> dict[str, Any] | None:
    raw = _store().get(_key(seller, order_no))
    return json.loads(raw) if raw else None


def _save(order: dict[str, Any]) -> None:
    _store().set(_key(order["seller"], order["orderNo"]), json.dumps(order, ensure_ascii=False), ex=30 * 86400)


def _check_call(query: dict[str, str], headers: dict[str, str], body: bytes, *, now: float) -> str:
    app_key, app_secret, token = credentials()
    senid, nonce, timestamp = query.get("senid", ""), query.get("nonce", ""), query.get("timestamp", "")
    if not _SENID.fullmatch(senid) or not _NONCE.fullmatch(nonce) or not timestamp.isdigit():
        raise Refusal("070101", "公共参数senid/nonce/timestamp格式错误")
    if abs(now - int(timestamp)) > MAX_SKEW_SECONDS:
        raise Refusal("070102", "请求已过期（timestamp）")
    if query.get("appkey") != app_key:
        raise Refusal("070201", "appKey不存在")
    if headers.get("accesstoken") not in (token, _store().get(PREFIX + "issued-token") or token):
        raise Refusal("070202", "accessToken无效或已过期")
    expected = signature(
        path="/open/v1/services",
        app_key=app_key,
        app_secret=app_secret,
        senid=senid,
        nonce=nonce,
        timestamp=timestamp,
        body=body.decode(),
    )
    if headers.get("x-nuonuo-sign") != expected:
        raise Refusal("070301", "签名验证失败")
    return headers.get("method", "")


def _amount(text: Any) -> Decimal:
    try:
        value = Decimal(str(text))
    except InvalidOperation:
        raise Refusal("E9101", "单价格式错误") from None
    if value != value.quantize(Decimal("0.01")) or value == 0:
        raise Refusal("E9101", "单价格式错误")
    return value


def _issue(order: dict[str, Any], seller: str) -> dict[str, Any]:
    order_no = str(order.get("orderNo") or "")
    if not order_no or len(order_no) > 20:
        raise Refusal("E9102", "订单号不能为空且不超过20位")
    if not str(order.get("buyerName") or "").strip():
        raise Refusal("E9103", "购方名称不能为空")
    buyer_tax = str(order.get("buyerTaxNum") or "")
    if buyer_tax and not _TAX_NUMBER.fullmatch(buyer_tax):
        raise Refusal("E9104", "购方税号格式错误")
    if order.get("salerTaxNum") != seller:
        raise Refusal("E9105", "销方税号与授权税号不一致")
    lines = order.get("invoiceDetail") or []
    if not lines:
        raise Refusal("E9107", "发票明细不能为空")
    total = sum((_amount(line.get("price")) for line in lines), Decimal("0"))
    if _load(seller, order_no) is not None:
        raise Refusal("E9106", "订单编号重复，请勿重复开票")
    kind = str(order.get("invoiceType") or "1")
    blue = None
    if kind == "2":
        blue = next(
            (
                o
                for o in _orders(seller)
                if o["invoiceCode"] == order.get("invoiceCode")
                and o["invoiceNo"] == order.get("invoiceNum")
                and o["invoiceType"] == "1"
                and o["status"] == "2"
            ),
            None,
        )
        if blue is None:
            raise Refusal("E9108", "蓝字发票不存在或未开具成功")
        if blue.get("reddened"):
            raise Refusal("E9109", "该发票已红冲")
        if total != -Decimal(blue["orderAmount"]):
            raise Refusal("E9110", "红字发票金额须与蓝字发票相反")
    elif total < 0:
        raise Refusal("E9101", "蓝字发票金额须为正")
    store = _store()
    serial = datetime.now(SHANGHAI).strftime("%y%m%d%H%M%S") + f"{store.incr(PREFIX + 'serial'):08d}"
    store.incr(PREFIX + "submitted")
    _save(
        {
            "seller": seller,
            "orderNo": order_no,
            "serialNo": serial,
            "invoiceType": kind,
            "status": "20",
            "polls": int(store.get(PREFIX + "polls") or 1),
            "failCause": store.lpop(PREFIX + "fail-issue") or "",
            "orderAmount": f"{total:.2f}",
            "buyerName": order["buyerName"],
            "buyerTaxNum": buyer_tax,
            "blue": [blue["orderNo"]] if blue else [],
            "invoiceCode": "",
            "invoiceNo": "",
            "invoiceTime": None,
            "pdfToken": "",
            "items": [[line.get("goodsName", ""), str(line.get("price"))] for line in lines],
        }
    )
    return {"invoiceSerialNum": serial}


def _orders(seller: str) -> list[dict[str, Any]]:
    store = _store()
    return [json.loads(raw) for key in store.scan_iter(f"{PREFIX}order:{seller}:*") if (raw := store.get(key))]


def _advance(order: dict[str, Any]) -> dict[str, Any]:
    if order["status"] != "20":
        return order
    if order["polls"] > 0:
        order["polls"] -= 1
        _save(order)
        return order
    if order["failCause"]:
        order["status"] = "22"
    else:
        store = _store()
        order.update(
            status="2",
            invoiceCode=f"0{store.incr(PREFIX + 'code-base') % 10**11:011d}",
            invoiceNo=f"{store.incr(PREFIX + 'number'):08d}",
            invoiceTime=int(time.time() * 1000),
            pdfToken=secrets.token_urlsafe(24),
        )
        store.set(PREFIX + "pdf:" + order["pdfToken"], json.dumps([order["seller"], order["orderNo"]]), ex=30 * 86400)
        for blue_no in order["blue"]:
            blue = _load(order["seller"], blue_no)
            if blue is not None:
                blue["reddened"] = True
                _save(blue)
    _save(order)
    return order


def _row(order: dict[str, Any]) -> dict[str, Any]:
    messages = {"2": "开票完成", "20": "开票中", "22": "开票失败"}
    return {
        "serialNo": order["serialNo"],
        "orderNo": order["orderNo"],
        "status": order["status"],
        "statusMsg": messages[order["status"]],
        "failCause": order["failCause"] if order["status"] == "22" else "",
        "invoiceCode": order["invoiceCode"],
        "invoiceNo": order["invoiceNo"],
        "invoiceTime": order["invoiceTime"],
        "invoiceType": order["invoiceType"],
        "orderAmount": order["orderAmount"],
        "payerName": order["buyerName"],
        "payerTaxNo": order["buyerTaxNum"],
        "salerTaxNum": order["seller"],
        "pdfUrl": PDF_BASE + order["pdfToken"] + ".pdf" if order["pdfToken"] else "",
    }


def handle(query_string: str, headers: dict[str, str], body: bytes, *, now: float | None = None) -> tuple[int, Any]:
    query = {k: v[0] for k, v in parse_qs(query_string).items()}
    try:
        forced = _store().lpop(f"{PREFIX}fail-next")
        if forced:
            code, status = json.loads(str(forced))
            raise Refusal(code, "服务暂不可用" if status >= 500 else "请求被拒绝", status)
        method = _check_call(query, headers, body, now=time.time() if now is None else now)
        seller = headers.get("usertax", "")
        content = json.loads(body or b"{}")
        if method == METHOD_ISSUE:
            result: Any = _issue(content.get("order") or {}, seller)
        elif method == METHOD_QUERY:
            wanted = [str(n) for n in content.get("orderNos") or [] if n]
            found = [_load(seller, n) for n in wanted]
            result = [_row(_advance(order)) for order in found if order is not None]
        else:
            raise Refusal("070401", "API方法不存在")
    except Refusal as refusal:
        return refusal.status, {"code": refusal.code, "describe": refusal.describe, "result": None}
    except ValueError:
        return 200, {"code": "070103", "describe": "请求报文格式错误", "result": None}
    return 200, {"code": OK, "describe": "调用成功", "result": result}


def pdf(order: dict[str, Any]) -> bytes:
    """The invoice as its PDF (电子发票 layout, much simplified; not a tax document)."""
    from reportlab.lib.pagesizes import A5, landscape
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=landscape(A5), invariant=True)
    width, height = landscape(A5)
    page.setFont("STSong-Light", 16)
    title = "电子发票（普通发票）" if order["invoiceType"] == "1" else "电子发票（红字）"
    page.drawCentredString(width / 2, height - 50, title + "（替身）")
    page.setFont("STSong-Light", 10)
    lines = [
        f"发票代码：{order['invoiceCode']}    发票号码：{order['invoiceNo']}",
        f"开票日期：{datetime.fromtimestamp(order['invoiceTime'] / 1000, SHANGHAI):%Y-%m-%d}",
        f"购买方：{order['buyerName']}    税号：{order['buyerTaxNum'] or '—'}",
        f"销售方税号：{order['seller']}",
        *[f"{name}    ¥{price}" for name, price in order["items"]],
        f"价税合计：¥{order['orderAmount']}",
    ]
    for i, text in enumerate(lines):
        page.drawString(40, height - 90 - 18 * i, text)
    page.showPage()
    page.save()
    return out.getvalue()


def wsgi_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    path = environ.get("PATH_INFO", "")
    if environ["REQUEST_METHOD"] == "GET" and path.startswith("/fp/") and path.endswith(".pdf"):
        raw = _store().get(PREFIX + "pdf:" + path[4:-4])
        order = _load(*json.loads(raw)) if raw else None
        if order is None:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        start_response("200 OK", [("Content-Type", "application/pdf")])
        return [pdf(order)]
    if environ["REQUEST_METHOD"] == "POST" and path == "/accessToken":
        length = int(environ.get("CONTENT_LENGTH") or 0)
        form = {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(length).decode() if length else "").items()}
        status, answer = _token(form)
        start_response(f"{status} {'OK' if status < 300 else 'ERROR'}", [("Content-Type", "application/json")])
        return [json.dumps(answer, ensure_ascii=False).encode()]
    if environ["REQUEST_METHOD"] != "POST" or path != "/open/v1/services":
        start_response("404 Not Found", [("Content-Type", "application/json")])
        return [b'{"code":"070404","describe":"not found","result":null}']
    headers = {key[5:].replace("_", "-").lower(): value for key, value in environ.items() if key.startswith("HTTP_")}
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    status, answer = handle(environ.get("QUERY_STRING", ""), headers, body)
    start_response(f"{status} {'OK' if status < 300 else 'ERROR'}", [("Content-Type", "application/json")])
    return [json.dumps(answer, ensure_ascii=False).encode()]


def in_process_session() -> requests.Session:
    """A session whose calls to Nuonuo's API and PDF hosts reach this stand-in, never the network."""
    session = requests.Session()
    session.mount("https://sdk.nuonuo.com/", WsgiTransport(wsgi_app))
    session.mount("https://open.nuonuo.com/", WsgiTransport(wsgi_app))
    session.mount(PDF_BASE, WsgiTransport(wsgi_app))
    return session


def _provider() -> NuonuoProvider:
    return NuonuoProvider(demo_config(), in_process_session())


einvoice.register("standin", _provider)
