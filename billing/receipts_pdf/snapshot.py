"""The receipt snapshot read once into a `Receipt`, so drawing code never meets a missing key or a bad amount."""

from __future__ import annotations

import base64
import io
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from reportlab.lib import colors
from reportlab.lib.utils import ImageReader

logger = logging.getLogger(__name__)


DEFAULT_COLOR = "#1677ff"


_HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class Receipt:
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


def parse_snapshot(snapshot: Mapping[str, Any]) -> Receipt:
    company = snapshot.get("company") or {}
    color = str(company.get("primary_color") or "")
    return Receipt(
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
                "amount": money_text(_amount(line.get("amount"), "lines.amount") or Decimal("0")),
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


def money_text(amount: Decimal) -> str:
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
