"""Template text, sandboxed: what placeholders an event offers, whether a company's text uses only
those, and filling them in.

A company's text is never executed as a template (no Django or Jinja, no `str.format`, not even
Python's `%` operator): the only syntax is `%(name)s` for one of the event's placeholders and `%%`
for a percent sign, and filling in replaces exactly those with the context's value as text. So
`%(house).__class__`, `%(house)r`, `%(house)10s`, `{house}` tricks and stray `%` are refused when the
text is saved, and nothing but the allowed keys' values can ever appear in a message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from notifications.events import Event

# One token of a template: a placeholder, an escaped percent, or any other percent (refused).
_TOKEN = re.compile(r"%\((?P<name>[A-Za-z_][A-Za-z0-9_]*)\)s|(?P<escaped>%%)|(?P<stray>%)")
_DEFAULT_PLACEHOLDER = re.compile(r"%\(([A-Za-z_][A-Za-z0-9_]*)\)s")
# Keys a notification's context carries for the machinery, never for a template.
_INTERNAL_PREFIX = "_"


class TemplateError(ValueError):
    pass


def placeholders(event: Event) -> tuple[str, ...]:
    """The context keys an event's templates may use: those of its default texts (in the source
    language) and its SMS template's parameters, in order of first appearance."""
    keys: list[str] = []
    with translation.override(None):  # the source strings: a catalogue's translation adds no keys
        texts = [str(event.title), str(event.body)]
    for text in texts:
        keys += _DEFAULT_PLACEHOLDER.findall(text)
    if event.sms is not None:
        keys += event.sms.params
    return tuple(dict.fromkeys(key for key in keys if not key.startswith(_INTERNAL_PREFIX)))


def used(text: str) -> list[str]:
    """The placeholders a (valid) text uses, in order, repeats kept: an SMS template's parameters."""
    return [match["name"] for match in _TOKEN.finditer(text) if match["name"]]


def check(event: Event, text: str) -> list[str]:
    """What is wrong with a text for this event ([] when nothing)."""
    allowed = set(placeholders(event))
    problems: list[str] = []
    for match in _TOKEN.finditer(text):
        if match["stray"]:
            snippet = text[match.start() : match.start() + 12]
            problems.append(
                _("“%(snippet)s”不是可用的写法：占位符只能写成 %%(名称)s，百分号写成 %%%%。") % {"snippet": snippet}
            )
        elif match["name"] and match["name"] not in allowed:
            problems.append(
                _("“%(name)s”不是此通知的占位符，可用：%(allowed)s。")
                % {"name": match["name"], "allowed": "、".join(placeholders(event)) or "—"}
            )
    if not problems:
        try:  # belt and braces: a text that passed must fill in without raising
            fill(text, dict.fromkeys(allowed, "x"))
        except Exception:  # any failure means the text is refused
            problems.append(_("模板无法生成内容。"))
    return list(dict.fromkeys(problems))


def fill(text: str, context: Mapping[str, Any]) -> str:
    """The text with its placeholders replaced by the context's values as text ("" for a missing
    key). Only call it with a text `check` passed; a stray percent is left as it is."""

    def replace(match: re.Match[str]) -> str:
        if match["name"]:
            value = context.get(match["name"], "")
            return "" if value is None else str(value)
        return "%" if match["escaped"] else match[0]

    return _TOKEN.sub(replace, text)


def sample_context(event: Event) -> dict[str, str]:
    """Sample values of an event's placeholders for a preview, each marked as a sample."""
    return {key: _("〔示例：%(key)s〕") % {"key": key} for key in placeholders(event)}
