"""The write kernel: every service write is an action.

An action is one durable transaction (Zulip's `do_*` functions, `transaction.atomic(durable=True)`):
its business rows, its audit row and its outgoing work commit together or not at all. Outgoing
work — tasks, messages, payment calls, events for other modules — is `emit`ted into the
transactional outbox (core.outbox) inside that transaction and relayed to Celery once it commits;
the sweeper sends again whatever was lost on the way.

    @action
    def create_estate(*, name: str, actor: Any) -> Estate:
        estate = Estate.objects.create(name=name)
        record_audit(...)                     # required: an action that writes no audit row fails
        emit("estates.created", {"estate_id": estate.pk}, key=f"estate:{estate.pk}:created")
        return estate

An action called from inside another action joins the outer one (one transaction, one relay).
Each action runs only in the schema its app declares (core.schemas): a company's action on the
public schema, or a platform action inside a company, is refused before it touches anything.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ParamSpec, TypeVar, overload

from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name

from core.db import current_schema
from core.schemas import Schema

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")


class WrongSchema(RuntimeError):
    """An action was called in a schema its app does not live in (a programming error)."""


class NotAudited(RuntimeError):
    """An action changed data but wrote no audit row, and did not declare `audit=False`."""


class OutsideAction(RuntimeError):
    """Audit or outgoing work written outside an action (so possibly in a transaction of its own)."""


@dataclass
class _Running:
    name: str
    audited: bool = False
    wrote: bool = False  # an INSERT/UPDATE/DELETE of business data ran (the audit row is not one)
    emitted: list[int] = field(default_factory=list)
    undo: list[Callable[[], None]] = field(default_factory=list)  # outside the database: on rollback


_current: ContextVar[_Running | None] = ContextVar("wuye_action", default=None)

# Every action, by qualified name: the schema test calls each one in the wrong schema.
registry: dict[str, Callable[..., Any]] = {}


def schema_of(func: Callable[..., Any]) -> Schema:
    """The schema an action runs in: its own declaration, else its app's."""
    declared = getattr(func, "declared_schema", None)
    return Schema(declared) if declared else _app_schema(func)


def _app_schema(func: Callable[..., Any]) -> Schema:
    config = apps.get_containing_app_config(func.__module__)
    if config is None or not hasattr(config, "schema"):
        raise WrongSchema(f"{func.__module__} is in no app that declares its schema")
    return Schema(config.schema)


def check_schema(func: Callable[..., Any], declared: Schema | None = None) -> None:
    schema = declared or _app_schema(func)
    on_public = current_schema() == get_public_schema_name()
    if schema == Schema.COMPANY and on_public:
        raise WrongSchema(f"{func.__qualname__} writes a company's data but ran on the public schema")
    if schema == Schema.PUBLIC and not on_public:
        raise WrongSchema(f"{func.__qualname__} writes the platform's data but ran in {current_schema()}")


@overload
def action(func: Callable[P, R], /) -> Callable[P, R]: ...
@overload
def action(*, audit: bool = True, schema: Schema | None = None) -> Callable[[Callable[P, R]], Callable[P, R]]: ...
def action(func: Callable[P, R] | None = None, /, *, audit: bool = True, schema: Schema | None = None) -> Any:
    """Make `func` an action. `audit=False` only for bookkeeping no person asked for (a job's
    progress, a token's last use): say why where you use it. `schema` is taken from the app the
    function lives in; give it only for code outside any app (tests)."""

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        name = f"{func.__module__}.{func.__qualname__}"

        @functools.wraps(func)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            check_schema(func, schema)
            outer = _current.get()
            if outer is not None:
                return func(*args, **kwargs)
            running = _Running(name)
            token = _current.set(running)
            try:
                with transaction.atomic(durable=True), connection.execute_wrapper(_note_writes(running)):
                    result = func(*args, **kwargs)
                    # An action that found nothing to change (already done, a no-op) owes no audit row.
                    if audit and running.wrote and not running.audited:
                        raise NotAudited(f"{name} changed data but wrote no audit row")
            except BaseException:
                _undo(running)
                raise
            finally:
                _current.reset(token)
            # Durable: leaving the block committed the transaction, so the work may go out now.
            if running.emitted:
                from core.outbox import relay

                relay.send(running.emitted)
            return result

        run.declared_schema = schema  # type: ignore[attr-defined]  # read by the schema test
        registry[name] = run
        return run

    return decorate(func) if func is not None else decorate


_AUDIT_TABLE = '"accounts_auditevent"'


def _note_writes(running: _Running) -> Callable[..., Any]:
    def note(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if not running.wrote and sql.lstrip()[:6].upper() in _WRITES and _AUDIT_TABLE not in sql:
            running.wrote = True
        return execute(sql, params, many, context)

    return note


def in_action() -> bool:
    return _current.get() is not None


def on_rollback(undo: Callable[[], None]) -> None:
    """Undo something done outside the database (a file written) if the running action does not
    commit; nothing when it does. Outside an action there is no transaction to follow: not allowed."""
    running = _current.get()
    if running is None:
        raise OutsideAction("on_rollback() must run inside an action")
    running.undo.append(undo)


def _undo(running: _Running) -> None:
    for undo in reversed(running.undo):
        try:
            undo()
        except Exception:  # the action's own error is the one to raise; a leftover file is logged
            logger.warning("%s: undoing an outside effect failed", running.name, exc_info=True)


# Written outside actions by design: sessions (Django saves them around the view), the outbox's
# own bookkeeping (a message's attempts and status, written by the kernel as it delivers) and the
# payment sweeper's list of companies to visit (payments.services.watch, marked after a commit).
_EXEMPT_TABLES = ('"django_session"', 'outbox_outboxmessage"', 'companies_paymentwatch"')
_WRITES = ("INSERT", "UPDATE", "DELETE")


@contextmanager
def writes_only_in_actions(where: str) -> Iterator[None]:
    """While in the block, an INSERT, UPDATE or DELETE on this connection outside an action — a view
    saving a serializer, a signal receiver, a handler or helper that forgot its decorator — is refused
    before it reaches the database, instead of committing without its audit row or half of its work.
    Requests run in it (core.middleware) and so do outbox handlers (core.outbox.services.deliver)."""

    def guard(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        verb = sql.lstrip()[:6].upper()
        if verb in _WRITES and not in_action() and not any(table in sql for table in _EXEMPT_TABLES):
            raise OutsideAction(f"{where} wrote outside an action: {sql[:120]}")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(guard):
        yield


def note_audit() -> None:
    """The audit writer calls this: the row it wrote belongs to the running action's transaction."""
    running = _current.get()
    if running is None:
        raise OutsideAction("an audit row must be written inside an action")
    running.audited = True


def emit(
    topic: str,
    payload: dict[str, Any],
    *,
    key: str,
    max_attempts: int | None = None,
    available_at: datetime | None = None,
) -> int | None:
    """Queue outgoing work in the running action's transaction. `key` makes it idempotent: a second
    emit with the same key (per company) adds nothing. Returns the message id, None if it existed.
    `available_at` in the future holds it back: the sweeper, not this commit, hands it over then."""
    running = _current.get()
    if running is None:
        raise OutsideAction(f"emit({topic!r}) must run inside an action")
    from core.outbox import services as outbox

    message_id = outbox.enqueue(
        topic=topic, payload=payload, key=key, max_attempts=max_attempts, available_at=available_at
    )
    if message_id is not None and (available_at is None or available_at <= timezone.now()):
        running.emitted.append(message_id)
    return message_id
