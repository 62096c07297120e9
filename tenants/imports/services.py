"""Every write of an import: the upload, the dry run's findings, the commit.

The dry run validates every row and records problems and counts; the commit runs only from
`ready`, in one transaction that validates again first (the data may have changed since), so
either every row lands or none does. A kind may keep its clean dry run (kinds.Keeper): the commit then
re-checks the kept rows against the database instead of reading and parsing the file again.
Both run in Celery tasks (tasks.py) reporting Job progress. What a kind checks and writes, who may
import it and the lock its commit holds come from the registry (kinds.py).
"""

from __future__ import annotations

import gc
import hashlib
import logging
import posixpath
import secrets
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, cast

from django.core.files.base import ContentFile
from django.db import IntegrityError, OperationalError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from core import locks
from core import services as core_services
from core.actions import action, emit
from core.errors import DomainError, NotFound
from tenants.estates.models import Estate
from tenants.imports import kinds, notices, reading, reports, validation
from tenants.imports.models import Import, ImportStatus
from tenants.imports.reading import FileProblem, Table
from tenants.imports.validation import Outcome, Problem

logger = logging.getLogger(__name__)

MAX_STORED_ERRORS = 1_000
JOB_VALIDATE = "import.validate"
JOB_COMMIT = "import.commit"
JOB_TOTAL = 100  # jobs of an import count percent: a commit validates, then writes
TOPIC_VALIDATE = "imports.validate"
TOPIC_COMMIT = "imports.commit"


def _refused(message: str) -> DomainError:
    return DomainError(message, code="permission_denied", status_code=403, fields={"kind": [message]})


def _may_upload(spec: kinds.ImportKindSpec, actor: Any) -> None:
    if actor is None or not actor.has_permission(spec.permission):
        raise _refused(_("没有导入%(kind)s的权限。") % {"kind": spec.label})
    if spec.upload_permission and not actor.has_permission(spec.upload_permission):
        raise _refused(str(spec.upload_refusal) or _("没有导入%(kind)s的权限。") % {"kind": spec.label})


def _target_estate(spec: kinds.ImportKindSpec, estate_id: int | None) -> Estate | None:
    """The estate chosen at upload: required by a kind whose files name none, optional for one whose
    files may name it (a 小区 column), refused for the others. Another company's estate is none here."""
    if spec.estate == "none":
        if estate_id is not None:
            message = _("该类导入的文件自带小区，无需选择小区。")
            raise DomainError(message, code="estate_not_needed", fields={"estate": [message]})
        return None
    if estate_id is None:
        if spec.estate == "optional":
            return None
        message = _("请选择要导入到哪个小区。")
        raise DomainError(message, code="no_estate", fields={"estate": [message]})
    estate = Estate.objects.filter(pk=estate_id).first()
    if estate is None:
        message = _("小区不存在。")
        raise DomainError(message, code="no_estate", fields={"estate": [message]})
    return estate


@action
def start_import(*, kind: str, upload: Any, actor: Any, estate_id: int | None = None) -> Import:
    """Store the uploaded file in the company's storage and record the import; its dry run goes out
    through the outbox (tasks.validate_import). What can be refused without parsing is refused here."""
    spec = kinds.find(kind)
    if spec is None:
        message = _("未知的导入类型，可选：%(kinds)s。") % {"kinds": "、".join(kinds.keys())}
        raise DomainError(message, code="unknown_kind", fields={"kind": [message]})
    _may_upload(spec, actor)
    estate = _target_estate(spec, estate_id)
    if upload is None:
        raise DomainError(_("请选择要上传的文件。"), code="no_file", fields={"file": [_("请选择要上传的文件。")]})
    file_name = (getattr(upload, "name", "") or "upload").replace("\\", "/").rsplit("/", 1)[-1][-255:]
    head = upload.read(8)
    upload.seek(0)
    try:
        reading.check_upload(file_name=file_name, head=head, size=upload.size)
    except FileProblem as problem:
        code = "file_too_large" if upload.size > reading.MAX_BYTES else "bad_file"
        raise DomainError(problem.message, code=code, fields={"file": [problem.message]}) from problem
    record = Import(
        kind=kind,
        file_name=file_name,
        file_size=upload.size,
        token=secrets.token_hex(16),
        created_by=actor,
        estate=estate,
    )
    record.file.save(f"upload{reading.extension_of(file_name)}", upload, save=False)
    record.save()
    record.job = core_services.create_job(
        kind=JOB_VALIDATE, created_by=actor, total=JOB_TOTAL, params={"import_id": record.pk, "kind": kind}
    )
    record.save(update_fields=["job"])
    account_services.record_audit(
        actor=actor,
        action="import.upload",
        object_type="import",
        object_id=record.pk,
        after={"kind": kind, "file_name": file_name, "size": upload.size, "estate": estate.pk if estate else None},
    )
    emit(TOPIC_VALIDATE, {"import_id": record.pk}, key=f"import:{record.pk}:validate")
    return record


