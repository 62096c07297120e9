"""用户协议 / 隐私政策 — the owner app's user agreement and privacy policy of a company.

A company publishes its own text (Company.user_agreement / privacy_policy, edited by its admin);
while it has none, the default template in the reader's language applies, with the company's name
filled in. The text is plain text with minimal Markdown (`#`/`##` headings, `- ` list items, blank
lines between paragraphs); the faces render it as text, never as HTML.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core import text
from core.errors import DomainError

Kind = Literal["user_agreement", "privacy_policy"]
KINDS: tuple[Kind, ...] = ("user_agreement", "privacy_policy")
LANGUAGES = ("zh-hans", "en")
# About three times the default templates' length leaves room for a company's own clauses; a
# document longer than this is not read by anyone on a phone.
MAX_LENGTH = 20_000
TEMPLATES = Path(__file__).resolve().parent / "templates" / "agreements"


def title(kind: Kind) -> str:
    return _("用户协议") if kind == "user_agreement" else _("隐私政策")


def template_language(language: str | None = None) -> str:
    """The template language for a Django language code: English for en*, Chinese otherwise."""
    return "en" if (language or get_language() or "").lower().startswith("en") else "zh-hans"


@cache
def _template(kind: Kind, language: str) -> str:
    return (TEMPLATES / f"{kind}.{language}.md").read_text(encoding="utf-8").strip()


def default_text(kind: Kind, company_name: str, language: str | None = None) -> str:
    """The default template with the company's name filled in (a plain replace: a name is not a
    format string)."""
    return _template(kind, template_language(language)).replace("{company}", company_name)


def clean_text(value: str | None, *, field: str) -> str:
    """A company's own text as stored: line ends unified, outer whitespace stripped; control or
    text-direction characters and text past MAX_LENGTH are refused. Blank means the default."""
    cleaned = (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if text.has_control_characters(cleaned) or text.has_direction_controls(cleaned):
        message = _("内容包含不允许的控制字符。")
        raise DomainError(message, code="validation_error", fields={field: [message]})
    if len(cleaned) > MAX_LENGTH:
        message = _("内容不能超过 %(max)d 个字符。") % {"max": MAX_LENGTH}
        raise DomainError(message, code="validation_error", fields={field: [message]})
    return cleaned
