"""The registry of import kinds: what can be imported, with which columns, checks and writer, by whom.

A kind is registered once, when its app is ready: houses and residents by this app
(tenants.imports.builtin_kinds), others by the app that owns their data (billing registers
`meter_readings`). The framework (upload, dry run, all-or-nothing commit, reports, API) knows kinds
only through this registry, so an app adds a kind without the framework importing it and without a
migration (Import.kind's choices are read from here).

This module imports nothing of the framework at run time, so any layer may read it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

from django.utils.translation import gettext_noop

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from tenants.imports.columns import Column
    from tenants.imports.reading import Table
    from tenants.imports.validation import Outcome

# on_progress(done, total)
Progress = Callable[[int, int], None]
# Whether the upload asks for an estate (Import.estate): never; may be chosen (the file's houses are
# then found in it, a 小区 column becomes optional); must be chosen (the kind's files name none).
EstateAtUpload = Literal["none", "optional", "required"]
MAX_KEY_LENGTH = 32  # Import.kind's max_length

# The notes every template ends with, unless a kind says otherwise. Marked for the catalogue; the
# template (reports.template) is to render each through gettext.
DEFAULT_NOTES: tuple[str, ...] = (
    gettext_noop("表头须在第一行（红色为必填列），列的顺序不限；示例行请删除或改为真实数据。"),
    gettext_noop("上传后先校验全部数据，有问题时可下载标注了错误的表格，改好后重新上传；校验无误才能确认导入。"),
    gettext_noop("同一文件重复导入不会产生重复数据：已存在的记录按文件内容更新，相同的保持不变。"),
    gettext_noop("也可上传 CSV（UTF-8 或 GBK 编码），列与本模板相同。单个文件最大 20 MB、100,000 行。"),
)


@dataclass(frozen=True)
class WriteResult:
    """What a writer adds to the import's record: counts known only once written (e.g. readings
    held for review) and a sentence for the user after 导入完成。"""

    counts: dict[str, int] = field(default_factory=dict)
    note: str = ""


class Validator(Protocol):
    def __call__(self, table: Table, on_progress: Progress, /) -> Outcome: ...


class Reader(Protocol):
    """Opens an upload of a kind that is not one sheet of the kind's columns (e.g. HC's workbooks):
    returns the Table its validator reads. `estate_id` is the estate chosen at upload, if any."""

    def __call__(self, data: bytes, file_name: str, /, *, estate_id: int | None) -> Table: ...


class Annotator(Protocol):
    """The report of a dry run with problems, for a kind with its own Reader (several sheets)."""

    def __call__(
        self, data: bytes, file_name: str, table: Table | None, problems: Sequence[Any], warnings: Sequence[Any], /
    ) -> bytes: ...


class Writer(Protocol):
    """Carries out a clean dry run's plan inside the commit's transaction. A DomainError means the
    data changed since the re-check (the import goes back to `invalid`, nothing written)."""

    def __call__(self, plan: Any, on_progress: Progress, /, *, committed_by: Any) -> WriteResult | None: ...


class Keeper(Protocol):
    """A clean dry run's plan → what the commit needs of it, compact (bytes: kept with the upload), or
    None to keep nothing. Lets a kind's commit skip reading and parsing the file again."""

    def __call__(self, plan: Any, /) -> bytes | None: ...


class Rechecker(Protocol):
    """Inside the commit's lock: what `keep` kept, checked again against the database as it is now —
    the Outcome a dry run would give (clean, with its plan), or None to run the dry run again.
    `estate_id` is the estate chosen at upload, as the dry run had it (Table.estate_id)."""

    def __call__(self, kept: bytes, on_progress: Progress, /, *, estate_id: int | None) -> Outcome | None: ...


@dataclass(frozen=True)
class ImportKindSpec:
    key: str  # stored on Import.kind, in URLs and the API's KindEnum
    label: StrOrPromise  # gettext_lazy: 房屋, 住户, 抄表数据
    sheet_title: str  # the template's data sheet
    columns: Sequence[Column]
    validate: Validator
    write: Writer
    # Needed to upload, download the template, read and commit an import of this kind.
    permission: str
    # The company-wide advisory lock (core.locks) the commit holds while it checks again and writes.
    lock: str
    # Needed besides `permission` to upload (residents: pii.reveal), and the 403's message.
    upload_permission: str | None = None
    upload_refusal: StrOrPromise = ""
    notes: tuple[str, ...] = DEFAULT_NOTES
    # The estate asked for at upload (Import.estate; see EstateAtUpload); the validator finds it as
    # Table.estate_id, a Reader as its `estate_id`.
    estate: EstateAtUpload = "none"
    # How the upload is opened and its report written, when not the one-sheet default (reading.py, reports.py).
    read: Reader | None = None
    annotate: Annotator | None = None
    # A dry run kept for the commit (both or neither): see Keeper and Rechecker.
    keep: Keeper | None = None
    recheck: Rechecker | None = None


class UnknownKind(LookupError):
    pass


_registry: dict[str, ImportKindSpec] = {}


def register(spec: ImportKindSpec) -> ImportKindSpec:
    """Add a kind (from an AppConfig.ready). Registering the same spec again is harmless; another
    spec under a taken key is a programming error."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", spec.key) or len(spec.key) > MAX_KEY_LENGTH:
        raise ValueError(f"import kind key {spec.key!r}: lower-case letters, digits and _, at most {MAX_KEY_LENGTH}")
    if not spec.permission:
        raise ValueError(f"import kind {spec.key!r} declares no permission")
    known = _registry.get(spec.key)
    if known is not None and known != spec:
        raise ValueError(f"import kind {spec.key!r} is already registered")
    _registry[spec.key] = spec
    return spec


def find(key: str) -> ImportKindSpec | None:
    return _registry.get(key)


def get(key: str) -> ImportKindSpec:
    spec = _registry.get(key)
    if spec is None:
        raise UnknownKind(key)
    return spec


def all() -> list[ImportKindSpec]:  # kinds.all(); the builtin is not used below
    return list(_registry.values())


def keys() -> list[str]:
    return list(_registry)


def choices() -> list[tuple[str, Any]]:
    """(key, label) of every kind, in registration order: Import.kind's choices and the API's KindEnum."""
    return [(spec.key, spec.label) for spec in _registry.values()]


def permissions() -> tuple[str, ...]:
    """Every kind's permission, once each: holding any of them opens the imports list."""
    return tuple(dict.fromkeys(spec.permission for spec in _registry.values()))


def allowed(user: Any) -> list[str]:
    """The kinds `user` may upload (apart from an upload permission), read and commit."""
    return [spec.key for spec in _registry.values() if user.has_permission(spec.permission)]