@action
def fail_import(*, import_id: int, message: str) -> None:
    """The import could not run to its end (an unexpected error, or its work was given up after
    every retry): said on it and on its job. An import already finished is left as it is."""
    record = Import.objects.select_for_update().filter(pk=import_id).first()
    if record is None or record.status not in (ImportStatus.VALIDATING, ImportStatus.COMMITTING):
        return
    Import.objects.filter(pk=import_id).update(status=ImportStatus.FAILED, message=message[:500])
    notices.tell_failed(record, message)
    if record.job_id:
        core_services.fail_job(job_id=record.job_id, message=message)
    account_services.record_audit(
        actor=None,
        action="import.failed",
        object_type="import",
        object_id=import_id,
        before={"status": record.status},
        after={"status": ImportStatus.FAILED, "message": message[:500]},
    )


@contextmanager
def _bulk() -> Iterator[None]:
    """A dry run or commit holds hundreds of thousands of long-lived objects (cells, parsed rows, the
    plan, COPY lines), almost none in reference cycles: Python's cycle collector would walk them all
    again and again (seconds for 100,000 rows). Reference counting still frees what each step drops;
    the collector resumes when the step ends. One task a worker process at a time (prefork)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _file_bytes(record: Import) -> bytes:
    with record.file.open("rb") as stored:
        return stored.read()


def _scaled(report: Callable[[int, str], None], low: int, high: int, message: str) -> validation.Progress:
    """Rows done of a phase → percent of the job between low and high, written only when it moves."""
    last = -1

    def on_progress(done: int, total: int) -> None:
        nonlocal last
        percent = min(high, low + (high - low) * done // max(total, 1))
        if percent != last:
            last = percent
            report(percent, message)

    return on_progress


def _dry_run(record: Import, data: bytes, on_progress: validation.Progress) -> tuple[Outcome, Table | None]:
    table = None
    spec = kinds.get(record.kind)
    try:
        if spec.read is not None:
            table = spec.read(data, record.file_name, estate_id=record.estate_id)
        else:
            table = reading.read_table(data, record.file_name, record.kind, estate_id=record.estate_id)
        return validation.validate(table, on_progress), table
    except FileProblem as problem:  # unreadable, no header, too many rows: one problem for the file
        counts = {"rows": 0, "create": 0, "update": 0, "unchanged": 0, "errors": 0}
        return Outcome(record.kind, [Problem(None, None, problem.message)], counts), table


def _kept_name(record: Import) -> str:
    return posixpath.join(posixpath.dirname(record.file.name), "dry-run.kept")


def _keep(record: Import, outcome: Outcome, data: bytes) -> None:
    """A clean dry run of a kind that keeps one (kinds.Keeper): its compact form beside the upload,
    stamped with the file's digest, for the commit to re-check instead of reading the file again."""
    spec = kinds.get(record.kind)
    kept = spec.keep(outcome.plan) if spec.keep is not None and outcome.clean else None
    if kept is None:
        return
    storage, name = record.file.storage, _kept_name(record)
    storage.delete(name)  # a redelivered dry run's
    storage.save(name, ContentFile(hashlib.sha256(data).digest() + kept))


def _kept(record: Import, data: bytes) -> bytes | None:
    """What the dry run kept, if it is of this very file."""
    storage, name = record.file.storage, _kept_name(record)
    if not storage.exists(name):
        return None
    with storage.open(name, "rb") as stored:
        kept = stored.read()
    digest = hashlib.sha256(data).digest()
    return kept[len(digest) :] if kept[: len(digest)] == digest else None


def _forget_kept(record: Import) -> None:
    record.file.storage.delete(_kept_name(record))


