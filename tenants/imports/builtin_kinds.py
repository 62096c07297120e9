"""The kinds this app brings: houses (with their estates, buildings and units) and residents.
Registered from ImportsConfig.ready(); other apps register theirs the same way (kinds.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core import locks
from tenants.imports import kinds, writers
from tenants.imports.check_houses import validate_houses
from tenants.imports.check_residents import validate_residents
from tenants.imports.columns import HOUSE_COLUMNS, RESIDENT_COLUMNS

# Importing writes basic data; even reading the files back shows personal data.
BASIC_DATA_MANAGE = "basic_data.manage"

HOUSES = kinds.ImportKindSpec(
    key="houses",
    label=_("房屋"),
    sheet_title="房屋",
    columns=tuple(HOUSE_COLUMNS),
    validate=validate_houses,
    write=writers.write_houses,
    permission=BASIC_DATA_MANAGE,
    lock=locks.BASIC_DATA,
)

RESIDENTS = kinds.ImportKindSpec(
    key="residents",
    label=_("住户"),
    sheet_title="住户",
    columns=tuple(RESIDENT_COLUMNS),
    validate=validate_residents,
    write=writers.write_residents,
    permission=BASIC_DATA_MANAGE,
    lock=locks.BASIC_DATA,
    # A residents dry run tells its uploader, row by row, whether each whole phone and ID number is
    # already on file ("update" or "create"), with no lookup budget: only a role that may reveal
    # those numbers may run one. Houses carry no personal data.
    upload_permission="pii.reveal",
    upload_refusal=_("住户导入会核对每个手机号和身份证号是否已登记，只有可查看完整信息的角色（如管理员）能上传。"),
)


def register() -> None:
    from tenants.imports.hc.kind import HC_ASSETS  # it reads through the two above

    kinds.register(HOUSES)
    kinds.register(RESIDENTS)
    kinds.register(HC_ASSETS)
