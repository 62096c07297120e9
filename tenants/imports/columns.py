"""The columns of the built-in import kinds (houses, residents): what a column is — its key, header,
the aliases other systems write, its parser, note and example — and how a header is matched.

The parsers live in tenants.imports.cells (any cell) and tenants.imports.person_cells (a resident's
personal cells).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_noop

from tenants.estates.models import HouseStatus, HouseUse
from tenants.imports.cells import (
    CellError,
    a_date,
    boolean,
    choice,
    decimal,
    floor_number,
    integer,
    is_blank,
    percent,
    text,
    text_of,
)
from tenants.imports.person_cells import age, gender, id_number, phone, unless_masked
from tenants.residents.models import DocumentType, Relation

# Kinds kept elsewhere (billing's, HC's) still import their cell parsers from here.
__all__ = [
    "HOUSE_COLUMNS",
    "NOTES_TITLE",
    "RESIDENT_COLUMNS",
    "CellError",
    "Column",
    "a_date",
    "decimal",
    "floor_number",
    "header_key",
    "integer",
    "is_blank",
    "text",
    "text_of",
]


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
