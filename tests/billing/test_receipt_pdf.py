"""The receipt PDF: 大写 amounts, an embedded CJK font, byte-identical reprints, paging, VOID."""

from __future__ import annotations

import base64
import copy
import io
from decimal import Decimal

import pypdf
import pytest
from PIL import Image

from billing.amount_words import amount_in_words
from billing.receipts_pdf import render_receipt


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("1234.50", "壹仟贰佰叁拾肆元伍角整"),
        ("1234.56", "壹仟贰佰叁拾肆元伍角陆分"),
        ("0.05", "伍分"),
        ("0.50", "伍角整"),
        ("0.15", "壹角伍分"),
        ("10.05", "壹拾元零伍分"),
        ("10.00", "壹拾元整"),
        ("16.15", "壹拾陆元壹角伍分"),
        ("100.00", "壹佰元整"),
        ("1010.01", "壹仟零壹拾元零壹分"),
        ("100010.00", "壹拾万零壹拾元整"),
        ("100000.10", "壹拾万元壹角整"),
        ("1000000.00", "壹佰万元整"),
        ("100000000.01", "壹亿元零壹分"),
        ("0.00", "零元整"),
        ("-0.00", "零元整"),
        ("-5.05", "负伍元零伍分"),
        ("12", "壹拾贰元整"),
        ("7.5", "柒元伍角整"),
    ],
)
def test_amount_in_words(amount, words):
    assert amount_in_words(Decimal(amount)) == words


@pytest.mark.parametrize("amount", ["444.195", "0.001", "NaN", "Infinity", "1E+16"])
def test_amount_in_words_refuses_what_is_not_whole_fen(amount):
    with pytest.raises(ValueError):
        amount_in_words(Decimal(amount))


def test_amount_in_words_refuses_floats():
    with pytest.raises(ValueError):
        amount_in_words(12.5)  # type: ignore[arg-type]


def _png(width: int = 120, height: int = 60) -> str:
    buffer = io.BytesIO()
    Image.new("RGBA", (width, height), (22, 119, 255, 255)).save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def _line(fee_item: str = "物业费", amount: str = "223.75") -> dict:
    return {"fee_item": fee_item, "period": "2026-11-01 ~ 2026-11-30", "detail": "89.50㎡ × 2.5000", "amount": amount}


SNAPSHOT = {
    "number": "2026-000123",
    "issued_at": "2026-11-30T14:05:00+08:00",
    "company": {"name": "阳光物业服务有限公司", "primary_color": "#1677ff", "logo_png_base64": _png()},
    "house": "1栋1单元101",
    "estate": "阳光花园",
    "payer": "张喆",  # 喆 is GBK, not GB2312: the font's coverage is chosen for names like this
    "cashier": "李四",
    "method": "cash",
    "method_label": "现金",
    "lines": [
        _line(),
        _line("公摊水电费", "12.30"),
        _line("车位管理费", "80.00"),
        _line("垃圾清运费", "10.00"),
        _line("电梯运行维护费", "25.45"),
    ],
    "total": "351.50",
    "tendered": "400.00",
    "change": "48.50",
    "balance_after": "0.00",
    "note": "含11月物业费",
    "voided": False,
    "void_reason": "",
}


def _snapshot(**changes) -> dict:
    snapshot = copy.deepcopy(SNAPSHOT)
    snapshot.update(changes)
    return snapshot


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def test_renders_chinese_text_with_an_embedded_font():
    pdf = render_receipt(SNAPSHOT)
    assert pdf.startswith(b"%PDF-")
    assert b"/FontFile2" in pdf  # a TrueType font program inside the file
    assert b"STSong" not in pdf  # not a non-embedded CID font a viewer may lack
    [text] = _pages(pdf)
    for expected in ["阳光物业服务有限公司", "收 款 收 据", "2026-000123", "2026-11-30 14:05", "阳光花园", "1栋1单元101",
                     "张喆", "现金", "李四", "物业费", "89.50㎡ × 2.5000", "223.75", "¥351.50", "叁佰伍拾壹元伍角整",
                     "¥400.00", "¥48.50", "含11月物业费", "第 1 页 / 共 1 页"]:  # fmt: skip
        assert expected in text, expected
    assert "作废" not in text


def test_reprints_are_byte_identical():
    first = render_receipt(SNAPSHOT)
    assert render_receipt(copy.deepcopy(SNAPSHOT)) == first
    assert render_receipt(_snapshot(payer="张三")) != first


def test_voided_receipt_carries_the_watermark_and_reason():
    [text] = _pages(render_receipt(_snapshot(voided=True, void_reason="金额录入错误")))
    assert "作废" in text
    assert "金额录入错误" in text


def test_many_lines_flow_onto_later_pages_with_the_header_repeated():
    lines = [_line(amount="1.00") for _ in range(40)]
    pages = _pages(render_receipt(_snapshot(lines=lines, total="40.00", tendered=None, change=None)))
    assert len(pages) >= 2
    assert all("2026-000123" in page and "金额（元）" in page for page in pages)
    assert all(f"第 {n} 页 / 共 {len(pages)} 页" in page for n, page in enumerate(pages, start=1))
    assert "肆拾元整" in pages[-1]
    assert all("肆拾元整" not in page for page in pages[:-1])
    text = "\n".join(pages)
    assert text.count("1.00") >= 40
    assert "实收" not in text  # tendered/change are printed only when given


def test_a_short_receipt_fits_one_page():
    assert len(_pages(render_receipt(_snapshot(lines=[_line()] * 11)))) == 1
    assert len(_pages(render_receipt(_snapshot(lines=[_line()] * 30)))) == 2


def test_long_labels_are_cut_not_overflowing():
    long_item = "公共区域电梯运行维护及二次供水加压设备能耗分摊费用" * 6
    long_house = "阳光花园三期北区" * 20 + "1栋1单元101"
    [text] = _pages(render_receipt(_snapshot(lines=[_line(long_item)], house=long_house, total="223.75")))
    flat = text.replace("\n", "")
    assert "…" in flat
    assert long_item not in flat
    # a house label keeps its tail, the unit being what matters: "…阳光花园三期北区1栋1单元101"
    assert long_house not in flat
    assert "房号…" in flat
    assert "三期北区1栋1单元101" in flat


def test_logo_is_optional_and_a_broken_one_is_left_out():
    without = render_receipt(_snapshot(company={**SNAPSHOT["company"], "logo_png_base64": ""}))
    broken = render_receipt(_snapshot(company={**SNAPSHOT["company"], "logo_png_base64": "not base64!"}))
    garbage = render_receipt(
        _snapshot(company={**SNAPSHOT["company"], "logo_png_base64": base64.b64encode(b"\x89PNG junk").decode()})
    )
    assert b"/Subtype /Image" not in without
    assert broken == without == garbage
    assert b"/Subtype /Image" in render_receipt(SNAPSHOT)


def test_bad_brand_colour_falls_back():
    pdf = render_receipt(_snapshot(company={**SNAPSHOT["company"], "primary_color": "red; drop"}))
    assert "阳光物业服务有限公司" in _pages(pdf)[0]


def test_amounts_must_be_decimal_strings():
    with pytest.raises(ValueError):
        render_receipt(_snapshot(total="abc"))
    with pytest.raises(ValueError):
        render_receipt(_snapshot(total=351.5))
