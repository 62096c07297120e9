"""收据 — the receipt PDF, rendered from the snapshot frozen when the receipt was issued.

No database access: the receipt service freezes a JSON-able dict when it issues a receipt and
hands the same dict here for the first print and every reprint. The output is a pure function of
that dict (reportlab's invariant mode: fixed dates and document id), so a reprint is byte-identical
to the original.

The CJK font is committed under billing/fonts/ (see its README: source, licence, how it is built)
and embedded as a TrueType subset, so the PDF reads the same on any machine and needs no fonts
installed here or on the reader's side.
"""

from __future__ import annotations

import base64
import functools
import io
import logging
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any, Literal
from xml.sax.saxutils import escape

from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A5, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable

from billing.amount_words import amount_in_words

__all__ = ["FONT_NAME", "FONT_PATH", "amount_in_words", "render_receipt"]

logger = logging.getLogger(__name__)

FONT_NAME = "WuyeReceiptCJK"
FONT_PATH = Path(__file__).with_name("fonts") / "wqy-microhei-gbk.ttf"

PAGE_SIZE = landscape(A5)  # 210 × 148 mm: half an A4 sheet, what laser-printed receipts use
MARGIN_X = 10 * mm
HEADER_HEIGHT = 30 * mm  # first page: logo, company, title, number, date
LATER_HEADER_HEIGHT = 17 * mm  # later pages: one line, so more charge lines fit
FOOTER_HEIGHT = 10 * mm
CONTENT_WIDTH = PAGE_SIZE[0] - 2 * MARGIN_X

DEFAULT_COLOR = "#1677ff"
NUMBER_COLOR = colors.HexColor("#c0392b")  # receipt numbers are printed in red, as on paper forms
VOID_COLOR = colors.HexColor("#d4380d")
GRID_COLOR = colors.HexColor("#8c8c8c")
TEXT_COLOR = colors.HexColor("#262626")

BODY_SIZE = 8.5
_HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


@functools.cache
def register_font() -> str:
    """Register the embedded CJK font once per process (parsing it is the slow part of a render)."""
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_PATH)))
    return FONT_NAME


@dataclass(frozen=True)
class _Receipt:
    """The snapshot, parsed and checked once, so drawing code never meets a missing key."""

    number: str
    issued_at: str
    company_name: str
    brand: colors.Color
    logo: ImageReader | None
    estate: str
    house: str
    payer: str
    cashier: str
    method_label: str
    lines: list[dict[str, str]]
    total: Decimal
    tendered: Decimal | None
    change: Decimal | None
    balance_after: Decimal | None
    note: str
    voided: bool
    void_reason: str


def render_receipt(snapshot: Mapping[str, Any]) -> bytes:
    """Render the receipt `snapshot` to PDF bytes; the same snapshot always gives the same bytes.

    A `language` key (e.g. "zh-hans", "en") selects the labels' language; without it the active
    one is used. Raises ValueError when an amount in the snapshot is not a decimal number.
    """
    language = snapshot.get("language")
    with translation.override(str(language)) if language else _unchanged():
        return _render(_parse(snapshot))


@contextmanager
def _unchanged() -> Iterator[None]:
    yield


def _render(receipt: _Receipt) -> bytes:
    register_font()
    buffer = io.BytesIO()
    height = PAGE_SIZE[1]
    body_bottom = FOOTER_HEIGHT

    def frame(top: float) -> Frame:
        return Frame(MARGIN_X, body_bottom, CONTENT_WIDTH, height - top - body_bottom,
                     leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)  # fmt: skip

    doc = BaseDocTemplate(
        buffer,
        pagesize=PAGE_SIZE,
        pageTemplates=[
            PageTemplate(id="first", frames=[frame(HEADER_HEIGHT)], autoNextPageTemplate="later"),
            PageTemplate(id="later", frames=[frame(LATER_HEADER_HEIGHT)]),
        ],
        title=_("收据 %(number)s") % {"number": receipt.number},
        author=receipt.company_name,
        creator="Wuye",
        invariant=1,
    )
    decorate = functools.partial(_decorate_page, receipt=receipt)

    def canvas_maker(filename: str | IO[bytes], /, **kwargs: Any) -> Canvas:
        return _PagedCanvas(filename, decorate=decorate, **kwargs)

    doc.build(_story(receipt), canvasmaker=canvas_maker)
    return buffer.getvalue()


