"""How a cell becomes a value: the parsers every import kind's columns are built from.

A cell may arrive as Excel stored it (a number for 房号 101, a float for a phone typed as a number,
a date or an Excel date serial) or as text from a CSV; every parser accepts all of these, returns
None for a blank cell and raises CellError with a message for the person fixing the file.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Refusal(Exception):
    """Something of the file refused, with a message for the person fixing it."""

    def __init__(self, message: StrOrPromise):
        message = str(message)  # a lazy message is rendered in the language running now
        super().__init__(message)
        self.message = message


class CellError(Refusal):
    """A cell refused: its row and column are named beside the message."""


def text_of(value: Any) -> str:
    """A cell as the text a person sees: 101.0 → '101', surrounding spaces gone."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ") if value.time() != datetime.min.time() else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- parsers: raw cell -> value (None when blank) -------------------------------------------


def text(max_length: int) -> Callable[[Any], str | None]:
    def parse(value: Any) -> str | None:
        result = text_of(value)
        if not result:
            return None
        if len(result) > max_length:
            raise CellError(_("不能超过 %(max)s 个字（现有 %(n)s 个）。") % {"max": max_length, "n": len(result)})
        return result

    return parse


def integer(low: int, high: int, *, zero: bool = True) -> Callable[[Any], int | None]:
    def parse(value: Any) -> int | None:
        if is_blank(value):
            return None
        if isinstance(value, bool):
            raise CellError(_("须为整数。"))
        if isinstance(value, float):
            if not value.is_integer():
                raise CellError(_("须为整数。"))
            number = int(value)
        elif isinstance(value, int):
            number = value
        else:
            raw = text_of(value)
            if not re.fullmatch(r"[-+]?\d+", raw):
                raise CellError(_("须为整数。"))
            number = int(raw)
        if not low <= number <= high or (number == 0 and not zero):
            if zero:
                raise CellError(_("须在 %(low)s 到 %(high)s 之间。") % {"low": low, "high": high})
            raise CellError(_("须在 %(low)s 到 %(high)s 之间，且不能为 0。") % {"low": low, "high": high})
        return number

    return parse


# How people write a floor: 3, 3层, 第3层, 3楼, 3F, F3; basements -1, B1, 地下1层, 负1层.
_FLOOR_ABOVE = re.compile(r"(?:第|F)?([-+]?\d+)(?:层|楼|F)?")
_FLOOR_BELOW = re.compile(r"(?:B|地下|负)(\d+)(?:层|楼|F)?")


def floor_number(low: int, high: int) -> Callable[[Any], int | None]:
    """A floor as an integer (not 0; basements negative), from a number or any of the spellings above."""
    check = integer(low, high, zero=False)

    def parse(value: Any) -> int | None:
        if not isinstance(value, str) or is_blank(value):
            return check(value)
        # Full-width digits and letters (３Ｆ) come from Chinese input methods.
        raw = re.sub(r"\s", "", unicodedata.normalize("NFKC", value)).upper()
        above, below = _FLOOR_ABOVE.fullmatch(raw), _FLOOR_BELOW.fullmatch(raw)
        if above:
            return check(int(above[1]))
        if below:
            return check(-int(below[1]))
        raise CellError(_("须为整数楼层，如 3、3层、3楼、3F；地下层填 -1 或 B1。"))

    return parse


def _as_decimal(value: Any) -> Decimal:
    """A number cell or its text (thousands separators allowed); InvalidOperation when it is neither."""
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(text_of(value).replace(",", ""))


