"""Domain errors raised by services: a stable code, a readable message, optional field errors.

Kept free of DRF so that services (and the authentication classes DRF loads) can import it.
"""

from __future__ import annotations

from django.utils.translation import gettext as _


class DomainError(Exception):
    """A business rule said no."""

    status_code = 400

    def __init__(
        self,
        message: str,
        *,
        code: str = "invalid",
        fields: dict[str, list[str]] | None = None,
        status_code: int | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        self.fields = fields or {}
        if status_code is not None:
            self.status_code = status_code


class NotFound(DomainError):
    status_code = 404

    def __init__(self, message: str | None = None):
        super().__init__(message or _("对象不存在。"), code="not_found")


class RateLimited(DomainError):
    """Too many of something in a window; the API answers 429 with Retry-After."""

    status_code = 429

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message, code="throttled")
        self.retry_after = retry_after


def wait_text(seconds: int) -> str:
    """How long to wait, as a person would say it: "30 秒", "15 分钟"."""
    if seconds < 90:
        return _("%(n)s 秒") % {"n": seconds}
    return _("%(n)s 分钟") % {"n": -(-seconds // 60)}
