"""Checking and indexing residents' phone and ID numbers — pure functions shared by the services
and by bulk imports, so a row imported from Excel passes exactly the checks a form does."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import services as account_services
from accounts import validators
from core import crypto, text
from core.identity import document_key, first_generation_problem, id_number_problem, normalise_id_number

PHONE_PROBLEM = gettext_lazy("请输入有效的中国大陆手机号（11 位，以 1 开头）。")

# 8613812345678: the country code typed without its plus sign.
_MOBILE_WITH_COUNTRY = re.compile(r"86(1[3-9]\d{9})")
# A landline with its area code (010, 02x: three digits; others four), optionally an extension:
# (010)12345678, 0755-1234567, 010 1234 5678 转 801.
_LANDLINE = re.compile(r"\(?(0(?:[12]\d|[3-9]\d{2}))\)?(\d{7,8})(?:(?:转|ext\.?|x|#)(\d{1,6}))?", re.IGNORECASE)


def normalise_phone(value: object) -> str:
    """'138 1234 5678', '+86 13812345678', '8613812345678', '１３８…', 13812345678.0 from Excel →
    '13812345678'; a landline '(010) 1234-5678 转 801' → '01012345678转801'. The stored form is one
    accounts' normalisation leaves as it is, so a stored number's index is the index it is looked up by."""
    phone = validators.normalise_phone(value)
    mobile = _MOBILE_WITH_COUNTRY.fullmatch(phone)
    if mobile:
        return mobile[1]
    landline = _LANDLINE.fullmatch(phone)
    if landline:
        return landline[1] + landline[2] + (f"转{landline[3]}" if landline[3] else "")
    return phone


def phone_problem(phone: str) -> str | None:
    # RegexValidator compiles .regex in __init__ (django-stubs also allow the str it was given)
    return None if validators.CHINESE_MOBILE.regex.match(phone) else str(PHONE_PROBLEM)  # type: ignore[union-attr]


def is_landline(phone: str) -> bool:
    return bool(phone) and phone.startswith("0") and _LANDLINE.fullmatch(phone) is not None


def contact_phone_problem(phone: str) -> str | None:
    """A resident's contact number: a mainland mobile or a landline with its area code (an owner's
    login is always a mobile; a record may hold the number the office phones)."""
    if is_landline(phone) or not phone_problem(phone):
        return None
    return _("请填写 11 位大陆手机号，或带区号的固定电话（如 010-12345678）。")


# What clerks type when a value is missing. HC's own templates (java110/MicroCommunityWeb
# public/import/importRoom.xlsx, hc.xlsx, notes of 业主信息/资产信息) say: phone "没有时固定写
# 18999999999", ID "没有时填写 111111111111111111", gender "如果没有该信息固定写男", age "如果没有固定写1".
# Recognised conservatively: HC's fixed numbers, words meaning "none", a number of one repeated
# digit, the counting sequences, and other fixed fillers seen (1x0 0000 0000, 13800138000).
HC_NO_PHONE = "18999999999"
HC_NO_AGE = 1
_NONE_WORDS = frozenset(
    {"无", "暂无", "没有", "不详", "未知", "空", "无号码", "未提供", "未登记", "/", "-", "--", "—", "——", "0"}
    | {"null", "none", "n/a", "na", "nil"}
)
_FILLER_PHONES = frozenset({HC_NO_PHONE, "12345678901", "12345678910", "13800138000", "01234567890"})
_FILLER_IDS = frozenset({"123456789012345678", "12345678901234567X", "123456789012345"})


def _one_digit_repeated(value: str) -> bool:
    return len(value) >= 6 and len(set(value)) == 1


def is_placeholder_phone(raw: str) -> bool:
    """A phone cell that only says the number is unknown (11111111111, 13800000000, 无)."""
    cleaned = text.fold_width(raw).strip().lower()
    if cleaned in _NONE_WORDS:
        return True
    phone = normalise_phone(cleaned)
    return _one_digit_repeated(phone) or phone in _FILLER_PHONES or bool(re.fullmatch(r"1[3-9]\d0{8}", phone))


def is_placeholder_id(raw: str) -> bool:
    """An ID cell that only says the number is unknown (111111111111111111, 000000000000000000, 无)."""
    cleaned = normalise_id_number(text.fold_width(raw).strip()).replace(" ", "")
    if cleaned.lower() in _NONE_WORDS:
        return True
    return _one_digit_repeated(cleaned) or cleaned in _FILLER_IDS


def id_problem(id_number: str) -> str | None:
    return id_number_problem(id_number)


def clean_id_number(value: object) -> str:
    return normalise_id_number("" if value is None else str(value))


def phone_index(phone: str) -> str:
    # Accounts' own index: a resident's login and their record must meet on the same value.
    return account_services.phone_index(phone)


def phone_indexes(phone: str) -> tuple[str, ...]:
    """For lookups (`phone_index__in=`): the index under every configured key (key rotation)."""
    return account_services.phone_indexes(phone)


def id_number_index(id_number: str, id_type: str = "id_card") -> str:
    """The index a document number is stored under (Person.id_number_index: its type and number,
    core.identity.document_key)."""
    return crypto.blind_index(document_key(id_number, id_type), purpose="id_number") if id_number else ""


def id_number_indexes(id_number: str, id_type: str = "id_card") -> tuple[str, ...]:
    """For lookups (`id_number_index__in=`): the index under every configured key (key rotation)."""
    return crypto.blind_indexes(document_key(id_number, id_type), purpose="id_number") if id_number else ()


_DOCUMENT_SHAPES = {
    "hk_macao": re.compile(r"[HM]\d{8}(?:\d{2})?"),
    "taiwan": re.compile(r"\d{8}(?:\d{2})?(?:\([A-Z]\))?|[A-Z]\d{9}"),
    "passport": re.compile(r"[A-Z0-9]{5,20}"),
    "other": re.compile(r"[A-Z0-9][A-Z0-9\-]{3,29}"),
}


def clean_document_number(value: object) -> str:
    """Full-width folded, upper-case, no spaces: 'ｅ１２３ ４５６７８' → 'E12345678'."""
    return "".join(clean_id_number(value).split())


def infer_document_type(number: str) -> str:
    """The type a number's shape names without doubt: an 18-character or 15-digit ID card number,
    an HK/Macao permit (H or M and 8 or 10 digits); "" when only a stated type can tell."""
    if re.fullmatch(r"\d{17}[\dX]|\d{15}", number):
        return "id_card"
    if _DOCUMENT_SHAPES["hk_macao"].fullmatch(number):
        return "hk_macao"
    return ""


def document_problem(id_type: str, number: str) -> str | None:
    """None when `number` is a valid number of a document of `id_type`, else what is wrong."""
    if id_type == "id_card":
        return first_generation_problem(number) if len(number) == 15 else id_problem(number)
    shape = _DOCUMENT_SHAPES.get(id_type)
    if shape is None:
        return _("请填写证件类型：居民身份证、港澳居民来往内地通行证、台湾居民来往大陆通行证、护照或其他证件。")
    if not shape.fullmatch(number):
        return _("证件号码格式不正确：%(number)s。") % {"number": number}
    return None


# The middle dots a transliterated or minority name is written with (阿卜杜·热合曼), typed many ways.
_NAME_DOTS = str.maketrans({"\u00b7": "·", "\u2022": "·", "\u30fb": "·", "\uff65": "·", "\u2027": "·", ".": "·"})


def comparable_name(name: str) -> str:
    """A name as compared with a record's: cleaned as stored, no spaces, one middle dot, case-folded
    ('张 伟' = '张伟', 'Wang Fang' = 'wangfang')."""
    return "".join(text.clean_name(name).translate(_NAME_DOTS).split()).casefold()
