"""The columns of each import kind and how a cell becomes a value.

A cell may arrive as Excel stored it (a number for 房号 101, a float for a phone typed as a number,
a date or an Excel date serial) or as text from a CSV; every parser accepts all of these and raises
CellError with a message for the person fixing the file. Phone and ID numbers go through the same
checks as the residents' forms (tenants.residents.pii).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from tenants.estates.models import HouseStatus, HouseUse
from tenants.residents import pii
from tenants.residents.models import DocumentType, Gender, Relation

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class CellError(Exception):
    def __init__(self, message: StrOrPromise):
        message = str(message)  # a lazy message is rendered in the language running now
        super().__init__(message)
        self.message = message


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


def decimal(places: int, high: Decimal, *, inclusive: bool = False) -> Callable[[Any], Decimal | None]:
    """A positive number with at most `places` decimals (float noise like 89.50000000001 is rounded)."""
    step = Decimal(1).scaleb(-places)

    def parse(value: Any) -> Decimal | None:
        if is_blank(value):
            return None
        if isinstance(value, bool):
            raise CellError(_("须为数字。"))
        try:
            number = _as_decimal(value)
        except InvalidOperation as exc:
            raise CellError(_("须为数字。")) from exc
        if not number.is_finite():
            raise CellError(_("须为数字。"))
        rounded = number.quantize(step)
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


_SCIENTIFIC = re.compile(r"(\d)(?:\.(\d+))?[eE]\+?(\d+)")


def phone(value: Any) -> str | Placeholder | Masked | None:
    """A mainland mobile number (13812345678 as text, a number, a float such as 1.3812345678E10,
    +86 or 86 before it) or a landline with its area code; a placeholder (11111111111) said as one."""
    if is_blank(value):
        return None
    if _masked(value):
        return MASKED
    if pii.is_placeholder_phone(text_of(value)):
        return Placeholder(text_of(value), str(_("手机号")))
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


def id_number(value: Any) -> str | Placeholder | Masked | None:
    """A document number as typed (cleaned); checked against its type with the row's 证件类型
    (check_residents), since only the type says what a valid number is."""
    if is_blank(value):
        return None
    if _masked(value):
        return MASKED
    if pii.is_placeholder_id(text_of(value)):
        return Placeholder(text_of(value), str(_("证件号码")))
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


# --- the kinds ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    parse: Callable[[Any], Any]
    required: bool = False
    aliases: tuple[str, ...] = ()
    note: str = ""
    example: Any = None
    as_text: bool = False  # the template formats the column as text (phone, ID numbers)
    in_template: bool = True  # False: read when a file has it (another system's column), not offered


def header_key(text_value: Any) -> str:
    """How a header is compared: no spaces, asterisks or bracketed units; full-width folded."""
    raw = text_of(text_value).translate(str.maketrans("（）【】［］", "()[][]"))
    raw = re.sub(r"\([^)]*\)|\[[^\]]*\]", "", raw)
    return re.sub(r"[\s*＊:：]", "", raw).lower()


_PLACE = [
    Column(
        "estate",
        "小区",
        text(100),
        True,
        ("小区名称", "项目", "项目名称", "楼盘"),
        gettext_noop("小区名称；系统中没有的小区会新建。"),
        "翠湖苑",
    ),
    Column(
        "building",
        "楼栋",
        text(50),
        True,
        ("楼号", "楼栋号", "栋", "楼宇", "楼栋名称"),
        gettext_noop("如 1栋、A座。"),
        "1栋",
    ),
    Column(
        "unit",
        "单元",
        text(50),
        True,
        ("单元号", "单元名称"),
        gettext_noop("如 1单元；没有单元的楼栋统一填 1单元。"),
        "1单元",
    ),
    Column(
        "number",
        "房号",
        text(20),
        True,
        ("房间号", "门牌号", "室号", "房屋编号"),
        gettext_noop("单元内唯一，如 101、0101。"),
        "101",
        as_text=True,
    ),
]

HOUSE_COLUMNS: list[Column] = [
    *_PLACE,
    Column(
        "floor",
        "楼层",
        floor_number(-20, 200),
        True,
        ("所在楼层", "层"),
        gettext_noop("整数，如 3、3层、3楼、3F；地下层为负数，如 -1 或 B1；新建楼栋的层数取文件中该楼栋的最高楼层。"),
        1,
    ),
    Column(
        "building_area",
        "建筑面积",
        decimal(2, Decimal("100000000")),
        True,
        ("建筑面积m²", "建面"),
        gettext_noop("平方米，大于 0，最多两位小数。"),
        89.5,
    ),
    Column(
        "usable_area",
        "套内面积",
        decimal(2, Decimal("100000000")),
        True,
        ("使用面积", "套内建筑面积", "套内"),
        gettext_noop("平方米，大于 0，不大于建筑面积。"),
        72.3,
    ),
    Column("layout", "户型", text(20), False, ("房型",), gettext_noop("如 3室2厅，可不填。"), "3室2厅"),
    Column(
        "use",
        "用途",
        choice(HouseUse),
        False,
        ("房屋用途", "房屋类型", "类型"),
        gettext_noop("住宅、商铺、办公、储藏室之一；新房屋不填为住宅，已有房屋不填则不变。"),
        "住宅",
    ),
    Column(
        "status",
        "状态",
        choice(
            HouseStatus, {"入住": HouseStatus.OCCUPIED, "出租": HouseStatus.RENTING, "装修": HouseStatus.DECORATING}
        ),
        False,
        ("房屋状态",),
        gettext_noop("未售、空置、已入住、出租中、装修中之一；新房屋不填为未售，已有房屋不填则不变。"),
        "已入住",
    ),
    Column(
        "fee_coefficient",
        "收费系数",
        decimal(4, Decimal("100")),
        False,
        ("系数", "计费系数"),
        gettext_noop("大于 0，最多四位小数；新房屋不填为 1。"),
        1,
    ),
]

RESIDENT_COLUMNS: list[Column] = [
    *[
        Column(
            c.key,
            c.header,
            c.parse,
            True,
            c.aliases,
            gettext_noop("须与系统中已有房屋一致（先导入房屋）。"),
            c.example,
            c.as_text,
        )
        for c in _PLACE
    ],
    Column(
        "name",
        "姓名",
        text(50),
        True,
        ("住户姓名", "业主姓名", "客户姓名", "名字"),
        gettext_noop("一人一行；同一房屋的两位业主写在一格（用逗号或顿号隔开）时按两人导入，产权份额待确认。"),
        "张伟",
    ),
    Column(
        "phone",
        "手机号",
        phone,
        False,
        ("手机", "电话", "手机号码", "联系电话", "电话号码", "联系方式"),
        gettext_noop(
            "11 位大陆手机号（可带 +86），或带区号的固定电话。没有时留空，不要填 11111111111 之类的占位号码。"
            "请把该列设为文本。"
        ),
        "13812345678",
        True,
    ),
    Column(
        "id_number",
        "身份证号",
        id_number,
        False,
        ("身份证", "身份证号码", "证件号码", "证件号"),
        gettext_noop(
            "18 位或 15 位居民身份证号，或“证件类型”列所注证件的号码；同一证件即同一人。"
            "没有时留空，不要填 111111111111111111 之类的占位号码。请把该列设为文本。"
        ),
        "11010519491231002X",
        True,
    ),
    Column(
        "id_type",
        "证件类型",
        choice(
            DocumentType,
            {
                "身份证": DocumentType.ID_CARD,
                "一代身份证": DocumentType.ID_CARD,
                "港澳通行证": DocumentType.HK_MACAO,
                "回乡证": DocumentType.HK_MACAO,
                "台胞证": DocumentType.TAIWAN,
                "台湾通行证": DocumentType.TAIWAN,
                "外国护照": DocumentType.PASSPORT,
            },
        ),
        False,
        ("证件种类",),
        gettext_noop(
            "居民身份证（18 位或 15 位）、港澳居民来往内地通行证、台湾居民来往大陆通行证、护照或其他证件；"
            "身份证号和港澳通行证号可不填，按号码识别。"
        ),
        "居民身份证",
    ),
    Column("gender", "性别", gender, False, (), gettext_noop("男或女，可不填；未知、不详按未填导入。"), "男"),
    Column("age", "年龄", age, False, ("业主年龄",), gettext_noop("住户档案不记录年龄。"), in_template=False),
    Column(
        "relation",
        "关系",
        choice(Relation, {"家属": Relation.FAMILY, "租客": Relation.RENTER, "房东": Relation.OWNER}),
        True,
        ("与房屋关系", "身份", "住户类型", "类型", "住户关系"),
        gettext_noop("业主、家庭成员、租户之一。"),
        "业主",
    ),
    Column(
        "moved_in",
        "入住日期",
        a_date,
        False,
        ("入住时间", "迁入日期", "迁入时间"),
        gettext_noop("如 2024-03-01、2024/3/1、2024年3月1日；不知道可不填（记为未知）。"),
        date(2024, 3, 1),
    ),
    Column(
        "share",
        "产权份额(%)",
        percent(),
        False,
        ("产权份额", "份额", "产权比例", "产权占比"),
        gettext_noop(
            "仅业主填写百分数的数字，如 50 表示 50%（不要填 0.5），不超过 100；同一房屋各业主合计不超过 100。"
        ),
        100,
    ),
    Column(
        "primary_payer",
        "主缴费人",
        boolean,
        False,
        ("是否主缴费人", "缴费人"),
        gettext_noop("是或否；每套房屋最多一位。"),
        "是",
    ),
    Column(
        "emergency_contact",
        "紧急联系人",
        unless_masked(text(100)),
        False,
        ("紧急联系方式",),
        gettext_noop("姓名及电话，可不填。"),
        "李娜 13900001111",
    ),
]

NOTES_TITLE = "填写说明"
