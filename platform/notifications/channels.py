"""The channels behind one interface: the in-app inbox (always there: the delivery row is the
inbox item), SMS through the provider adapter (notifications.sms) and e-mail through Django's mail
backend (a text part and an HTML part in the company's branding: notifications.email_message). A
channel says whether it can reach a person with an event, and sends one delivery; a provider's
refusal is Permanent (this address will never take it) or Transient (try again later).

WeChat mini-program subscribe messages go first where the company has a template for the event and
the owner a WeChat login; each spends one of the owner's one-time subscriptions, and with none left
(or WeChat refusing the message) the delivery falls back: SMS, else the inbox alone (Fallback).
"""

from __future__ import annotations

import smtplib
from collections.abc import Mapping
from typing import Any, Protocol

from core.masking import mask_phone
from notifications import company_settings, email_message, rendering, sms
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


class Throttled(Transient):
    """The provider refused this one address for now (its per-number limits): the others still go."""


class Fallback(Permanent):
    """This channel cannot carry it to this person (no subscription left, WeChat refused it): the
    delivery is closed with the reason, and another channel carries the message instead.
    `failed`: the provider refused (logged as failed), rather than the channel not applying (skipped)."""

    def __init__(self, message: str, *, failed: bool = False):
        super().__init__(message)
        self.failed = failed


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
        # Whether the company has an approved template is checked when sending: a missing one
        # fails the delivery with its reason (fail closed) rather than silently not texting.
        return event.sms is not None

    def masked(self, address: str) -> str:
        return mask_phone(address)

    def send(self, *, event: Event, context: Mapping[str, Any], address: str, company: str) -> str:
        answer = self.send_many(event=event, context=context, addresses=[address], company=company)[0]
        if isinstance(answer, DeliveryError):
            raise answer
        return answer

    def send_many(
        self, *, event: Event, context: Mapping[str, Any], addresses: list[str], company: str
    ) -> list[str | DeliveryError]:
        """The same text to several numbers in one provider request (services.batches), with the
        company's template and signature: per address the provider's message id or its refusal; a
        refusal of the whole request raises."""
        assert event.sms is not None
        try:
            route = company_settings.sms_route(event)
        except company_settings.SmsNotConfigured as exc:
            raise Permanent(str(exc)) from exc
        # The company's SMS text (its placeholders, in order) or the code's template parameters.
        values = rendering.Renderer(rendering.company_language()).sms_values(event, context)
        try:
            answers = sms.gateway().send_many_approved(
                phones=addresses, template_id=route.template_id, values=values, sign_name=route.sign_name
            )
        except sms.SmsError as exc:
            raise _sms_refusal(exc) from exc
        return [answer.message_id if isinstance(answer, sms.SmsReceipt) else _sms_refusal(answer) for answer in answers]


def _sms_refusal(exc: sms.SmsError) -> DeliveryError:
    failure = exc.reason.value
    if exc.reason is sms.SmsFailure.INVALID_NUMBER or exc.code.startswith(PERMANENT_SMS_CODES):
        return Permanent(str(exc), failure=failure)
    if exc.throttled:
        return Throttled(str(exc), failure=failure)
    return Transient(str(exc), failure=failure)


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
        language = rendering.company_language()
        title, body = rendering.Renderer(language).render(event, Channel.EMAIL, context)
        text, html = email_message.render(
            title=title,
            body=body,
            link=context.get("_url", ""),
            branding=email_message.current_branding(company),
            language=language,
        )
        subject = f"[{company}] {title}" if company else title
        try:
            email_message.message(subject=subject, text=text, html=html, to=address).send()
        except smtplib.SMTPRecipientsRefused as exc:
            raise Permanent(f"SMTP refused the recipient: {exc.recipients}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise Transient(f"{exc.__class__.__name__}: {exc}") from exc
        return ""


class WechatSender:
    """Mini-program subscribe messages (notifications.wechat), with the company's template for the
    event and one of the owner's one-time subscriptions to it."""

    channel = Channel.WECHAT

    def address(self, user: Any) -> str:
        return user.wechat_openid or ""

    def can_carry(self, event: Event) -> bool:
        from notifications import wechat_selectors

        return wechat_selectors.template_for(event.name) is not None

    def masked(self, address: str) -> str:
        return f"{address[:6]}***" if address else ""

    def send(self, *, event: Event, context: Mapping[str, Any], address: str, company: str) -> str:
        from notifications.wechat_channel import send_subscribe_message

        return send_subscribe_message(event=event, context=context, openid=address)


SENDERS: dict[str, Sender] = {
    sender.channel: sender for sender in (InboxSender(), SmsSender(), EmailSender(), WechatSender())
}


def sender(channel: str) -> Sender:
    return SENDERS[channel]
