"""Fee items from HC's 费用设置 sheet (费用编号, 费用类型, 收费项目, 费用标识, 付费类型, 缴费周期, 出账类型,
计费起始时间, 计费结束时间, 计算公式, 计费单价, 固定费用): the import kind `fee_items`, registered by
BillingConfig.ready(). Another reader of HC's whole asset workbook may call `validate_fee_items` /
`write_fee_items` on that sheet alone, and `fee_numbers` to link 房屋信息's 房屋费用 (`1#2`) to items.

HC's formula codes, as HC computes them:
- 1001 面积*单价+附加费 → 建筑面积 × 单价, HC's 固定费用 as the monthly extra;
- 2002 固定费用 (a monthly amount) → 固定金额, priced per cycle: the amount × the cycle's months;
- 5005 (本期度数-上期度数)*单价+附加费 → 抄表用量 × 单价, the meter kind taken from the fee type;
- 6006 用量*单价+附加费 → 录入用量 × 单价.
Others (4004 动态费用, 1101/1102 租金及递增, 7007 自定义公式, …) are refused by name: they need a
person to set them up. Every item goes through create_fee_item's checks in the dry run, which shows
each item as it will be created; an item of the same name already set up the same way is unchanged,
set up differently is refused (a fee's settings are never changed silently).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from billing.models import FeeItem, FeeKind
from billing.services import fees
from billing.services.fee_checks import PriceInput, Problems, check_item, check_price
from billing.services.import_places import money_cell, without_notes
from core.actions import action
from tenants.imports import kinds
from tenants.imports.columns import CellError, Column, a_date, decimal, integer, text, text_of
from tenants.imports.reading import Table
from tenants.imports.validation import Findings, Outcome, parse_rows, tally

KIND = "fee_items"
PERMISSION = "fees.manage"
LOCK = "fee_items_setup"
FORMULAS = {"1001": "building_area", "2002": "fixed", "5005": "meter", "6006": "usage"}
_KINDS = {str(label): code for code, label in FeeKind.choices} | {
    "租金": "rent",
    "停车费": "parking",
    "物业费": "property",
}
_METER_KINDS = {"water": "water", "electricity": "electricity", "gas": "gas", "heating": "heat"}


def _formula(value: Any) -> str | None:
    raw = text_of(value)
    if not raw:
        return None
    if raw not in FORMULAS:
        raise CellError(
            _("HC 计算公式 %(code)s 无法自动换算（可导入 1001、2002、5005、6006），请在收费项目中手工设置。")
            % {"code": raw}
        )
    return raw


def _unit_price(value: Any) -> Decimal | None:
    """计费单价: HC writes 0 when a formula has none."""
    if text_of(value) in ("0", "0.0"):
        return Decimal("0")
    return _PRICE(value)


_PRICE = decimal(4, Decimal("100000000"), inclusive=True)


def _one_of(options: dict[str, Any], label: str) -> Any:
    def parse(value: Any) -> Any:
        raw = text_of(value)
        if not raw:
            return None
        if raw not in options:
            raise CellError(_("%(label)s须为以下之一：%(all)s。") % {"label": label, "all": "、".join(options)})
        return options[raw]

    return parse


COLUMNS: list[Column] = [
    Column(
        "number",
        "费用编号",
        text(20),
        False,
        ("费用项编号",),
        gettext_noop("HC 的费用编号，房屋信息的“房屋费用”用它关联。"),
        1,
    ),
    Column(
        "kind",
        "费用类型",
        _one_of(_KINDS, "费用类型"),
        True,
        (),
        gettext_noop("物业费、水费、电费、停车费等。"),
        "物业费",
    ),
    Column("name", "收费项目", text(50), True, ("费用名称", "收费项目名称"), gettext_noop("名称不重复。"), "物业费"),
    Column(
        "flag", "费用标识", _one_of({"周期性费用": True, "一次性费用": False}, "费用标识"), True, (), "", "周期性费用"
    ),
    Column(
        "timing", "付费类型", _one_of({"预付费": "prepaid", "后付费": "postpaid"}, "付费类型"), False, (), "", "预付费"
    ),
    Column("cycle", "缴费周期", integer(0, 12), False, ("收费周期",), gettext_noop("月数：1、3、6 或 12。"), 1),
    Column("bill_type", "出账类型", text(20), False, (), gettext_noop("仅作参考：本系统按出账日统一出账。"), "每月1日"),
    Column("start", "计费起始时间", a_date, True, ("开始时间", "生效日期"), "", date(2024, 1, 1)),
    Column("end", "计费结束时间", a_date, False, ("结束时间", "失效日期"), "", date(2037, 1, 1)),
    Column(
        "formula",
        "计算公式",
        _formula,
        True,
        ("公式",),
        gettext_noop("1001 面积*单价+附加费、2002 固定费用 等。"),
        1001,
    ),
    Column("unit_price", "计费单价", _unit_price, False, ("单价",), "", 1.5),
    Column("extra", "固定费用", money_cell, False, ("附加费",), "", 0),
]
_BLAME = {
    "name": "收费项目",
    "kind": "费用类型",
    "cycle_months": "缴费周期",
    "timing": "付费类型",
    "valid_until": "计费结束时间",
    "meter_kind": "费用类型",
    "mode": "计算公式",
}


@dataclass
class ItemRow:
    row: int
    number: str
    values: dict[str, Any]
    price: PriceInput


@dataclass
class FeePlan:
    rows: list[ItemRow] = field(default_factory=list)
    numbers: dict[str, str] = field(default_factory=dict)  # HC 费用编号 → item name


def _item_values(values: dict[str, Any]) -> tuple[dict[str, Any], PriceInput]:
    mode = FORMULAS[values["formula"]]
    cycle = (values.get("cycle") or 1) if values["flag"] else 0
    unit, extra = values.get("unit_price") or Decimal("0"), values.get("extra") or Decimal("0")
    if mode == "fixed":  # HC's 固定费用 is a monthly amount; ours is the cycle's
        price = PriceInput(unit_price=(extra or unit) * max(cycle, 1))
    else:
        price = PriceInput(unit_price=unit, fixed_extra=extra if mode == "building_area" else Decimal("0"))
    item = {
        "name": values["name"],
        "kind": values["kind"],
        "mode": mode,
        "valid_from": values["start"],
        "valid_until": values.get("end"),
        "cycle_months": cycle,
        "timing": values.get("timing") or "prepaid",
        "meter_kind": _METER_KINDS.get(values["kind"], "") if mode == "meter" else "",
    }
    return item, price


def _same(item: FeeItem, values: dict[str, Any]) -> bool:
    return all(getattr(item, name) == value for name, value in values.items())


def validate_fee_items(table: Table, on_progress: kinds.Progress) -> Outcome:
    findings = Findings()
    without_notes(table, [c.key for c in COLUMNS])
    parsed = parse_rows(table, findings, on_progress, passes=1)
    good = [(n, v) for n, v in parsed if n not in findings.bad_rows]
    existing = {item.name: item for item in FeeItem.objects.filter(name__in=[v["name"] for _n, v in good])}
    plan, verdicts, seen = FeePlan(), dict[int, str](), dict[str, int]()
    for number, values in good:
        item, price = _item_values(values)
        defaults = {
            "payer_kind": "house",
            "due_rule": "days_after_issue",
            "due_value": 15,
            "rounding": "half_up",
            "rounding_place": "fen",
            "time_unit": "month",
            "late_fee": {},
        }
        problems = Problems()
        checked = {**defaults, **item}
        check_item(checked, problems)
        check_price(item["mode"], price, problems)
        for name, messages in problems.fields.items():
            for message in messages:
                findings.add(number, _BLAME.get(name.split(".")[0], "计费单价"), message)
        if problems.fields:
            continue
        if values["name"] in seen:
            findings.add(number, "收费项目", _("与第 %(row)s 行同名。") % {"row": seen[values["name"]]})
            continue
        seen[values["name"]] = number
        if values.get("number"):
            plan.numbers[values["number"]] = values["name"]
        known = existing.get(values["name"])
        if known is not None:
            if _same(known, {k: v for k, v in item.items() if k != "name"}):
                verdicts[number] = "unchanged"
            else:
                findings.add(number, "收费项目", _("系统中已有同名收费项目，设置不同；请改名或在收费项目中核对。"))
            continue
        verdicts[number] = "create"
        plan.rows.append(ItemRow(number, values.get("number") or "", item, price))
    findings.problems.sort(key=lambda problem: problem.row or 0)
    counts = tally(len(parsed), findings, verdicts, table.blank_rows)
    return Outcome(KIND, findings.problems, counts, None if findings.problems else plan)


def fee_numbers(plan: FeePlan) -> dict[str, str]:
    """HC's 费用编号 → the item's name, for linking 房屋信息's 房屋费用 (`1#2`) to the items."""
    return dict(plan.numbers)


