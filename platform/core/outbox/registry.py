"""Which handler runs each topic. Apps register their handlers in their `tasks` module:

    @handles("imports.validate", on_dead=mark_import_failed)
    def validate_import(*, import_id: int) -> None:
        services.run_validation(import_id=import_id)

A handler runs in the schema of the company that emitted the message, with the payload as keyword
arguments, and must be safe to run twice (delivery is at least once). `on_dead(error=..., **payload)`
runs once when the message is given up, so whatever waited for it is not left waiting forever.

`in_senders_language=True`: the message carries the language the emitting request ran in, and the
handler (and on_dead) run in it — for work whose text is read by the person who asked for it (an
import's problems, read by its uploader). Text a handler saves as the company's record still goes
through core.i18n.records_language().
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.module_loading import autodiscover_modules

DEFAULT_MAX_ATTEMPTS = 5


class UnknownTopic(LookupError):
    pass


@dataclass(frozen=True)
class Topic:
    name: str
    handler: Callable[..., Any]
    on_dead: Callable[..., Any] | None
    max_attempts: int
    in_senders_language: bool = False


_topics: dict[str, Topic] = {}


def handles(
    name: str,
    *,
    on_dead: Callable[..., Any] | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    in_senders_language: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    if not 1 <= max_attempts <= 50:
        raise ValueError("max_attempts must be between 1 and 50")

    def register(handler: Callable[..., Any]) -> Callable[..., Any]:
        existing = _topics.get(name)
        if existing is not None and existing.handler.__qualname__ != handler.__qualname__:
            raise ValueError(f"topic {name!r} already has a handler: {existing.handler.__qualname__}")
        _topics[name] = Topic(
            name=name,
            handler=handler,
            on_dead=on_dead,
            max_attempts=max_attempts,
            in_senders_language=in_senders_language,
        )
        return handler

    return register


def topic(name: str) -> Topic:
    if name not in _topics:
        autodiscover_modules("tasks")  # a process that never imported the apps' tasks (the web)
    try:
        return _topics[name]
    except KeyError:
        raise UnknownTopic(f"no handler registered for topic {name!r}") from None


def topics() -> dict[str, Topic]:
    autodiscover_modules("tasks")
    return dict(_topics)
