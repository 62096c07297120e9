"""The channels behind one interface: the in-app inbox (always there: the delivery row is the
inbox item), SMS through the provider adapter (notifications.sms) and e-mail through Django's mail
backend. A channel says whether it can reach a person with an event, and sends one delivery; a
provider's refusal is Permanent (this address will never take it) or Transient (try again later).

WeChat subscribe messages are the next channel (one-time subscriptions consumed per message, with a
stand-in that enforces them): not here yet.
"""

from __future__ import annotations

import smtplib
from collections.abc import Mapping
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from core.masking import mask_phone
from notifications import sms
from notifications.events import Event
from notifications.models import Channel


class DeliveryError(Exception):
    def __init__(self, message: str = "", *, failure: str = "") -> None:
        super().__init__(message)
        self.failure = failure  # the provider's kind of refusal (notifications.sms.SmsFailure), when it says


class Permanent(DeliveryError):
    """The provider will never take this one (an invalid number, no template): failed, not retried."""


class Transient(DeliveryError):
    """The provider is down, throttled or misconfigured for now: retried with backoff, then dead."""


class Sender(Protocol):
    channel: Channel

    def address(self, user: Any) -> str:
        """Where this person is reached on the channel; "" when they cannot be."""

    def can_carry(self, event: Event) -> bool: ...

    def masked(self, address: str) -> str: ...

    def send(self, *, event: Event, context: Mapping[str, Any], address: str, company: str) -> str:
        """Send; returns the provider's message id."""


class InboxSender:
    channel = Channel.INBOX

    def address(self, user: Any) -> str:
        return str(user.pk)

    def can_carry(self, event: Event) -> bool:
        return True

    def masked(self, address: str) -> str:
        return ""

    def send(self, *, event: Event, context: Mapping[str, Any], address: str, company: str) -> str:
        return ""  # written with the notification: nothing to send


# Refusals of this message itself (a parameter too long, none given, no template of ours): trying
# again sends the same request and meets the same answer. Account-level refusals (signature or
# template not approved, no balance) are transient: staff fix them, and the backoff or a retry sends.
PERMANENT_SMS_CODES = ("ClientConfig", "InvalidParameterValue.", "MissingParameter.", "InvalidParameter.")


class SmsSender:
    channel = Channel.SMS

    def address(self, user: Any) -> str:
        return user.phone or ""

    def can_carry(self, event: Event) -> bool:
        return event.sms is not None and sms.gateway().has_template(event.sms.name)

    def masked(self, address: str) -> str:
        return mask_phone(address)

    def send(self, *, event: Event, context: Mapping[str, Any], address: str, company: str) -> str:
        assert event.sms is not None
        params = {name: str(context.get(name, "")) for name in event.sms.params}
        try:
            receipt = sms.gateway().send(phone=address, template=event.sms.name, params=params)
        except sms.SmsError as exc:
            if exc.reason is sms.SmsFailure.INVALID_NUMBER or exc.code.startswith(PERMANENT_SMS_CODES):
                raise Permanent(str(exc), failure=exc.reason.value) from exc
            raise Transient(str(exc), failure=exc.reason.value) from exc
        return receipt.message_id


class EmailSender:
    channel = Channel.EMAIL

    def address(self, user: Any) -> str:
        return user.email or ""

    def can_carry(self, event: Event) -> bool:
        return True

    def masked(self, address: str) -> str:
        name, _at, domain = address.partition("@")
        return f"{name[:2]}***@{domain}" if domain else ""

    def send(self, *, event: Event, context: Mapping[str, Any], address: str, company: str) -> str:
        title, body = event.render(context)
        text = render_to_string(
            "notifications/email.txt",
            {"title": title, "body": body, "company": company, "link": context.get("_url", "")},
        )
        subject = f"[{company}] {title}" if company else title
        try:
            send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [address])
        except smtplib.SMTPRecipientsRefused as exc:
            raise Permanent(f"SMTP refused the recipient: {exc.recipients}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise Transient(f"{exc.__class__.__name__}: {exc}") from exc
        return ""


SENDERS: dict[str, Sender] = {sender.channel: sender for sender in (InboxSender(), SmsSender(), EmailSender())}


def sender(channel: str) -> Sender:
    return SENDERS[channel]