class _PagedCanvas(Canvas):
    """Holds pages back until the end so each page's header can say "page n of N".

    The header, footer and VOID watermark are drawn last on each page, above the content.
    """

    def __init__(self, *args: Any, decorate: Callable[[Canvas, int, int], None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._decorate = decorate
        self._held_pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._held_pages.append(dict(self.__dict__))
        self._startPage()  # type: ignore[attr-defined]

    def save(self) -> None:
        total = len(self._held_pages)
        for page_number, state in enumerate(self._held_pages, start=1):
            self.__dict__.update(state)
            self._decorate(self, page_number, total)
            super().showPage()
        super().save()


# ---------------------------------------------------------------------------------------- parsing


def _parse(snapshot: Mapping[str, Any]) -> _Receipt:
    company = snapshot.get("company") or {}
    color = str(company.get("primary_color") or "")
    return _Receipt(
        number=_text(snapshot.get("number")),
        issued_at=_display_time(_text(snapshot.get("issued_at"))),
        company_name=_text(company.get("name")),
        brand=colors.HexColor(color if _HEX_COLOR.match(color) else DEFAULT_COLOR),
        logo=_logo(str(company.get("logo_png_base64") or "")),
        estate=_text(snapshot.get("estate")),
        house=_text(snapshot.get("house")),
        payer=_text(snapshot.get("payer")),
        cashier=_text(snapshot.get("cashier")),
        method_label=_text(snapshot.get("method_label") or snapshot.get("method")),
        lines=[
            {
                "fee_item": _text(line.get("fee_item")),
                "period": _text(line.get("period")),
                "detail": _text(line.get("detail")),
                "amount": _money(_amount(line.get("amount"), "lines.amount") or Decimal("0")),
            }
            for line in snapshot.get("lines") or []
        ],
        total=_amount(snapshot.get("total"), "total") or Decimal("0.00"),
        tendered=_amount(snapshot.get("tendered"), "tendered"),
        change=_amount(snapshot.get("change"), "change"),
        balance_after=_amount(snapshot.get("balance_after"), "balance_after"),
        note=_text(snapshot.get("note")),
        voided=bool(snapshot.get("voided")),
        void_reason=_text(snapshot.get("void_reason")),
    )


def _text(value: object) -> str:
    return "" if value is None else " ".join(str(value).split())


def _amount(value: object, field: str) -> Decimal | None:
    """A snapshot amount ("223.75"); None or "" means "not given" (no tendered for a transfer)."""
    if value is None or value == "":
        return None
    if isinstance(value, float):
        raise ValueError(f"receipt snapshot {field}: amounts must be strings, not floats ({value!r})")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"receipt snapshot {field}: not an amount: {value!r}") from None
    if not amount.is_finite():
        raise ValueError(f"receipt snapshot {field}: not an amount: {value!r}")
    return amount


def _money(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def _display_time(issued_at: str) -> str:
    """The issue time in the offset it was frozen with (the company's), to the minute."""
    try:
        return datetime.fromisoformat(issued_at).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return issued_at


def _logo(encoded: str) -> ImageReader | None:
    """The company logo, or None when there is none or it does not decode: a broken upload must
    never stop a cashier printing a receipt."""
    if not encoded:
        return None
    try:
        reader = ImageReader(io.BytesIO(base64.b64decode(encoded, validate=True)))
        width, height = reader.getSize()
        if width <= 0 or height <= 0:
            raise ValueError("empty image")
    except Exception as exc:  # binascii, PIL and reportlab raise many kinds on a corrupt upload
        logger.warning("receipt logo ignored: %s", exc)
        return None
    return reader


# ------------------------------------------------------------------------------------------ story


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
    return Paragraph(escape(_clip(text, style.fontSize, width, max_lines, keep_end=keep_end)), style)


def _clip(text: str, size: float, width: float, max_lines: int, *, keep_end: bool = False) -> str:
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


def _story(receipt: _Receipt) -> list[Flowable]:
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


def _parties(receipt: _Receipt, body: ParagraphStyle, label: ParagraphStyle) -> Table:
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


def _lines(receipt: _Receipt, body: ParagraphStyle, right: ParagraphStyle) -> Table:
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
    rows.append([_("合计"), "", "", "", "¥" + _money(receipt.total)])
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


def _payment(receipt: _Receipt, body: ParagraphStyle) -> Table | None:
    cells: list[str] = []
    if receipt.tendered is not None:
        cells.append(_("实收：¥%(amount)s") % {"amount": _money(receipt.tendered)})
    if receipt.change is not None:
        cells.append(_("找零：¥%(amount)s") % {"amount": _money(receipt.change)})
    if receipt.balance_after is not None:
        cells.append(_("预存余额：¥%(amount)s") % {"amount": _money(receipt.balance_after)})
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


def _signatures(receipt: _Receipt, body: ParagraphStyle) -> Table:
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


def _tint(receipt: _Receipt, whiteness: float) -> colors.Color:
    brand = receipt.brand
    return colors.Color(*(c + (1 - c) * whiteness for c in (brand.red, brand.green, brand.blue)))


# ------------------------------------------------------------------------------------ every page


def _decorate_page(canvas: Canvas, page: int, pages: int, *, receipt: _Receipt) -> None:
    canvas.saveState()
    if page == 1:
        _first_header(canvas, receipt)
    else:
        _later_header(canvas, receipt)
    width, height = PAGE_SIZE
    left, right = MARGIN_X, width - MARGIN_X
    baseline = height - (HEADER_HEIGHT if page == 1 else LATER_HEADER_HEIGHT) + 3 * mm
    canvas.setFont(FONT_NAME, BODY_SIZE)
    canvas.setFillColor(TEXT_COLOR)
    canvas.drawString(left, baseline, _("收款日期：%(date)s") % {"date": receipt.issued_at})
    canvas.drawRightString(right, baseline, _("第 %(page)d 页 / 共 %(pages)d 页") % {"page": page, "pages": pages})
    canvas.setStrokeColor(receipt.brand)
    canvas.setLineWidth(1.2)
    canvas.line(left, baseline - 2 * mm, right, baseline - 2 * mm)

    canvas.setFont(FONT_NAME, 7)
    canvas.setFillColor(GRID_COLOR)
    footer = _("（续下页）") if page < pages else _("本收据为缴费凭证，请妥善保管")
    canvas.drawCentredString(width / 2, 5 * mm, footer)
    if receipt.voided:
        _watermark(canvas)
    canvas.restoreState()


def _first_header(canvas: Canvas, receipt: _Receipt) -> None:
    width, height = PAGE_SIZE
    left, right = MARGIN_X, width - MARGIN_X
    top = height - 8 * mm
    side = 42 * mm  # room kept on each side of the centred title for the logo and the number
    if receipt.logo is not None:
        logo_width, logo_height = receipt.logo.getSize()
        scale = min(14 * mm / logo_height, (side - 4 * mm) / logo_width)
        canvas.drawImage(
            receipt.logo, left, top - logo_height * scale, logo_width * scale, logo_height * scale, mask="auto"
        )
    # The company's name is what makes the receipt valid: shrink it to fit before cutting it.
    room = right - left - 2 * side
    size = 15.0
    while size > 10 and pdfmetrics.stringWidth(receipt.company_name, FONT_NAME, size) > room:
        size -= 0.5
    _bold_centred(canvas, receipt, _clip(receipt.company_name, size, room / 0.9, 1), size, top - 5.5 * mm)
    canvas.setFont(FONT_NAME, 12)
    canvas.setFillColor(TEXT_COLOR)
    canvas.drawCentredString(width / 2, top - 12.5 * mm, _title(receipt))
    canvas.setFont(FONT_NAME, 10)
    canvas.setFillColor(NUMBER_COLOR)
    canvas.drawRightString(right, top - 5 * mm, _("No. %(number)s") % {"number": receipt.number})


def _later_header(canvas: Canvas, receipt: _Receipt) -> None:
    """One line on continuation pages: whose receipt, which one, so a loose page can be matched."""
    width, height = PAGE_SIZE
    left, right = MARGIN_X, width - MARGIN_X
    top = height - 9 * mm
    canvas.setFont(FONT_NAME, 10)
    canvas.setFillColor(receipt.brand)
    canvas.drawString(left, top, _clip(receipt.company_name, 10, 80 * mm, 1))
    canvas.setFillColor(TEXT_COLOR)
    canvas.drawCentredString(width / 2, top, _title(receipt) + _("（续）"))
    canvas.setFillColor(NUMBER_COLOR)
    canvas.drawRightString(right, top, _("No. %(number)s") % {"number": receipt.number})


def _title(receipt: _Receipt) -> str:
    title = _("收 款 收 据")
    return title + _("（作废）") if receipt.voided else title


def _bold_centred(canvas: Canvas, receipt: _Receipt, text: str, size: float, y: float) -> None:
    """Centred text thickened with a stroked outline: the font has a single weight."""
    canvas.saveState()  # the text render mode is graphics state: keep it from leaking to later text
    canvas.setFillColor(receipt.brand)
    canvas.setStrokeColor(receipt.brand)
    canvas.setLineWidth(0.4)
    text_object = canvas.beginText()
    text_object.setTextRenderMode(2)
    text_object.setFont(FONT_NAME, size)
    text_object.setTextOrigin(PAGE_SIZE[0] / 2 - pdfmetrics.stringWidth(text, FONT_NAME, size) / 2, y)
    text_object.textOut(text)
    canvas.drawText(text_object)
    canvas.restoreState()


def _watermark(canvas: Canvas) -> None:
    width, height = PAGE_SIZE
    canvas.saveState()
    canvas.setFillColor(VOID_COLOR)
    canvas.setFillAlpha(0.22)
    canvas.setFont(FONT_NAME, 110)
    canvas.translate(width / 2, height / 2)
    canvas.rotate(25)
    canvas.drawCentredString(0, -38, _("作废"))
    canvas.restoreState()
