"""WeChat Pay's trade bill (交易账单), as `GET /v3/bill/tradebill` hands it out and its download_url
serves it: UTF-8 text (a BOM sometimes), comma-separated, in four parts —

    交易时间,公众账号ID,商户号,特约商户号,...,商户订单号,...,交易状态,...,应结订单金额,...   detail header
    `2026-11-30 10:01:02,`wx…,`1900000100,`1230000001,...                               detail rows
    总交易单数,应结订单总金额,退款总金额,...                                                  summary header
    `3,`189.00,`50.00,...                                                                summary

Every data field starts with a backtick (so Excel keeps long numbers); amounts are yuan. A payment
and its refund are separate rows (交易状态 SUCCESS, REFUND; REVOKED for a revoked payment), each
dated by its own moment. Columns are found by their header names, not positions (WeChat Pay adds
columns over time). Anything that does not fit — no summary, a row of the wrong width, an amount
that is not one, a summary that does not add up — is `MalformedBill`: never read as an empty day.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from core import text
from payments.gateways import BillRow, GatewayError, TradeBill

SHANGHAI = ZoneInfo("Asia/Shanghai")
SUMMARY_FIRST = "总交易单数"
REQUIRED = ("交易时间", "商户号", "微信订单号", "商户订单号", "交易状态", "应结订单金额", "退款金额")
_AMOUNT = re.compile(r"-?\d+(\.\d{1,2})?")


class MalformedBill(GatewayError):
    def __init__(self, message: str):
        super().__init__("MALFORMED_BILL", message, status=200)


def _fields(line: str, number: int) -> list[str]:
    if not line.startswith("`"):
        raise MalformedBill(f"line {number}: a data line must start with a backtick")
    # ",`" separates fields: a comma inside a value (a product name) stays in it.
    return line[1:].split(",`")


def _amount(text: str, where: str) -> Decimal:
    text = text.strip()
    if not _AMOUNT.fullmatch(text):
        raise MalformedBill(f"{where}: {text!r} is not an amount")
    return Decimal(text).quantize(Decimal("0.01"))


def _moment(text: str, where: str) -> datetime:
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S").replace(tzinfo=SHANGHAI)
    except ValueError:
        raise MalformedBill(f"{where}: {text!r} is not a time") from None


def parse_trade_bill(content: bytes, *, bill_date: date) -> TradeBill:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MalformedBill("not UTF-8") from None
    lines = [line.rstrip("\r") for line in text.split("\n")]
    while lines and not lines[-1].strip():
        lines.pop()
    if len(lines) < 3:
        raise MalformedBill("too short: a bill has a header, a summary header and a summary")
    header = [name.strip().lstrip("`") for name in lines[0].split(",")]
    missing = [name for name in REQUIRED if name not in header]
    if missing or SUMMARY_FIRST in header:
        raise MalformedBill(f"the header lacks {', '.join(missing) or 'detail columns'}")
    marks = [i for i, line in enumerate(lines) if line.lstrip("`").startswith(SUMMARY_FIRST)]
    if len(marks) != 1 or marks[0] != len(lines) - 2:
        raise MalformedBill("the summary header must be the second-to-last line")
    summary_header = [name.strip() for name in lines[-2].split(",")]
    summary_values = _fields(lines[-1], len(lines))
    if len(summary_values) != len(summary_header):
        raise MalformedBill("the summary's width differs from its header")
    summary = dict(zip(summary_header, (value.strip() for value in summary_values), strict=True))

    rows: list[BillRow] = []
    for number, line in enumerate(lines[1:-2], start=2):
        values = _fields(line, number)
        if len(values) != len(header):
            raise MalformedBill(f"line {number}: {len(values)} fields, the header has {len(header)}")
        raw = dict(zip(header, (value.strip() for value in values), strict=True))
        rows.append(_row(raw, number))
    _check_summary(summary, rows)
    return TradeBill(bill_date=bill_date, rows=tuple(rows), summary=summary)


def _row(raw: dict[str, str], number: int) -> BillRow:
    where = f"line {number}"
    state = raw["交易状态"]
    if not state or not raw["商户订单号"]:
        raise MalformedBill(f"{where}: no trade state or out_trade_no")
    merchant = {"sp_mchid": raw["商户号"], "sub_mchid": raw.get("特约商户号", raw.get("子商户号", ""))}
    refund = state == "REFUND"
    # A payment's 订单金额 (what was asked) when the bill has it; 应结订单金额 is that less coupons.
    amount = _amount(raw["退款金额"] if refund else raw.get("订单金额") or raw["应结订单金额"], where)
    return BillRow(
        kind="refund" if refund else "payment",
        out_trade_no=raw["商户订单号"],
        reference=raw["微信订单号"],
        amount=amount,
        trade_state=state,
        at=_moment(raw["交易时间"], where),
        merchant=merchant,
        out_refund_no=raw.get("商户退款单号", "") if refund else "",
        refund_reference=raw.get("微信退款单号", "") if refund else "",
        refund_status=raw.get("退款状态", "") if refund else "",
        raw=raw,
    )


def _check_summary(summary: dict[str, str], rows: list[BillRow]) -> None:
    """The summary must describe these rows: their number, and the refunds' and settled totals."""
    count = summary.get(SUMMARY_FIRST, "")
    if not text.is_ascii_digits(count) or int(count) != len(rows):
        raise MalformedBill(f"the summary counts {count!r} rows, the bill has {len(rows)}")
    refunds = sum((_amount(row.raw["退款金额"], "refund") for row in rows if row.kind == "refund"), Decimal("0"))
    if "退款总金额" in summary and _amount(summary["退款总金额"], "summary") != refunds:
        raise MalformedBill("the refunds do not add up to the summary's 退款总金额")
    if "应结订单总金额" in summary:
        settled = _amount(summary["应结订单总金额"], "summary")
        of_payments = sum(
            (_amount(row.raw["应结订单金额"], "row") for row in rows if row.kind == "payment"), Decimal("0")
        )
        of_all = sum((_amount(row.raw["应结订单金额"], "row") for row in rows), Decimal("0"))
        # Refund rows carry 0.00 or the order's settled amount, depending on the bill's vintage.
        if settled not in (of_payments, of_all):
            raise MalformedBill("the payments do not add up to the summary's 应结订单总金额")
