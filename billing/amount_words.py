"""大写金额 — an amount written in Chinese financial capitals, as receipts and cheques print it."""

from __future__ import annotations

from decimal import Decimal
from typing import cast

import cn2an

_FEN = Decimal("0.01")
# cn2an reaches 10**16; no property fee comes near that, and a figure past it is a bug upstream.
_LIMIT = Decimal(10) ** 16


def amount_in_words(amount: Decimal) -> str:
    """Return `amount` (yuan, at most 2 places) in 大写, e.g. 1234.50 → 壹仟贰佰叁拾肆元伍角整.

    The form follows the People's Bank rules for filling in bills: 整 after 元 or 角 when there are
    no 分 (整 after 角 is optional there; we always write it so nothing can be appended), none after
    分; a zero inside the figure reads 零 (10.05 → 壹拾元零伍分); a leading ten keeps its 壹
    (壹拾元整); amounts under one yuan start at the first non-zero unit (0.05 → 伍分).

    Raises ValueError for anything that is not a whole number of fen: rounding is the ledger's job,
    and a receipt that silently rounds would disagree with the charge it prints.
    """
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise ValueError(f"amount must be a finite Decimal, got {amount!r}")
    if amount != amount.quantize(_FEN):
        raise ValueError(f"amount must be a whole number of fen (2 decimal places), got {amount}")
    if abs(amount) >= _LIMIT:
        raise ValueError(f"amount out of range: {amount}")
    if amount.is_zero():
        return "零元整"
    words = cast(str, cn2an.an2cn(f"{amount.quantize(_FEN):f}", "rmb"))
    if words.endswith("角"):
        words += "整"
    return words