@action
def _record_findings(record: Import, outcome: Outcome, data: bytes, table: Table | None, message: str = "") -> None:
    problems = outcome.problems
    record.status = ImportStatus.READY if outcome.clean else ImportStatus.INVALID
    record.counts = outcome.counts
    record.notes = outcome.notes
    record.errors = [problem.as_dict() for problem in problems[:MAX_STORED_ERRORS]]
    record.error_total = len(problems)
    record.warnings = [warning.as_dict() for warning in outcome.warnings[:MAX_STORED_ERRORS]]
    record.validated_at = timezone.now()
    record.message = message or (
        _("校验通过，可以确认导入。")
        if outcome.clean
        else _("发现 %(n)s 个问题，请下载错误报告修改后重新上传。") % {"n": len(problems)}
    )
    if outcome.clean and outcome.warnings:
        record.message += _("另有 %(n)s 条提醒，请在确认导入前核对。") % {"n": len(outcome.warnings)}
    if problems or outcome.warnings:
        annotate = kinds.get(record.kind).annotate or reports.annotated
        report = annotate(data, record.file_name, table, problems, outcome.warnings)
        record.report.save("report.xlsx", ContentFile(report), save=False)
    else:
        record.report = ""
    record.save()
    account_services.record_audit(
        actor=None,
        action="import.validated",
        object_type="import",
        object_id=record.pk,
        after={"status": record.status, "counts": record.counts, "errors": record.error_total},
    )


def _claimed(import_id: int, status: str) -> tuple[Import, uuid.UUID] | None:
    """The import and its job, if the import is still `status` (a redelivered task finds it moved on)."""
    record = Import.objects.filter(pk=import_id, status=status).first()
    if record is None:
        return None
    # Created with the import; a job row deleted since (SET_NULL) fails in start_job, as it always did.
    return record, cast("uuid.UUID", record.job_id)


def _given_up(import_id: int, message: str) -> Import:
    fail_import(import_id=import_id, message=message)
    return Import.objects.get(pk=import_id)


def run_validation(*, import_id: int) -> Import | None:
    """The dry run (the task's body): every row checked, nothing written but the findings.
    Does nothing unless the import is still `validating` (a redelivered task finds it done)."""
    claimed = _claimed(import_id, ImportStatus.VALIDATING)
    if claimed is None:
        return None
    record, job_id = claimed
    try:
        core_services.start_job(job_id=job_id, total=JOB_TOTAL)

        def report(progress: int, message: str) -> None:
            core_services.report_progress(job_id=job_id, progress=progress, message=message)

        report(0, _("正在读取文件"))
        data = _file_bytes(record)
        with _bulk():
            outcome, table = _dry_run(record, data, _scaled(report, 5, 90, _("正在校验")))
            _keep(record, outcome, data)
        if outcome.problems:
            report(90, _("正在生成错误报告"))
        _record_findings(record, outcome, data, table)
    except OperationalError:
        raise  # the database is unreachable: the task retries, the import still `validating`
    except Exception:
        logger.exception("import %s: dry run failed", import_id)
        return _given_up(import_id, _("校验时发生意外错误，请重新上传；若仍失败请联系客服。"))
    core_services.finish_job(job_id=job_id, result={"status": record.status, "counts": record.counts})
    return record


@action
def request_commit(*, import_id: int, actor: Any) -> Import:
    """`ready` → `committing`, with a new job for the commit, which goes out through the outbox.
    Anything else is a 409."""
    record = Import.objects.select_for_update().filter(pk=import_id).first()
    if record is None:
        raise NotFound(_("导入记录不存在。"))
    spec = kinds.find(record.kind)
    if spec is None or actor is None or not actor.has_permission(spec.permission):
        raise _refused(_("没有确认该类导入的权限。"))
    if record.status != ImportStatus.READY:
        raise DomainError(
            _("只有校验通过（可导入）的文件才能确认导入；当前状态：%(status)s。")
            % {"status": record.get_status_display()},
            code="not_ready",
            status_code=409,
        )
    record.status = ImportStatus.COMMITTING
    record.message = _("等待导入")
    record.job = core_services.create_job(
        kind=JOB_COMMIT, created_by=actor, total=JOB_TOTAL, params={"import_id": record.pk, "kind": record.kind}
    )
    record.committed_by = actor
    record.save(update_fields=["status", "message", "job", "committed_by"])
    account_services.record_audit(
        actor=actor, action="import.commit_requested", object_type="import", object_id=record.pk
    )
    emit(TOPIC_COMMIT, {"import_id": record.pk}, key=f"import:{record.pk}:commit:{record.job_id}")
    return record


class _Stale(Exception):
    """The file no longer passes against the data as it is now. `outcome` is None when the writer
    found that out (a DomainError): the dry run is then repeated once the write is rolled back."""

    def __init__(self, outcome: Outcome | None, table: Table | None, error: DomainError | None = None):
        super().__init__("dry run is stale")
        self.outcome = outcome
        self.table = table
        self.error = error


def _lock_company_imports(spec: kinds.ImportKindSpec) -> None:
    # One commit of a kind's lock at a time per company: two files touching the same houses can't
    # interleave, and staff edits that take this lock shared (shares, floors) wait until it is done.
    locks.lock_company(spec.lock)


