"""Fee history and opening arrears from a spreadsheet: the import kinds `fee_history` (HC's
房屋缴费历史 template: 房屋, 收费项目, 缴费周期, 开始时间, 结束时间, 缴费时间, 应缴金额, 实缴金额,
收银员, 备注) and `fee_arrears` (欠费: 房屋, 收费项目, 开始时间, 结束时间, 欠费金额), registered with
the import framework by BillingConfig.ready(). HC's files name no estate: the upload may choose
one, in which the rows' houses are then found (import_places).

Each row becomes regular charges in the ledger, one per cycle of the fee item the period covers (so a
bill run's ON CONFLICT on (house, item, cycle) never bills a period again), and — for history — a
payment (method 历史导入) allocated to them, oldest first; what was due but not paid stays owing, as
arrears do. The house's assignment to the item starts at the earliest period the ledger then holds, so
the next bill run continues after the last imported period, not from an older start.

The dry run reads the houses, the items, the existing charges and assignments in a handful of queries;
nothing is written. A row whose cycles are all in the ledger from an earlier import of the same period
is unchanged (a re-import changes nothing); one that overlaps other charges is refused. The dry run's
parsed rows are kept; the commit plans from them again against the database inside its lock, without
reading the file a second time.

The parts: history_rows (columns, periods, the kept rows), history_plan (checks and plan),
history_write (the ledger's rows).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy, gettext_noop

from billing.services import history_plan
from billing.services.history_rows import ARREARS, ARREARS_COLUMNS, HISTORY, HISTORY_COLUMNS
from billing.services.history_write import write_ledger
from tenants.imports import kinds
from tenants.imports.cells import CellError
from tenants.imports.reading import Table
from tenants.imports.validation import Outcome

PERMISSION = "fees.manage"  # who sets up fee items sets up their history
LOCK = "billing_ledger_import"


def validate_history(table: Table, on_progress: kinds.Progress) -> Outcome:
    return history_plan.validate(HISTORY, table, on_progress)


def validate_arrears(table: Table, on_progress: kinds.Progress) -> Outcome:
    return history_plan.validate(ARREARS, table, on_progress)


_NOTES = (
    gettext_noop("表头须在第一行（红色为必填列），列的顺序不限；HC 模板右侧的说明可以保留。"),
    gettext_noop("房屋写成 楼栋-单元-房屋（如 1-1-1001），或另设 楼栋、单元 两列；收费项目须与系统中的名称一致。"),
    gettext_noop(
        "HC 的文件没有小区：上传时选择小区，房屋即在该小区中查找，“小区”列可不填（填写时须为所选小区）；"
        "未选择小区时，公司有多个小区都有同名房屋的，须加一列“小区”。"
    ),
    gettext_noop("每行按收费项目的周期拆成各期费用；导入后下次出账从导入的最后一期之后开始，已导入的期间不会再出账。"),
    gettext_noop("上传后先校验全部数据，校验无误才能确认导入，全部写入或全部不写；同一文件再次导入不会重复记账。"),
    gettext_noop("也可上传 CSV（UTF-8 或 GBK 编码），列与本模板相同。单个文件最大 20 MB、100,000 行。"),
)

HISTORY_SPEC = kinds.ImportKindSpec(
    key=HISTORY,
    label=gettext_lazy("缴费历史"),
    sheet_title="房屋缴费历史",
    columns=tuple(HISTORY_COLUMNS),
    validate=validate_history,
    write=write_ledger,
    permission=PERMISSION,
    lock=LOCK,
    notes=_NOTES,
    estate="optional",
    keep=history_plan.keep,
    recheck=history_plan.recheck,
)
ARREARS_SPEC = kinds.ImportKindSpec(
    key=ARREARS,
    label=gettext_lazy("期初欠费"),
    sheet_title="欠费",
    columns=tuple(ARREARS_COLUMNS),
    validate=validate_arrears,
    write=write_ledger,
    permission=PERMISSION,
    lock=LOCK,
    notes=_NOTES,
    estate="optional",
    keep=history_plan.keep,
    recheck=history_plan.recheck,
)

__all__ = ["ARREARS_SPEC", "HISTORY_SPEC", "CellError"]
