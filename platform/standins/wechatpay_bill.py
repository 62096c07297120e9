"""The stand-in's trade bills (交易账单): `GET /v3/bill/tradebill` and the download it points to.

Each bill is made from the stand-in's own record of the sub-merchant's day (Asia/Shanghai): every
payment on the day it succeeded, every refund on the day it was accepted, as WeChat Pay bills
them — the real file format (header, backticked rows, summary header, summary), its SHA1 in the
signed answer, a download URL on the API host that lives five minutes and answers unsigned (as
WeChat Pay's does). A day without any trade has no bill: 400 NO_STATEMENT_EXIST.

Unlike WeChat Pay (which bills a day the next morning), today's bill is served as it stands, so a
test can pay and reconcile at once. For tests (not part of WeChat Pay): `inject_payment` adds a
payment we never heard of, `distort_amount` bills an order at another amount, `forget_day` clears
a day's record.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from standins.wechatpay import PREFIX, REAL_BASE, SHANGHAI, SP_APPID, SP_MCHID, Refusal, _load, _store

HEADER = (
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,"
    "货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,"
    "商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注"
)
SUMMARY_HEADER = "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"
RATE = Decimal("0.006")
CENT = Decimal("0.01")
FILE_TTL = 300


def _day_key(sub_mchid: str, day: str) -> str:
    return f"{PREFIX}bill:{sub_mchid}:{day}"


def _day_of(moment: str) -> str:
    return datetime.fromisoformat(moment).astimezone(SHANGHAI).date().isoformat()


def record_payment(order: dict[str, Any]) -> None:
    """Called when an order succeeds: it is billed on the day of its success_time."""
    _store().sadd(_day_key(order["sub_mchid"], _day_of(order["success_time"])), f"pay:{order['out_trade_no']}")


def record_refund(order: dict[str, Any], out_refund_no: str) -> None:
    """Called when a refund is accepted: it is billed on that day."""
    created = order["refunds"][out_refund_no]["created"]
    member = f"refund:{order['out_trade_no']}:{out_refund_no}"
    _store().sadd(_day_key(order["sub_mchid"], _day_of(created)), member)


# --- test hooks --------------------------------------------------------------------------------
def inject_payment(*, sub_mchid: str, day: date, out_trade_no: str, total_fen: int) -> None:
    """Bill a payment the merchant never made an order for (WeChat Pay's record disagreeing)."""
    row = {"out_trade_no": out_trade_no, "total": total_fen, "time": f"{day.isoformat()} 12:00:00"}
    _store().rpush(f"{PREFIX}bill-extra:{sub_mchid}:{day.isoformat()}", json.dumps(row))


def distort_amount(*, sub_mchid: str, day: date, out_trade_no: str, total_fen: int) -> None:
    """Bill this order's payment at another amount."""
    _store().hset(f"{PREFIX}bill-amount:{sub_mchid}:{day.isoformat()}", out_trade_no, str(total_fen))


def forget_day(*, sub_mchid: str, day: date) -> None:
    _store().delete(
        _day_key(sub_mchid, day.isoformat()),
        f"{PREFIX}bill-extra:{sub_mchid}:{day.isoformat()}",
        f"{PREFIX}bill-amount:{sub_mchid}:{day.isoformat()}",
    )


# --- the file ----------------------------------------------------------------------------------
def _yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(CENT)


def _time(moment: str) -> str:
    return datetime.fromisoformat(moment).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def _line(values: list[Any]) -> str:
    return ",".join(f"`{value}" for value in values)


def _payment_row(order: dict[str, Any], total: int, at: str) -> tuple[str, list[Any]]:
    amount = _yuan(total)
    fee = (amount * RATE).quantize(CENT)
    return at, [
        at, order.get("sp_appid", SP_APPID), SP_MCHID, order["sub_mchid"], "", order.get("transaction_id", ""),
        order["out_trade_no"], order.get("payer", ""), "JSAPI", "SUCCESS", "OTHERS", "CNY", amount, "0.00",
        "0", "0", "0.00", "0.00", "", "", order.get("content", ["", "物业费"])[1], "", fee, "0.60%", amount,
        "0.00", "",
    ]  # fmt: skip


def _refund_row(order: dict[str, Any], out_refund_no: str) -> tuple[str, list[Any]]:
    refund = order["refunds"][out_refund_no]
    amount = _yuan(refund["refund"])
    at = _time(refund["created"])
    fee = -(amount * RATE).quantize(CENT)
    return at, [
        at, order["sp_appid"], SP_MCHID, order["sub_mchid"], "", order.get("transaction_id", ""),
        order["out_trade_no"], order["payer"], "JSAPI", "REFUND", "OTHERS", "CNY", "0.00", "0.00",
        refund["refund_id"], out_refund_no, amount, "0.00", "ORIGINAL", refund["status"], order["content"][1], "",
        fee, "0.60%", "0.00", amount, "",
    ]  # fmt: skip


def render(sub_mchid: str, day: date, bill_type: str = "ALL") -> str | None:
    """The day's bill as WeChat Pay writes it, or None when the day had no trade."""
    store, key = _store(), day.isoformat()
    distorted = store.hgetall(f"{PREFIX}bill-amount:{sub_mchid}:{key}")
    rows: list[tuple[str, list[Any]]] = []
    for member in sorted(store.smembers(_day_key(sub_mchid, key))):
        kind, out_trade_no, *rest = str(member).split(":")
        order = _load(sub_mchid, out_trade_no)
        if order is None:
            continue  # expired from the stand-in's memory
        if kind == "pay" and bill_type in ("ALL", "SUCCESS"):
            total = int(distorted.get(out_trade_no, order["total"]))
            rows.append(_payment_row(order, total, _time(order["success_time"])))
        elif kind == "refund" and bill_type in ("ALL", "REFUND"):
            rows.append(_refund_row(order, rest[0]))
    if bill_type in ("ALL", "SUCCESS"):
        for extra in store.lrange(f"{PREFIX}bill-extra:{sub_mchid}:{key}", 0, -1):
            made_up = json.loads(extra)
            stranger = {
                "sub_mchid": sub_mchid,
                "out_trade_no": made_up["out_trade_no"],
                "transaction_id": "42" + secrets.token_hex(13),
                "payer": "o" + secrets.token_hex(12),
            }
            rows.append(_payment_row(stranger, made_up["total"], made_up["time"]))
    if not rows:
        return None
    rows.sort(key=lambda row: row[0])
    details = [row for _, row in rows]
    settled = sum((row[12] for row in details if row[9] == "SUCCESS"), Decimal("0.00"))
    refunded = sum((row[16] for row in details if row[9] == "REFUND"), Decimal("0.00"))
    fees = sum((row[22] for row in details), Decimal("0.00"))
    summary = [len(details), settled, refunded, "0.00", fees, settled, refunded]
    return "\n".join([HEADER, *(_line(row) for row in details), SUMMARY_HEADER, _line(summary)]) + "\n"


# --- the API -----------------------------------------------------------------------------------
def apply(params: dict[str, str]) -> dict[str, Any]:
    """申请交易账单 (service provider: one sub-merchant's bill)."""
    text = params.get("bill_date", "")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise Refusal(400, "PARAM_ERROR", "bill_date 格式错误")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise Refusal(400, "PARAM_ERROR", "bill_date 格式错误") from None
    today = datetime.now(SHANGHAI).date()
    if day > today or day < today - timedelta(days=92):
        raise Refusal(400, "PARAM_ERROR", "仅支持三个月内的账单下载申请")
    bill_type = params.get("bill_type", "ALL")
    if bill_type not in ("ALL", "SUCCESS", "REFUND") or params.get("tar_type"):
        raise Refusal(400, "PARAM_ERROR", "bill_type 或 tar_type 不支持")
    sub_mchid = params.get("sub_mchid", "")
    if not sub_mchid or _store().get(f"{PREFIX}sub:{sub_mchid}") is None:
        raise Refusal(400, "PARAM_ERROR", "特约商户号不存在")
    content = render(sub_mchid, day, bill_type)
    if content is None:
        raise Refusal(400, "NO_STATEMENT_EXIST", "账单文件不存在")
    token = secrets.token_urlsafe(32)
    _store().set(f"{PREFIX}billfile:{token}", content, ex=FILE_TTL)
    return {
        "hash_type": "SHA1",
        "hash_value": hashlib.sha1(content.encode()).hexdigest(),  # noqa: S324 (WeChat Pay's choice)
        "download_url": f"{REAL_BASE}/v3/billdownload/file?token={token}",
    }


def download(params: dict[str, str]) -> bytes:
    content = _store().get(f"{PREFIX}billfile:{params.get('token', '')}")
    if content is None:
        raise Refusal(400, "PARAM_ERROR", "下载链接无效或已过期")
    return str(content).encode()


def omit(*, sub_mchid: str, day: date, out_trade_no: str) -> None:
    """Leave this order's payment out of the day's bill (the provider has no record of it)."""
    _store().srem(_day_key(sub_mchid, day.isoformat()), f"pay:{out_trade_no}")
