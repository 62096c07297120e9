"""A notification's context as the keywords of a WeChat subscribe-message template.

A company maps each keyword of its template (thing1, amount2, time3 …; the type is the letters, the
number its place) to a key of the event's context. WeChat refuses a whole message over one value
that breaks its type's rules (47003), so each value is made to fit: cut to the type's length (thing
20 characters, phrase 5, name 10 …, with … where text was cut), an amount as 268.50元, an ISO
date as 2026年12月31日.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from notifications import rendering
from notifications.events import SEALED_MASK, Event
from notifications.models import Channel

KEYWORD = re.compile(
    r"(thing|number|letter|symbol|character_string|time|date|amount|phone_number|car_number|name|phrase)(\d{1,2})"
)
TITLE = "_title"  # the event's rendered title, for a template's first thing keyword
BODY = "_body"

LIMITS = {
    "thing": 20,
    "number": 32,
    "letter": 32,
    "symbol": 5,
    "character_string": 32,
    "phone_number": 17,
    "car_number": 8,
    "name": 10,
    "phrase": 5,
}
_NOT_STRING = re.compile(r"[^A-Za-z0-9_\-.:/#]")
_NOT_NUMBER = re.compile(r"[^0-9.+-]")


def keyword_type(keyword: str) -> str | None:
    match = KEYWORD.fullmatch(keyword)
    return match.group(1) if match else None


def render(fields: Mapping[str, str], event: Event, context: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """WeChat's `data`: {"thing1": {"value": "1栋1单元101"}, …}, every value within its type's rules.
    `_title`/`_body` are the event's WeChat wording in the company's language: its own template
    (系统设置 › 通知模板) when it has one, else the code's."""
    shown = {**context, **{key: SEALED_MASK for key in event.sealed if key in context}}  # a code never leaves sealed
    title, body = rendering.Renderer(rendering.company_language()).render(event, Channel.WECHAT, shown)
    values = {**shown, TITLE: title, BODY: body}
    data = {}
    for keyword, source in fields.items():
        kind = keyword_type(keyword)
        if kind is None:
            continue
        data[keyword] = {"value": fit(kind, values.get(source, ""))}
    return data


def fit(kind: str, raw: Any) -> str:
    text = " ".join(str(raw if raw is not None else "").split())
    if kind == "amount":
        return f"{_number(text) or '0'}元"
    if kind in ("date", "time"):
        return _when(text, with_time=kind == "time") or "-"
    if kind == "number":
        text = _number(text) or "0"
    elif kind == "character_string":
        text = _NOT_STRING.sub("", text) or "-"
    elif kind == "letter":
        text = re.sub(r"[^A-Za-z]", "", text) or "x"
    elif kind == "phrase":
        text = re.sub(r"[^\u4e00-\u9fff]", "", text) or "通知"
    elif kind == "name":
        text = re.sub(r"[^\u4e00-\u9fffA-Za-z ]", "", text).strip() or "业主"
        if not re.fullmatch(r"[\u4e00-\u9fff]+", text):
            return text[:20]
    if not text:
        text = "-"
    limit = LIMITS.get(kind)
    if limit is not None and len(text) > limit:
        return text[: limit - 1] + "…" if kind == "thing" else text[:limit]
    return text


def _number(text: str) -> str:
    value = _NOT_NUMBER.sub("", text)
    return value if re.fullmatch(r"[+-]?\d{1,10}(\.\d{1,2})?", value) else ""


def _when(text: str, *, with_time: bool) -> str:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return ""
    day = f"{moment.year}年{moment.month}月{moment.day}日"
    # WeChat's time keyword wants a clock time (15:01, or with the day before it); a date has none.
    return f"{day} {moment:%H:%M}" if with_time else day
