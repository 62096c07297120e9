"""Chinese resident identity card numbers (居民身份证号码, GB 11643-1999): 17 digits + a check
character computed with ISO 7064 MOD 11-2; digits 7–14 are the birth date."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from core import text

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def check_character(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def id_number_problem(value: str, *, today: date | None = None) -> str | None:
    """None when `value` is a valid 18-character ID number, else what is wrong (zh-CN, for users)."""
    value = value.strip().upper()
    if (
        len(value) != 18
        or not text.is_ascii_digits(value[:17])
        or not (text.is_ascii_digits(value[17]) or value[17] == "X")
    ):
        return _("身份证号须为 18 位：17 位数字加 1 位数字或 X。")
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return _("身份证号中的出生日期无效。")
    if not date(1900, 1, 1) <= born <= (today or date.today()):
        return _("身份证号中的出生日期无效。")
    if check_character(value[:17]) != value[17]:
        return _("身份证号校验位不正确，请核对。")
    return None


def normalise_id_number(value: str) -> str:
    """Full-width folded (a '１１０１…' or 'ｘ' typed with an IME is the same number), upper-case X."""
    return text.fold_width(value).upper()


def upgrade_first_generation(value: str) -> str:
    """A 15-digit first-generation ID number as the 18-digit one it became (GB 11643-1999: '19'
    inserted before the two-digit birth year, the check character appended); others unchanged."""
    if len(value) == 15 and text.is_ascii_digits(value):
        first17 = value[:6] + "19" + value[6:]
        return first17 + check_character(first17)
    return value


def first_generation_problem(value: str, *, today: date | None = None) -> str | None:
    """None when `value` is a plausible 15-digit first-generation ID number (digits 7–12 a birth
    date yymmdd in the 1900s)."""
    if len(value) != 15 or not text.is_ascii_digits(value):
        return _("一代身份证号须为 15 位数字。")
    try:
        born = date(1900 + int(value[6:8]), int(value[8:10]), int(value[10:12]))
    except ValueError:
        return _("身份证号中的出生日期无效。")
    if born > (today or date.today()):
        return _("身份证号中的出生日期无效。")
    return None


def document_key(number: str, document_type: str = "") -> str:
    """What a document number is indexed (and matched) by: a resident ID card by its 18-digit form
    (so the 15-digit first-generation number of a person meets their second-generation one); any
    other document by its type and number, so a passport and a permit that happen to share a number
    are never taken for one person."""
    if not number:
        return ""
    if document_type in ("", "id_card"):
        return upgrade_first_generation(number)
    return f"{document_type}:{number}"
