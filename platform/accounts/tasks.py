"""Outgoing password codes and invitations, delivered by the outbox in the company's schema."""

from __future__ import annotations

from accounts import password_codes, passwords
from core.outbox.registry import handles


def _given_up(*, code_id: int, secret: str = "", error: str = "") -> None:
    from notifications.services import deliveries

    deliveries.give_up_keyed(key=f"password-code:{code_id}", error=error)


@handles(password_codes.TOPIC_SEND, on_dead=_given_up)
def send_password_code(*, code_id: int, secret: str) -> None:
    passwords.deliver(code_id=code_id, secret=secret)
