"""Checking and indexing residents' phone and ID numbers — pure functions shared by the services
and by bulk imports, so a row imported from Excel passes exactly the checks a form does."""

from __future__ import annotations

from accounts import services as account_services
from accounts import validators
from core import crypto, text
from core.identity import id_number_problem, normalise_id_number

PHONE_PROBLEM = "请输入有效的中国大陆手机号（11 位，以 1 开头）。"


def normalise_phone(value: object) -> str:
    """'138 1234 5678', '+86 13812345678', '１３８…', 13812345678.0 from Excel → '13812345678'."""
    return validators.normalise_phone(value)


def phone_problem(phone: str) -> str | None:
    # RegexValidator compiles .regex in __init__ (django-stubs also allow the str it was given)
    return None if validators.CHINESE_MOBILE.regex.match(phone) else PHONE_PROBLEM  # type: ignore[union-attr]


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


def id_number_index(id_number: str) -> str:
    return crypto.blind_index(id_number, purpose="id_number") if id_number else ""


def id_number_indexes(id_number: str) -> tuple[str, ...]:
    """For lookups (`id_number_index__in=`): the index under every configured key (key rotation)."""
    return crypto.blind_indexes(id_number, purpose="id_number") if id_number else ()


# The middle dots a transliterated or minority name is written with (阿卜杜·热合曼), typed many ways.
_NAME_DOTS = str.maketrans({"\u00b7": "·", "\u2022": "·", "\u30fb": "·", "\uff65": "·", "\u2027": "·", ".": "·"})


def comparable_name(name: str) -> str:
    """A name as compared with a record's: cleaned as stored, no spaces, one middle dot, case-folded
    ('张 伟' = '张伟', 'Wang Fang' = 'wangfang')."""
    return "".join(text.clean_name(name).translate(_NAME_DOTS).split()).casefold()
