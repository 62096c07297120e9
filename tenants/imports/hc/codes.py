"""HC's codes and conventions, as its templates' notes define them, mapped to ours.

Each code maps to our value and HC's own label (quoted in the report, so a clerk sees what became of
a code). Labels are accepted as well as codes: clerks type either.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from tenants.estates.models import HouseStatus, HouseUse
from tenants.imports.columns import text_of
from tenants.residents.models import Relation

# 房屋类型 (room_sub_type): HC has no shop or storage code in its asset templates.
HOUSE_TYPES: dict[str, tuple[str | None, str]] = {
    "110": (HouseUse.RESIDENTIAL, "住宅"),
    "120": (HouseUse.OFFICE, "办公室"),
    "119": (HouseUse.RESIDENTIAL, "宿舍"),  # we have no dormitory use: a home, said in the report
}
HOUSE_TYPE_LABELS = {"住宅": "110", "办公室": "120", "办公": "120", "宿舍": "119"}

# 房屋状态 (room state). Ours has fewer states: each HC state maps to the nearest, said in the report.
HOUSE_STATES: dict[str, tuple[str | None, str]] = {
    "2001": (HouseStatus.OCCUPIED, "已入住"),
    "2002": (HouseStatus.UNSOLD, "未销售"),
    "2003": (HouseStatus.VACANT, "已交房"),
    "2004": (HouseStatus.VACANT, "未入住"),
    "2005": (HouseStatus.VACANT, "已装修"),
    "2006": (HouseStatus.RENTING, "已出租"),
    "2007": (HouseStatus.VACANT, "已出售"),
    "2008": (HouseStatus.VACANT, "空闲"),
    "2009": (HouseStatus.DECORATING, "装修中"),
}
UNSOLD = "2002"
HOUSE_STATE_LABELS = {label: code for code, (_ours, label) in HOUSE_STATES.items()} | {"未售": "2002"}

# 业主类型 (owner_type_cd). 1004 临时人员 has no relation of ours: not imported, counted in the report.
PERSON_TYPES: dict[str, tuple[str | None, str]] = {
    "1001": (Relation.OWNER, "业主"),
    "1002": (Relation.FAMILY, "家庭成员"),
    "1003": (Relation.RENTER, "房屋租客"),
    "1004": (None, "临时人员"),
}
PERSON_TYPE_LABELS = {label: code for code, (_ours, label) in PERSON_TYPES.items()} | {"租客": "1003", "家属": "1002"}
TEMPORARY = "1004"

# What HC's notes tell clerks to type when a value is missing: imported as missing, counted.
PLACEHOLDER_PHONE = "18999999999"
PLACEHOLDER_ID = re.compile(r"1{15}(?:1{3})?")

_YES = {"有", "是", "y", "yes", "1", "true"}
_NO = {"无", "否", "没有", "n", "no", "0", "false"}


class CodeError(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def code_text(value: Any) -> str:
    """A code cell as text: 110.0 → '110', full-width digits folded."""
    return unicodedata.normalize("NFKC", text_of(value))


def _code(value: Any, table: dict[str, tuple[str | None, str]], labels: dict[str, str], what: str) -> str | None:
    raw = code_text(value)
    if not raw:
        return None
    code = raw if raw in table else labels.get(raw)
    if code is None:
        allowed = _("、").join(f"{code} {label}" for code, (_ours, label) in table.items())
        raise CodeError(_("不是 HC 的%(column)s代码，应为：%(allowed)s。") % {"column": what, "allowed": allowed})
    return code


def house_type(value: Any) -> str | None:
    return _code(value, HOUSE_TYPES, HOUSE_TYPE_LABELS, "房屋类型")


def house_state(value: Any) -> str | None:
    return _code(value, HOUSE_STATES, HOUSE_STATE_LABELS, "房屋状态")


def person_type(value: Any) -> str | None:
    return _code(value, PERSON_TYPES, PERSON_TYPE_LABELS, "业主类型")


def elevator(value: Any) -> bool | None:
    raw = code_text(value).lower()
    if not raw:
        return None
    if raw in _YES:
        return True
    if raw in _NO:
        return False
    raise CodeError(_("须填写“有”或“无”（是/否）。"))


def multi(value: Any) -> list[str]:
    """A cell holding several values separated by # (HC's 房屋费用 `1#2`), each as text."""
    return [part.strip() for part in code_text(value).split("#") if part.strip()]


@dataclass(frozen=True)
class HouseReference:
    building: str
    unit: str
    number: str


_REFERENCE = re.compile(r"([^-－—]+)[-－—]([^-－—]+)[-－—]([^-－—]+)")


def house_reference(value: Any) -> HouseReference | None:
    """HC's house reference `1-1-1001` (楼栋-单元-房屋), as its fee and meter templates write it;
    None when the text is not of that form."""
    match = _REFERENCE.fullmatch(code_text(value).replace(" ", ""))
    if match is None:
        return None
    return HouseReference(*(part.strip() for part in match.groups()))