def _stale_findings(record: Import, data: bytes, stale: _Stale) -> tuple[Outcome, Table | None]:
    """What to tell the user when a commit found its file stale: the re-check's findings, or, when
    the writer refused a row, a fresh dry run (the refusal itself if the dry run now passes)."""
    if stale.outcome is not None:
        return stale.outcome, stale.table
    outcome, table = _dry_run(record, data, lambda done, total: None)
    if outcome.clean and stale.error is not None:
        outcome = Outcome(
            outcome.kind,
            [Problem(None, None, stale.error.message)],
            {**outcome.counts, "errors": 1},
        )
    return outcome, table


@action
def _commit(*, import_id: int, data: bytes, report: Callable[[int, str], None]) -> Outcome | None:
    """Validate again and write every row, in one transaction under the company's import lock."""
    locked = Import.objects.select_for_update().get(pk=import_id)
    if locked.status != ImportStatus.COMMITTING:
        return None
    spec = kinds.get(locked.kind)
    _lock_company_imports(spec)
    checking = _scaled(report, 0, 40, _("正在校验"))
    # A kept dry run is planned again from the database as it is now; otherwise the file is read again.
    kept = _kept(locked, data) if spec.recheck is not None else None
    rechecked = (
        spec.recheck(kept, checking, estate_id=locked.estate_id)
        if spec.recheck is not None and kept is not None
        else None
    )
    outcome, table = (rechecked, None) if rechecked is not None else _dry_run(locked, data, checking)
    if not outcome.clean:
        raise _Stale(outcome, table)
    try:
        written = spec.write(outcome.plan, _scaled(report, 40, 100, _("正在写入")), committed_by=locked.committed_by)
    except DomainError as refused:  # changed between the re-check and the write: nothing lands
        raise _Stale(None, None, refused) from refused
    if written is not None:
        outcome.counts = {**outcome.counts, **written.counts}
    locked.status = ImportStatus.DONE
    locked.counts = outcome.counts
    locked.notes = outcome.notes
    locked.errors = []
    locked.error_total = 0
    locked.committed_at = timezone.now()
    locked.message = _("导入完成。") + (written.note if written is not None else "")
    locked.save()
    notices.tell_finished(locked)
    account_services.record_audit(
        actor=locked.committed_by,
        action="import.commit",
        object_type="import",
        object_id=locked.pk,
        after={"kind": locked.kind, "file_name": locked.file_name, "counts": locked.counts},
    )
    return outcome


def run_commit(*, import_id: int) -> Import | None:
    """The commit (the task's body): validate again and write everything in one transaction.
    If the data changed so the file no longer passes, nothing is written and the import goes back
    to `invalid` with a fresh report. Does nothing unless the import is `committing`."""
    claimed = _claimed(import_id, ImportStatus.COMMITTING)
    if claimed is None:
        return None
    record, job_id = claimed
    try:
        core_services.start_job(job_id=job_id, total=JOB_TOTAL)
        data = _file_bytes(record)
        with core_services.progress_outside_transaction(job_id=job_id) as report:
            report(0, _("正在校验"))
            with _bulk():
                outcome = _commit(import_id=import_id, data=data, report=report)
            if outcome is None:
                return None
    except _Stale as stale:
        _forget_kept(record)
        outcome, table = _stale_findings(record, data, stale)
        _record_findings(
            record,
            outcome,
            data,
            table,
            message=_("校验后数据已发生变化，本次未写入任何数据；请下载新的错误报告，修改后重新上传。"),
        )
        core_services.fail_job(job_id=job_id, message=record.message)
        return record
    except IntegrityError:
        logger.warning("import %s: commit conflicted with a concurrent change", import_id, exc_info=True)
        return _given_up(import_id, _("导入时数据被其他操作修改，本次未写入任何数据；请重新上传校验。"))
    except OperationalError:
        raise  # rolled back; the task retries, the import still `committing`
    except Exception:
        logger.exception("import %s: commit failed", import_id)
        return _given_up(import_id, _("导入时发生意外错误，未写入任何数据；请稍后重试或联系客服。"))
    _forget_kept(record)
    core_services.finish_job(job_id=job_id, result={"status": ImportStatus.DONE, "counts": outcome.counts})
    return Import.objects.get(pk=import_id)


@action
def record_download(*, record: Import, actor: Any, what: str) -> None:
    """Import files carry whole phone and ID numbers: every download is on the audit trail."""
    account_services.record_audit(
        actor=actor, action=f"import.download_{what}", object_type="import", object_id=record.pk
    )
