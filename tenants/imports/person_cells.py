"""The parsers of a resident's personal cells (phone, ID number, gender, age), which know two
things a plain parser does not: a placeholder standing in for a missing value (a fixed phone number,
an ID of all ones, 无) and a masked value from our own export (138****5678). Phone and ID numbers go
through the same checks as the residents' forms (tenants.residents.pii).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tenants.imports.cells import CellError, choice, integer, is_blank, text_of
from tenants.residents import pii
from tenants.residents.models import Gender


@dataclass(frozen=True)
class Placeholder:
    """What a parser returns for a cell that only stands in for a missing value (a fixed phone
    number, an ID of all ones, 无): the value is imported as missing and the row gets a warning."""

    shown: str
    what: str

    @property
    def message(self) -> str:
        return _("“%(value)s”是占位值，不是真实的%(what)s：按未填导入，请补录。") % {
            "value": self.shown,
            "what": self.what,
        }


class Masked:
    """A masked value as our own exports write it (138****5678): the value on file, unchanged."""


MASKED = Masked()


def _masked(value: Any) -> bool:
    return isinstance(value, str) and "**" in value


PersonalParser = Callable[[Any], "str | Placeholder | Masked | None"]


def _personal(is_placeholder: Callable[[str], bool], what: str) -> Callable[[Callable[[Any], Any]], PersonalParser]:
    """A personal number's parser, asked first what the cell stands for instead of a number: nothing
    (blank), the number on file (masked, as our exports write it) or a missing one (a placeholder)."""

    def wrap(parse: Callable[[Any], Any]) -> PersonalParser:
        @functools.wraps(parse)
        def parse_personal(value: Any) -> str | Placeholder | Masked | None:
            if is_blank(value):
                return None
            if _masked(value):
                return MASKED
            if is_placeholder(text_of(value)):
                return Placeholder(text_of(value), str(_(what)))
            return parse(value)

        return parse_personal

    return wrap


_SCIENTIFIC = re.compile(r"(\d)(?:\.(\d+))?[eE]\+?(\d+)")


@_personal(pii.is_placeholder_phone, gettext_noop("手机号"))
def phone(value: Any) -> str:
    """A mainland mobile number (13812345678 as text, a number, a float such as 1.3812345678E10,
    +86 or 86 before it) or a landline with its area code; a placeholder (11111111111) said as one."""
    if isinstance(value, str):
        match = _SCIENTIFIC.fullmatch(value.strip())
        if match:
            digits = match[1] + (match[2] or "")
            if len(digits) - 1 < int(match[3]):
                raise CellError(_("手机号被 Excel 显示成了科学计数法，后几位已丢失；请把该列设为文本后重新填写。"))
            value = str(int(Decimal(value.strip())))
    result = pii.normalise_phone(value)
    problem = pii.contact_phone_problem(result)
    if problem:
        raise CellError(problem)
    return result


@_personal(pii.is_placeholder_id, gettext_noop("证件号码"))
def id_number(value: Any) -> str | None:
    """A document number as typed (cleaned); checked against its type with the row's 证件类型
    (check_residents), since only the type says what a valid number is."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        # Excel keeps 15 significant digits: a first-generation (15-digit) number survives a number
        # cell; an 18-digit one is already wrong.
        if float(value).is_integer() and len(str(int(value))) == 15:
            return str(int(value))
        raise CellError(
            _("身份证号须按文本填写（Excel 数字只保留 15 位，后几位已变成 0）；请把该列设为文本后重新填写。")
        )
    return pii.clean_document_number(text_of(value)) or None


_UNKNOWN_GENDER = frozenset({"未知", "不详", "保密", "未填", "无", "/", "-"})


def gender(value: Any) -> str | Placeholder | None:
    """男 or 女; 未知, 不详 and the like are the default HC's notes suggest: imported as missing, said."""
    if text_of(value) in _UNKNOWN_GENDER:
        return Placeholder(text_of(value), str(_("性别")))
    return _GENDER(value)


def age(value: Any) -> int | Placeholder | None:
    """An age (HC's 业主信息 has one): kept only to tell HC's default 1 ("如果没有固定写1") from a real
    one; residents' records hold no age, which the report says once."""
    number = integer(0, 150)(value)
    if number == pii.HC_NO_AGE:
        return Placeholder(text_of(value), str(_("年龄")))
    return number


_GENDER = choice(Gender, {"m": Gender.MALE, "f": Gender.FEMALE, "男性": Gender.MALE, "女性": Gender.FEMALE})


def unless_masked(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def parse_unmasked(value: Any) -> Any:
        return MASKED if _masked(value) else parse(value)

    return parse_unmasked
