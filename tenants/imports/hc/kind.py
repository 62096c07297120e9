"""The HC kind's registration (from builtin_kinds.register())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from core import locks
from tenants.imports import kinds
from tenants.imports.hc import report
from tenants.imports.hc.check import validate_hc, write_hc
from tenants.imports.hc.reader import KIND, read_hc

# Marked for the catalogue; rendered through gettext where the notes are shown (as kinds.DEFAULT_NOTES).
NOTES: tuple[str, ...] = (
    gettext_noop(
        "直接上传 HC（小区管理系统）的资产导入模板、资产导出的文件（楼栋单元、业主信息、房屋信息等工作表）"
        "或房产导入的“资产信息”表，无需改动；上传时选择导入到哪个小区。"
    ),
    gettext_noop(
        "楼栋、单元、房屋编号按 HC 中的写法导入；HC 的房屋类型、房屋状态、业主类型代码按报告中列出的对应关系转换。"
    ),
    gettext_noop(
        "费用设置的收费项目（计算公式 1001、2002、5005、6006）与房屋信息的房屋费用、费用开始时间一并导入："
        "校验结果列出将新建的收费项目及各分配给几套房屋，其他公式的费用列出名称和原因、不导入。"
    ),
    gettext_noop("车位信息暂不导入；报告会列出未导入的工作表和列。"),
)

HC_ASSETS = kinds.ImportKindSpec(
    key=KIND,
    label=_("HC 资产表"),
    sheet_title="资产信息",
    columns=(),
    validate=validate_hc,
    write=write_hc,
    permission="basic_data.manage",
    lock=locks.BASIC_DATA,
    upload_permission="pii.reveal",
    upload_refusal=_(
        "HC 资产表含住户，导入时会核对每个手机号和身份证号是否已登记，只有可查看完整信息的角色（如管理员）能上传。"
    ),
    notes=NOTES,
    estate="required",
    read=read_hc,
    annotate=report.annotated,
)
