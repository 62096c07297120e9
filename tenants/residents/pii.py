"""Checking and indexing residents' phone and ID numbers — pure functions shared by the services
and by bulk imports, so a row imported from Excel passes exactly the checks a form does."""

from __future__ import annotations

import re

from accounts import services as account_services
from core import crypto
from core.identity import id_number_problem, normalise_id_number

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
PHONE_PROBLEM = "请输入有效的中国大陆手机号（11 位，以 1 开头）。"


def normalise_phone(value: object) -> str:
    """'138 1234 5678', '+86 13812345678', 13812345678.0 from Excel → '13812345678'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = re.sub(r"[\s\-]", "", str(value))
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    return text


def phone_problem(phone: str) -> str | None:
    return None if _MOBILE.match(phone) else PHONE_PROBLEM


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
