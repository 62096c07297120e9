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

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.utils import translation

from billing.amount_words import amount_in_words
from billing.receipts_pdf.fonts import FONT_NAME, FONT_PATH, register_font
from billing.receipts_pdf.pages import render
from billing.receipts_pdf.snapshot import parse_snapshot

__all__ = ["FONT_NAME", "FONT_PATH", "amount_in_words", "register_font", "render_receipt"]


def render_receipt(snapshot: Mapping[str, Any]) -> bytes:
    """Render the receipt `snapshot` to PDF bytes; the same snapshot always gives the same bytes.

    A `language` key (e.g. "zh-hans", "en") selects the labels' language; without it the active
    one is used. Raises ValueError when an amount in the snapshot is not a decimal number.
    """
    language = snapshot.get("language")
    with translation.override(str(language)) if language else _unchanged():
        return render(parse_snapshot(snapshot))


@contextmanager
def _unchanged() -> Iterator[None]:
    yield