@action
def create_fee_items(*, plan: FeePlan, actor: Any) -> int:
    """Each planned item through create_fee_item (its checks and audit line), inside the commit."""
    for row in plan.rows:
        fees.create_fee_item(actor=actor, price=row.price, **row.values)
    return len(plan.rows)


def write_fee_items(plan: FeePlan, on_progress: kinds.Progress, *, committed_by: Any) -> kinds.WriteResult:
    created = create_fee_items(plan=plan, actor=committed_by)
    return kinds.WriteResult(counts={"fee_items": created}, note=_("已新建 %(n)s 个收费项目。") % {"n": created})


SPEC = kinds.ImportKindSpec(
    key=KIND,
    label=gettext_lazy("收费项目"),
    sheet_title="费用设置",
    columns=tuple(COLUMNS),
    validate=validate_fee_items,
    write=write_fee_items,
    permission=PERMISSION,
    lock=LOCK,
    notes=(
        gettext_noop("表头须在第一行（红色为必填列），列的顺序不限；HC 费用设置表右侧的说明可以保留。"),
        gettext_noop(
            "计算公式：1001 面积*单价+附加费、2002 固定费用（每月金额）、5005 抄表用量*单价、6006 用量*单价；"
            "其他公式请手工设置。"
        ),
        gettext_noop("缴费周期为月数：1、3、6 或 12；一次性费用不填。出账类型仅作参考，本系统按出账日统一出账。"),
        gettext_noop("同名收费项目已存在且设置相同时不变；设置不同会被指出，不会被改写。"),
    ),
)
