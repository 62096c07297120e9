"""Outgoing password codes and invitations, delivered by the outbox in the company's schema."""

from __future__ import annotations

from accounts import password_codes, passwords
from core.outbox.registry import handles


@handles(password_codes.TOPIC_SEND)
def send_password_code(*, code_id: int, secret: str) -> None:
    passwords.deliver(code_id=code_id, secret=secret)
