"""A watch over browser pages for the walk-through tests: every console error, page error and answer
≥ 400 the pages meet, and every English word left on a screen that should be all Chinese.

    watch = Watch(allowed_words={"founder"})
    watch.attach(page, "admin")
    ...
    watch.screen(page, "dashboard")  # once the screen has settled: reads its text
    ...
    watch.assert_clean()

An expected 4xx is allowed only by naming it, with the reason (`watch.allow_status(...)`); a 404 or
a 5xx never is. Problems are collected rather than raised on the spot, so one run lists all of them.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field

# Latin words a zh-CN screen may show, each for a reason; everything else of 3+ Latin letters fails.
# User-typed values (the company's slug, usernames, file names) are added per test.
ALLOWED_WORDS = {
    # The language switch offers the other language in its own name, as every bilingual site does.
    "english",
    # The company's address is its host: the slug preview and the ready page show it.
    "localhost",
    "http",
    # Spreadsheet formats, named as users know them.
    "excel",
    "xlsx",
    "xls",
    "csv",
    # Image formats, named as phones and cameras name them (the photo pickers' hint).
    "jpeg",
    "jpg",
    "png",
    "webp",
}

LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


@dataclass
class AllowedStatus:
    status: int
    url: re.Pattern[str]
    reason: str


@dataclass
class Watch:
    allowed_words: set[str] = field(default_factory=set)  # values the user typed, shown back
    problems: list[str] = field(default_factory=list)
    english: dict[str, list[str]] = field(default_factory=dict)
    allowed_statuses: list[AllowedStatus] = field(default_factory=list)
    screens: list[str] = field(default_factory=list)

    def allow_status(self, status: int, url_pattern: str, reason: str) -> None:
        """An answer the walk provokes on purpose (never a 404 or a 5xx)."""
        assert 400 <= status < 500 and status != 404, "a 404 or a 5xx is never expected"
        assert reason, "say why this answer is expected"
        self.allowed_statuses.append(AllowedStatus(status, re.compile(url_pattern), reason))

    def attach(self, page, label: str) -> None:
        def on_console(message) -> None:
            if message.type != "error":
                return
            # Chromium logs every failed load as a console error: that of an allowed answer is not a problem.
            url = (message.location or {}).get("url", "")
            if "Failed to load resource" in message.text and any(a.url.search(url) for a in self.allowed_statuses):
                return
            self.problems.append(f"[{label}] console error: {message.text} ({page.url})")

        def on_response(response) -> None:
            if response.status < 400:
                return
            if any(a.status == response.status and a.url.search(response.url) for a in self.allowed_statuses):
                return
            self.problems.append(f"[{label}] {response.status} {response.request.method} {response.url}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.problems.append(f"[{label}] page error: {error} ({page.url})"))
        page.on("response", on_response)

    def screen(self, page, name: str, *, settle_ms: int = 5_000) -> None:
        """Once the screen has settled (its requests answered), its visible text must be Chinese."""
        # A page that polls may not go idle for long: then it is read as it is.
        with contextlib.suppress(Exception):
            page.wait_for_load_state("networkidle", timeout=settle_ms)
        self.screens.append(name)
        text = page.evaluate("document.body.innerText")
        for value in sorted(self.allowed_words, key=len, reverse=True):  # user-typed: taken out whole
            text = text.replace(value, " ")
        words = sorted({w for w in LATIN_WORD.findall(text) if w.lower() not in ALLOWED_WORDS})
        if words:
            self.english[name] = words

    def report(self) -> str:
        lines = [f"screens read: {len(self.screens)}"]
        lines += [f"  {problem}" for problem in self.problems]
        lines += [f"  English on {name}: {', '.join(words)}" for name, words in self.english.items()]
        return "\n".join(lines)

    def assert_clean(self) -> None:
        assert not self.problems and not self.english, self.report()
