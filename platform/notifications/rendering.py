"""An event's text on a channel in a language: the company's override (notifications.models.
TemplateOverride, in the current company's schema) or else the code's default in that language,
filled in by notifications.wording (sandboxed: placeholders only).

The inbox renders in the reader's language when read; e-mail and SMS in the company's language
(settings.LANGUAGE_CODE) when sent. A Renderer loads a language's overrides once (one query), so a
page of inbox items costs the same whatever its size.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import translation

from notifications import wording
from notifications.events import Event
from notifications.models import Channel, Language, TemplateOverride


@dataclass(frozen=True)
class Wording:
    title: str
    body: str
    overridden: bool


def language_of(code: str | None) -> str:
    """One of our template languages for a Django language code (zh-hans when unsure)."""
    return Language.EN if (code or "").lower().startswith("en") else Language.ZH_HANS


def company_language() -> str:
    return language_of(settings.LANGUAGE_CODE)


def default_wording(event: Event, language: str) -> Wording:
    with translation.override(language):
        return Wording(title=str(event.title), body=str(event.body), overridden=False)


class Renderer:
    """Renders events in one language, with the current company's overrides of that language."""

    def __init__(self, language: str | None = None):
        self.language = language_of(language if language is not None else translation.get_language())
        self._overrides: dict[tuple[str, str], TemplateOverride] | None = None

    def _override(self, event: Event, channel: str) -> TemplateOverride | None:
        if self._overrides is None:
            rows = TemplateOverride.objects.filter(language=self.language)
            self._overrides = {(row.event, row.channel): row for row in rows}
        return self._overrides.get((event.name, channel))

    def wording(self, event: Event, channel: str) -> Wording:
        override = self._override(event, channel)
        if override is not None:
            return Wording(title=override.title, body=override.body, overridden=True)
        return default_wording(event, self.language)

    def render(self, event: Event, channel: str, context: Mapping[str, Any]) -> tuple[str, str]:
        """(title, body) of the event on the channel, filled in from the context."""
        text = self.wording(event, channel)
        return wording.fill(text.title, context), wording.fill(text.body, context)

    def sms_values(self, event: Event, context: Mapping[str, Any]) -> list[str]:
        """The SMS template's parameters, in order: the placeholders of the company's SMS text, or
        the code's template parameters."""
        override = self._override(event, Channel.SMS)
        names = wording.used(override.body) if override is not None else list(event.sms.params if event.sms else ())
        return [wording.fill(f"%({name})s", context) for name in names]
