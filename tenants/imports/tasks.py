"""The dry run and the commit of an import, delivered by the outbox in the company's schema.
Each is guarded by the import's status, so a second delivery does nothing; an error retries with
backoff, and once every try is used the import is marked failed rather than left waiting.
Both run in the language of the request that sent them (the upload, the confirmation): the problems,
messages and report are read by the person who uploaded the file."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.outbox.registry import handles
from tenants.imports import services


def _given_up(*, import_id: int, error: str) -> None:
    services.fail_import(import_id=import_id, message=_("处理多次失败，已停止；请检查文件后重新上传，或联系客服。"))


@handles(services.TOPIC_VALIDATE, on_dead=_given_up, max_attempts=3, in_senders_language=True)
def validate_import(*, import_id: int) -> None:
    services.run_validation(import_id=import_id)


@handles(services.TOPIC_COMMIT, on_dead=_given_up, max_attempts=3, in_senders_language=True)
def commit_import(*, import_id: int) -> None:
    services.run_commit(import_id=import_id)
