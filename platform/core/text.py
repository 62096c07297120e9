"""Text as people type it, made comparable — one normalisation for everything we match on.

An IME types full-width digits and letters (１３８…, ＡＤＭＩＮ) that look like the ASCII ones and
compare unequal: a phone typed that way passes a `\\d` check and misses every duplicate check.
NFKC folds them (and other compatibility forms) into the plain characters. It is applied to what
we compare — usernames, names, codes, search text — and not to free prose (notes, addresses),
where it would turn Chinese full-width punctuation (，：（）) into ASCII.

Numbers with a meaning (phones, ID numbers) get only the width folding: full NFKC would also
turn a '²' or '①' into a digit and let garbage pass a check digit. Those stay and are refused.
"""

from __future__ import annotations

import re
import unicodedata

# C0 controls other than tab, line feed and carriage return, and DEL: no keyboard types them,
# PostgreSQL refuses NUL in text outright, and the rest break the files we write.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# Bidirectional embeddings, overrides and isolates (U+202A–202E, U+2066–2069): they make text display
# other than it is stored — a reason that reads backwards, a name whose end is hidden ("Trojan Source").
DIRECTION_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def has_control_characters(value: str) -> bool:
    return CONTROL_CHARACTERS.search(value) is not None


def has_direction_controls(value: str) -> bool:
    return DIRECTION_CONTROLS.search(value) is not None


def normalise(value: str) -> str:
    """NFKC, outer whitespace stripped: '１３８ ' -> '138'."""
    return unicodedata.normalize("NFKC", value).strip()


def fold_width(value: str) -> str:
    """Full-width forms (U+FF01–FF5E, the ideographic space) to ASCII, the rest untouched, outer
    whitespace stripped: '１３８ ' -> '138', '²' stays '²'."""
    folded = "".join(
        unicodedata.normalize("NFKC", ch) if "\uff01" <= ch <= "\uff5e" or ch == "\u3000" else ch for ch in value
    )
    return folded.strip()


def without_format_characters(value: str) -> str:
    """Drops invisible format characters (Unicode category Cf: zero-width space and joiners,
    direction marks, BOM), which make two equal-looking names differ or a name look empty."""
    return "".join(ch for ch in value if unicodedata.category(ch) != "Cf")


def _is_wide_letter_or_digit(ch: str) -> bool:
    return "\uff10" <= ch <= "\uff19" or "\uff21" <= ch <= "\uff3a" or "\uff41" <= ch <= "\uff5a"


def clean_name(value: str | None) -> str:
    """A person's or a thing's name as stored: full-width letters and digits folded to ASCII ('１栋'
    and '1栋' are one building), no format characters, inner runs of whitespace (the ideographic
    space too) as one space. Full-width punctuation stays as typed: a company's registered name is
    written '（杭州）' and must print so on invoices. Empty when nothing visible is left."""
    composed = unicodedata.normalize("NFC", value or "")
    folded = "".join(unicodedata.normalize("NFKC", ch) if _is_wide_letter_or_digit(ch) else ch for ch in composed)
    return " ".join(without_format_characters(folded).split())


def is_ascii_digits(value: str) -> bool:
    """'0'-'9' only. str.isdigit() is also true for '²' and '١', which int() then refuses."""
    return bool(value) and value.isascii() and value.isdigit()


def query_id(value: str | None) -> int | None:
    """A row id from a query parameter, or None: ASCII digits only (not '²'), within PostgreSQL's
    integer (a larger one would fail in the database, not here)."""
    raw = (value or "").strip()
    if not is_ascii_digits(raw) or len(raw) > 10 or int(raw) > 2**31 - 1:
        return None
    return int(raw)
