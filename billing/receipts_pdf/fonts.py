"""The receipt's CJK font: committed under billing/fonts/ (see its README), embedded as a TrueType subset."""

from __future__ import annotations

import functools
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_NAME = "WuyeReceiptCJK"


FONT_PATH = Path(__file__).parents[1] / "fonts" / "wqy-microhei-gbk.ttf"


@functools.cache
def register_font() -> str:
    """Register the embedded CJK font once per process (parsing it is the slow part of a render)."""
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_PATH)))
    return FONT_NAME
