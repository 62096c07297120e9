"""The trade bill: WeChat Pay's file format parsed (payments, refunds, the summary), a malformed
bill refused, and the stand-in's bill — applied for, downloaded and hash-checked by the gateway."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from payments.gateways import GatewayError
from payments.gateways.wechatpay_bill import MalformedBill, parse_trade_bill

DAY = date(2026, 11, 30)
HEADER = (
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,"
    "货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,"
    "商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注"
)
PAY_1 = (
    "`2026-11-30 09:15:02,`wx8888888888888888,`1900000100,`1230000001,`,`4200001234202611300000000001,"
    "`W20261130091455ABCDEFGHJKLM,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`JSAPI,`SUCCESS,`OTHERS,`CNY,`120.50,`0.00,"
    "`0,`0,`0.00,`0.00,`,`,`物业费,商铺 2026-11,`,`0.72,`0.60%,`120.50,`0.00,`"
)
PAY_2 = (
    "`2026-11-30 21:40:00,`wx8888888888888888,`1900000100,`1230000001,`,`4200001234202611300000000002,"
    "`W20261130214000ZZZZZZZZZZZZ,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`JSAPI,`SUCCESS,`OTHERS,`CNY,`89.00,`0.00,"
    "`0,`0,`0.00,`0.00,`,`,`停车费,`,`0.53,`0.60%,`89.00,`0.00,`"
)
REFUND = (
    "`2026-11-30 22:01:10,`wx8888888888888888,`1900000100,`1230000001,`,`4200001234202611290000000009,"
    "`W20261129100000YYYYYYYYYYYY,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`JSAPI,`REFUND,`OTHERS,`CNY,`0.00,`0.00,"
    "`50300000000000000000000000001,`RW20261129100000YYYYYYYYYYYY,`30.00,`0.00,`ORIGINAL,`SUCCESS,`物业费,`,"
    "`-0.18,`0.60%,`0.00,`30.00,`"
)
SUMMARY_HEADER = "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"
SUMMARY = "`3,`209.50,`30.00,`0.00,`1.07,`209.50,`30.00"


def bill(*lines: str, bom: bool = False, crlf: bool = False) -> bytes:
    text = ("\r\n" if crlf else "\n").join(lines) + "\n"
    return (("\ufeff" if bom else "") + text).encode()


def test_a_real_format_bill_with_a_refund_and_the_summary_parses_into_typed_rows():
    parsed = parse_trade_bill(bill(HEADER, PAY_1, PAY_2, REFUND, SUMMARY_HEADER, SUMMARY), bill_date=DAY)
    assert [r.kind for r in parsed.rows] == ["payment", "payment", "refund"]
    first, _, refund = parsed.rows
    assert first.out_trade_no == "W20261130091455ABCDEFGHJKLM" and first.amount == Decimal("120.50")
    assert first.reference == "4200001234202611300000000001"
    assert first.merchant == {"sp_mchid": "1900000100", "sub_mchid": "1230000001"}
    assert first.raw["商品名称"] == "物业费,商铺 2026-11"  # a comma inside a value stays in it
    assert first.at is not None and first.at.isoformat() == "2026-11-30T09:15:02+08:00"
    assert refund.amount == Decimal("30.00") and refund.out_refund_no == "RW20261129100000YYYYYYYYYYYY"
    assert refund.refund_status == "SUCCESS" and refund.trade_state == "REFUND"
    assert [r.amount for r in parsed.payments] == [Decimal("120.50"), Decimal("89.00")]
    assert parsed.summary["总交易单数"] == "3" and parsed.exists


def test_a_bom_and_crlf_line_ends_change_nothing():
    plain = parse_trade_bill(
        bill(HEADER, PAY_1, SUMMARY_HEADER, "`1,`120.50,`0.00,`0.00,`0.72,`120.50,`0.00"), bill_date=DAY
    )
    odd = parse_trade_bill(
        bill(HEADER, PAY_1, SUMMARY_HEADER, "`1,`120.50,`0.00,`0.00,`0.72,`120.50,`0.00", bom=True, crlf=True),
        bill_date=DAY,
    )
    assert plain.rows == odd.rows


def test_a_day_without_rows_parses_as_an_empty_bill():
    parsed = parse_trade_bill(bill(HEADER, SUMMARY_HEADER, "`0,`0.00,`0.00,`0.00,`0.00,`0.00,`0.00"), bill_date=DAY)
    assert parsed.rows == ()


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not,a,bill\n",
        bill(HEADER, PAY_1, PAY_2, REFUND),  # no summary
        bill(HEADER, PAY_1, PAY_2, REFUND, SUMMARY_HEADER, "`4,`209.50,`30.00,`0.00,`1.07,`209.50,`30.00"),  # count
        bill(HEADER, PAY_1, PAY_2, REFUND, SUMMARY_HEADER, "`3,`209.50,`31.00,`0.00,`1.07,`209.50,`30.00"),  # refunds
        bill(HEADER, PAY_1, PAY_2, REFUND, SUMMARY_HEADER, "`3,`300.00,`30.00,`0.00,`1.07,`209.50,`30.00"),  # paid
        bill(HEADER, PAY_1.replace("`120.50", "`12x.50"), SUMMARY_HEADER, SUMMARY),  # not an amount
        bill(HEADER, PAY_1.rsplit(",", 2)[0], SUMMARY_HEADER, "`1,`120.50,`0.00,`0.00,`0.72,`120.50,`0.00"),  # width
        bill(HEADER, PAY_1.replace("`", ""), SUMMARY_HEADER, "`1,`120.50,`0.00,`0.00,`0.72,`120.50,`0.00"),  # backticks
        bill(
            HEADER.replace("商户订单号", "订单号"), PAY_1, SUMMARY_HEADER, "`1,`120.50,`0.00,`0.00,`0.72,`120.50,`0.00"
        ),
        "交易时间\n".encode("gbk") + bytes([0xFF, 0xFE]),
    ],
)
def test_a_malformed_bill_is_an_error_never_an_empty_day(content):
    with pytest.raises(MalformedBill) as refused:
        parse_trade_bill(content, bill_date=DAY)
    assert isinstance(refused.value, GatewayError) and refused.value.code == "MALFORMED_BILL"