def number_of(value: Any) -> Decimal | None:
    """A number cell or its text as a Decimal, None when blank: the start of every number parser (each
    then says which numbers it takes). 是/否 and text that is no number are refused."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError(_("须为数字。"))
    try:
        return _as_decimal(value)
    except (ArithmeticError, ValueError) as exc:
        raise CellError(_("须为数字。")) from exc


def quantized(number: Decimal, step: Decimal) -> Decimal:
    """`number` rounded to `step`; as it is when too long to round (28 digits, e.g. 1e30): the range
    checks that follow then refuse it as too large, rather than the rounding raising."""
    try:
        return number.quantize(step)
    except ArithmeticError:
        return number


def decimal(places: int, high: Decimal, *, inclusive: bool = False) -> Callable[[Any], Decimal | None]:
    """A positive number with at most `places` decimals (float noise like 89.50000000001 is rounded)."""
    step = Decimal(1).scaleb(-places)

    def parse(value: Any) -> Decimal | None:
        number = number_of(value)
        if number is None:
            return None
        if not number.is_finite():
            raise CellError(_("须为数字。"))
        rounded = quantized(number, step)
        if abs(number - rounded) > Decimal("0.000001"):
            raise CellError(_("最多保留 %(places)s 位小数。") % {"places": places})
        if rounded <= 0:
            raise CellError(_("须大于 0。"))
        if rounded > high or (rounded == high and not inclusive):
            raise CellError((_("不能超过 %(high)s。") if inclusive else _("须小于 %(high)s。")) % {"high": high})
        return rounded

    return parse


SHARE_AMBIGUOUS = gettext_lazy(
    "产权份额请按百分数填写数字，如 50 表示 50%；不要填 0.5，也不要把单元格设为百分比格式。"
    "确实不足 1% 的，请写成“0.5%”。"
)


def percent(high: Decimal = Decimal("100")) -> Callable[[Any], Decimal | None]:
    """A percentage as the number before the % sign: 50, "50%", "50 %" and "５０％" are all 50.

    A cell formatted as a percentage shows "50%" but stores 0.5, and the file reader sees only the
    stored number; so a bare number between 0 and 1 is refused as ambiguous rather than read as 0.5%.
    Written with its % sign ("0.5%") it is unambiguous and accepted."""
    check = decimal(2, high, inclusive=True)

    def parse(value: Any) -> Decimal | None:
        if is_blank(value):
            return None
        if isinstance(value, str):
            raw = unicodedata.normalize("NFKC", value).strip()
            if raw.endswith("%"):
                raw = raw.removesuffix("%").strip()
                if not raw:
                    raise CellError(_("须为数字。"))
                return check(raw)
            value = raw
        if not isinstance(value, bool):
            try:
                number = _as_decimal(value)
            except InvalidOperation:
                number = None
            if number is not None and number.is_finite() and 0 < number < 1:
                raise CellError(SHARE_AMBIGUOUS)
        return check(value)

    return parse


def choice(options: type, extra: dict[str, str] | None = None) -> Callable[[Any], str | None]:
    """A label (住宅) or a code (residential), any case; `extra` adds spellings people use."""
    lookup: dict[str, str] = {}
    for code, label in options.choices:  # type: ignore[attr-defined]
        if code:
            lookup[code.lower()] = code
            lookup[str(label).lower()] = code
    for spelling, code in (extra or {}).items():
        lookup[spelling.lower()] = code
    allowed = "、".join(str(label) for code, label in options.choices if code)  # type: ignore[attr-defined]

    def parse(value: Any) -> str | None:
        raw = text_of(value).lower()
        if not raw:
            return None
        if raw not in lookup:
            raise CellError(_("须为以下之一：%(allowed)s。") % {"allowed": allowed})
        return lookup[raw]

    return parse


_TRUE = {"是", "y", "yes", "true", "1", "√", "✓"}
_FALSE = {"否", "n", "no", "false", "0", "×"}


def boolean(value: Any) -> bool | None:
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    raw = text_of(value).lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise CellError(_("须填写“是”或“否”。"))


_EXCEL_EPOCH = date(1899, 12, 30)
_DATE_TEXT = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_DATE_FORMAT = gettext_lazy("须为日期，例如 2024-03-01、2024/3/1 或 2024年3月1日。")


def _valid_date(year: int, month: int, day: int) -> date:
    try:
        result = date(year, month, day)
    except ValueError as exc:
        raise CellError(_("日期不存在，请核对年月日。")) from exc
    if not date(1900, 1, 1) <= result <= date(2100, 12, 31):
        raise CellError(_("日期须在 1900 年到 2100 年之间。"))
    return result


# Excel serial 18264 is 1950-01-01. A smaller number in a date column is nearly always something
# else — a year (2024 would be 1905-07-16), a day or a count — so it is refused, not turned into a date.
_FIRST_SERIAL = 18264


def _year_only(year: int) -> str:
    return _("日期无效：%(year)s 只是年份，请填写完整日期，例如 %(year)s-03-01。") % {"year": year}


def _excel_serial(value: int | float) -> date:
    """An Excel date serial (the time of day dropped), only when it is a plausible recent date."""
    latest = timezone.localdate() + timedelta(days=366)
    if _FIRST_SERIAL <= value < (latest - _EXCEL_EPOCH).days + 1:
        return _EXCEL_EPOCH + timedelta(days=int(value))
    if float(value).is_integer() and 1900 <= value <= 2100:
        raise CellError(_year_only(int(value)))
    raise CellError(
        _("日期无效：%(value)s 不是 1950 年至 %(latest)s 之间的日期。请填写日期，例如 2024-03-01。")
        % {"value": text_of(value), "latest": latest.isoformat()}
    )


def a_date(value: Any) -> date | None:
    """A real date, an Excel date serial (45352), 20240301, or text in the usual Chinese forms."""
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return _valid_date(value.year, value.month, value.day)
    if isinstance(value, date):
        return _valid_date(value.year, value.month, value.day)
    if isinstance(value, bool):
        raise CellError(_DATE_FORMAT)
    if isinstance(value, int | float):
        if float(value).is_integer() and 19000101 <= value <= 21001231:
            number = int(value)
            return _valid_date(number // 10000, number // 100 % 100, number % 100)
        return _excel_serial(value)
    raw = text_of(value)
    if re.fullmatch(r"\d{4}", raw):
        raise CellError(_year_only(int(raw)))
    match = _DATE_TEXT.fullmatch(raw)
    if match:
        return _valid_date(int(match[1]), int(match[2]), int(match[3]))
    if re.fullmatch(r"\d{8}", raw):
        return _valid_date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
    if re.fullmatch(r"\d{5}(\.\d+)?", raw):
        return a_date(float(raw))
    raise CellError(_DATE_FORMAT)
