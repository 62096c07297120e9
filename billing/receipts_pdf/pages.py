"""Rendering: the document, and what every page carries (headers, page n of N, footer, VOID watermark)."""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from typing import IO, Any

from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    PageTemplate,
)

from billing.receipts_pdf.fonts import FONT_NAME, register_font
from billing.receipts_pdf.layout import (
    BODY_SIZE,
    CONTENT_WIDTH,
    FOOTER_HEIGHT,
    GRID_COLOR,
    HEADER_HEIGHT,
    LATER_HEADER_HEIGHT,
    MARGIN_X,
    NUMBER_COLOR,
    PAGE_SIZE,
    TEXT_COLOR,
    VOID_COLOR,
    clip,
    story,
)
from billing.receipts_pdf.snapshot import Receipt


def render(receipt: Receipt) -> bytes:
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

    doc.build(story(receipt), canvasmaker=canvas_maker)
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


def _decorate_page(canvas: Canvas, page: int, pages: int, *, receipt: Receipt) -> None:
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


def _first_header(canvas: Canvas, receipt: Receipt) -> None:
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
    _bold_centred(canvas, receipt, clip(receipt.company_name, size, room / 0.9, 1), size, top - 5.5 * mm)
    canvas.setFont(FONT_NAME, 12)
    canvas.setFillColor(TEXT_COLOR)
    canvas.drawCentredString(width / 2, top - 12.5 * mm, _title(receipt))
    canvas.setFont(FONT_NAME, 10)
    canvas.setFillColor(NUMBER_COLOR)
    canvas.drawRightString(right, top - 5 * mm, _("No. %(number)s") % {"number": receipt.number})


def _later_header(canvas: Canvas, receipt: Receipt) -> None:
    """One line on continuation pages: whose receipt, which one, so a loose page can be matched."""
    width, height = PAGE_SIZE
    left, right = MARGIN_X, width - MARGIN_X
    top = height - 9 * mm
    canvas.setFont(FONT_NAME, 10)
    canvas.setFillColor(receipt.brand)
    canvas.drawString(left, top, clip(receipt.company_name, 10, 80 * mm, 1))
    canvas.setFillColor(TEXT_COLOR)
    canvas.drawCentredString(width / 2, top, _title(receipt) + _("（续）"))
    canvas.setFillColor(NUMBER_COLOR)
    canvas.drawRightString(right, top, _("No. %(number)s") % {"number": receipt.number})


def _title(receipt: Receipt) -> str:
    title = _("收 款 收 据")
    return title + _("（作废）") if receipt.voided else title


def _bold_centred(canvas: Canvas, receipt: Receipt, text: str, size: float, y: float) -> None:
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
