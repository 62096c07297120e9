"""The receipt's page geometry and colours, and its story: parties, charge lines, payment, signatures."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A5, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable

from billing.amount_words import amount_in_words
from billing.receipts_pdf.fonts import FONT_NAME
from billing.receipts_pdf.snapshot import Receipt, money_text

PAGE_SIZE = landscape(A5)  # 210 × 148 mm: half an A4 sheet, what laser-printed receipts use


MARGIN_X = 10 * mm


HEADER_HEIGHT = 30 * mm  # first page: logo, company, title, number, date


LATER_HEADER_HEIGHT = 17 * mm  # later pages: one line, so more charge lines fit


FOOTER_HEIGHT = 10 * mm


CONTENT_WIDTH = PAGE_SIZE[0] - 2 * MARGIN_X


NUMBER_COLOR = colors.HexColor("#c0392b")  # receipt numbers are printed in red, as on paper forms


VOID_COLOR = colors.HexColor("#d4380d")


GRID_COLOR = colors.HexColor("#8c8c8c")


TEXT_COLOR = colors.HexColor("#262626")


BODY_SIZE = 8.5


def _style(
    name: str, size: float = BODY_SIZE, align: Literal[0, 1, 2, 4] = TA_LEFT, color: colors.Color = TEXT_COLOR
) -> ParagraphStyle:
    return ParagraphStyle(
        name,
        fontName=FONT_NAME,
        fontSize=size,
        leading=size * 1.25,
        alignment=align,
        textColor=color,
        wordWrap="CJK",  # break anywhere: Chinese has no spaces, and a long code must not overflow
    )


def _para(text: str, style: ParagraphStyle, width: float, max_lines: int, *, keep_end: bool = False) -> Paragraph:
    """`text` wrapped into `width`, cut with an ellipsis so it takes at most `max_lines` lines."""
    return Paragraph(escape(clip(text, style.fontSize, width, max_lines, keep_end=keep_end)), style)


def clip(text: str, size: float, width: float, max_lines: int, *, keep_end: bool = False) -> str:
    """`text` shortened with "…" to fit; `keep_end` cuts the start instead (a house label's tail,
    "1栋1单元101", is the part that matters)."""
    # Wrapping loses part of a line at each break, so leave a margin on the budget.
    budget = (width - 2) * max_lines * 0.9
    if pdfmetrics.stringWidth(text, FONT_NAME, size) <= budget:
        return text
    keep = int(budget / (size * 0.25))  # no glyph is narrower than a quarter em
    text = text[-keep:] if keep_end else text[:keep]
    while text and pdfmetrics.stringWidth(text + "…", FONT_NAME, size) > budget:
        text = text[1:] if keep_end else text[:-1]
    return "…" + text if keep_end else text + "…"


def story(receipt: Receipt) -> list[Flowable]:
    body = _style("body")
    label = _style("label", color=colors.HexColor("#595959"))
    right = _style("right", align=TA_RIGHT)
    story: list[Flowable] = [_parties(receipt, body, label), Spacer(0, 2.5 * mm), _lines(receipt, body, right)]
    closing: list[Flowable] = [Spacer(0, 2 * mm)]
    payment = _payment(receipt, body)
    if payment is not None:
        closing.append(payment)
    if receipt.note:
        closing.append(_para(_("备注：%(note)s") % {"note": receipt.note}, body, CONTENT_WIDTH, 3))
    if receipt.voided:
        void_style = _style("void", color=VOID_COLOR)
        reason = receipt.void_reason or _("（未填写）")
        closing.append(
            _para(_("本收据已作废，作废原因：%(reason)s") % {"reason": reason}, void_style, CONTENT_WIDTH, 2)
        )
    closing += [Spacer(0, 2 * mm), _signatures(receipt, body)]
    story.append(KeepTogether(closing))
    return story


def _parties(receipt: Receipt, body: ParagraphStyle, label: ParagraphStyle) -> Table:
    widths = [16 * mm, 79 * mm, 16 * mm, 79 * mm]
    rows = [
        [Paragraph(_("小区"), label), _para(receipt.estate, body, widths[1], 1),
         Paragraph(_("房号"), label), _para(receipt.house, body, widths[3], 2, keep_end=True)],
        [Paragraph(_("缴款人"), label), _para(receipt.payer, body, widths[1], 1),
         Paragraph(_("收款方式"), label), _para(receipt.method_label, body, widths[3], 1)],
    ]  # fmt: skip
    table = Table(rows, colWidths=widths)
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), *_padding(1.5)]))
    return table


def _lines(receipt: Receipt, body: ParagraphStyle, right: ParagraphStyle) -> Table:
    widths = [9 * mm, 44 * mm, 44 * mm, 61 * mm, 32 * mm]
    header = [_("序号"), _("收费项目"), _("所属期间"), _("计费说明"), _("金额（元）")]
    rows: list[list[Any]] = [header]
    for index, line in enumerate(receipt.lines, start=1):
        rows.append([
            str(index),
            _para(line["fee_item"], body, widths[1], 2),
            _para(line["period"], body, widths[2], 2),
            _para(line["detail"], body, widths[3], 2),
            line["amount"],
        ])  # fmt: skip
    total_row = len(rows)
    rows.append([_("合计"), "", "", "", "¥" + money_text(receipt.total)])
    words = _("人民币（大写）：%(words)s") % {"words": amount_in_words(receipt.total.quantize(Decimal("0.01")))}
    rows.append([words, "", "", "", ""])
    table = Table(rows, colWidths=widths, repeatRows=1)
    tint = _tint(receipt, 0.9)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT_NAME),
                ("FONTSIZE", (0, 0), (-1, -1), BODY_SIZE),
                ("TEXTCOLOR", (0, 0), (-1, -1), TEXT_COLOR),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("GRID", (0, 0), (-1, -1), 0.5, GRID_COLOR),
                ("BACKGROUND", (0, 0), (-1, 0), tint),
                ("TEXTCOLOR", (0, 0), (-1, 0), receipt.brand),
                ("ALIGN", (0, 0), (-1, 0), "CENTER"),
                ("ALIGN", (0, 1), (0, total_row - 1), "CENTER"),
                ("ALIGN", (-1, 1), (-1, -1), "RIGHT"),
                ("SPAN", (0, total_row), (3, total_row)),
                ("ALIGN", (0, total_row), (3, total_row), "RIGHT"),
                ("FONTSIZE", (0, total_row), (-1, -1), BODY_SIZE + 1),
                ("SPAN", (0, total_row + 1), (-1, total_row + 1)),
                ("ALIGN", (0, total_row + 1), (-1, total_row + 1), "LEFT"),
                *_padding(1.5),
            ]
        )
    )
    return table


def _payment(receipt: Receipt, body: ParagraphStyle) -> Table | None:
    cells: list[str] = []
    if receipt.tendered is not None:
        cells.append(_("实收：¥%(amount)s") % {"amount": money_text(receipt.tendered)})
    if receipt.change is not None:
        cells.append(_("找零：¥%(amount)s") % {"amount": money_text(receipt.change)})
    if receipt.balance_after is not None:
        cells.append(_("预存余额：¥%(amount)s") % {"amount": money_text(receipt.balance_after)})
    if not cells:
        return None
    table = Table([cells], colWidths=[CONTENT_WIDTH / len(cells)] * len(cells))
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT_NAME),
                ("FONTSIZE", (0, 0), (-1, -1), BODY_SIZE),
                ("ALIGN", (0, 0), (-1, -1), "RIGHT"),
                *_padding(1),
            ]
        )
    )
    return table


def _signatures(receipt: Receipt, body: ParagraphStyle) -> Table:
    width = CONTENT_WIDTH / 3
    cells = [
        _para(_("收款人：%(cashier)s") % {"cashier": receipt.cashier}, body, width, 1),
        Paragraph(escape(_("缴款人（签字）：")), body),
        Paragraph(escape(_("收款单位（盖章）：")), body),
    ]
    table = Table([cells], colWidths=[width] * 3)
    table.setStyle(TableStyle(_padding(1)))
    return table


def _padding(points: float) -> list[tuple[Any, ...]]:
    return [
        ("TOPPADDING", (0, 0), (-1, -1), points),
        ("BOTTOMPADDING", (0, 0), (-1, -1), points),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]


def _tint(receipt: Receipt, whiteness: float) -> colors.Color:
    brand = receipt.brand
    return colors.Color(*(c + (1 - c) * whiteness for c in (brand.red, brand.green, brand.blue)))
