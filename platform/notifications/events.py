"""The events people are told about, registered in code: who may mute them, whether they may wait
for the morning, on which channels they go by default, and their templates per channel.

Texts are gettext strings with %(name)s placeholders from the notification's context (zh-CN source,
English in the catalogue): the inbox renders them in the reader's language when read, e-mail in the
company's language when sent. SMS goes through the provider's approved templates (notifications.sms),
so an SMS template is a template name and the context keys of its positional parameters.

An app registers its own events with `register(Event(...))`; the platform's and the first uses are
registered below.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from notifications.models import Channel


class UnknownEvent(LookupError):
    pass


@dataclass(frozen=True)
class SmsTemplate:
    name: str  # notifications.sms.EVENT_TEMPLATES
    params: tuple[str, ...]  # context keys, in the provider template's placeholder order


@dataclass(frozen=True)
class Event:
    name: str
    label: Promise
    title: Promise  # inbox title, e-mail subject
    body: Promise  # inbox text, e-mail body
    channels: tuple[Channel, ...] = (Channel.INBOX,)
    essential: bool = False  # cannot be muted (security alerts, final arrears notice, outages)
    urgent: bool = False  # goes out in quiet hours too
    sms: SmsTemplate | None = None
    link: str = ""  # a path in the app the message opens, formatted with the context
    # Sent by the caller at once (deliveries.send_at_once), which hears the provider's answer: no
    # dispatch through the outbox, no retry (a login code is sent now or asked for again).
    immediate: bool = False
    # Context keys kept encrypted (a code): masked wherever the message is shown, opened only to send.
    sealed: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if Channel.INBOX not in self.channels and not (self.essential and self.urgent and self.sealed):
            # Only a code (sealed, essential, urgent) goes to no inbox: it may reach a bare phone.
            raise ValueError(f"event {self.name!r}: the inbox is every event's channel")
        if Channel.SMS in self.channels and self.sms is None:
            raise ValueError(f"event {self.name!r}: SMS needs an approved template")

    def render(self, context: Mapping[str, Any]) -> tuple[str, str]:
        """(title, body) in the active language; a key the context lacks renders empty, never fails."""
        values = _Lenient(context)
        values.update({key: SEALED_MASK for key in self.sealed if key in values})
        return str(self.title) % values, str(self.body) % values

    def link_for(self, context: Mapping[str, Any]) -> str:
        return self.link % _Lenient(context) if self.link else ""


SEALED_MASK = "******"


class _Lenient(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


@dataclass
class _Registry:
    events: dict[str, Event] = field(default_factory=dict)


_registry = _Registry()


def register(event: Event) -> Event:
    existing = _registry.events.get(event.name)
    if existing is not None and existing != event:
        raise ValueError(f"event {event.name!r} is already registered differently")
    _registry.events[event.name] = event
    return event


def get(name: str) -> Event:
    try:
        return _registry.events[name]
    except KeyError:
        raise UnknownEvent(f"no notification event {name!r}") from None


def all_events() -> list[Event]:
    return sorted(_registry.events.values(), key=lambda event: event.name)


BINDING_PENDING = register(
    Event(
        name="binding.pending",
        label=_("房屋绑定待审核"),
        title=_("房屋绑定申请待审核"),
        body=_("%(name)s 申请绑定 %(house)s（%(relation)s），请审核。"),
        channels=(Channel.INBOX, Channel.EMAIL),
        link="/basic-data/bindings?status=pending",
    )
)
BILL_ISSUED = register(
    Event(
        name="bill.issued",
        label=_("新账单"),
        title=_("新账单：%(fee_item)s"),
        body=_("%(house)s 的%(fee_item)s账单已出，金额 %(amount)s 元，请在 %(due_date)s 前缴纳。"),
        channels=(Channel.INBOX, Channel.SMS),
        sms=SmsTemplate(name="bill_issued", params=("house", "fee_item", "amount", "due_date")),
        link="/pages/bills/bills?house=%(house_id)s",
    )
)
BILL_DUE_SOON = register(
    Event(
        name="bill.due_soon",
        label=_("账单即将到期"),
        title=_("账单即将到期"),
        body=_("%(house)s 有 %(amount)s 元账单将于 %(due_date)s 到期，请及时缴纳。"),
        channels=(Channel.INBOX, Channel.SMS),
        sms=SmsTemplate(name="bill_due_soon", params=("house", "amount", "due_date")),
        link="/pages/bills/bills?house=%(house_id)s",
    )
)
BILL_OVERDUE = register(
    Event(
        name="bill.overdue",
        label=_("账单逾期"),
        title=_("账单已逾期"),
        body=_("%(house)s 有 %(amount)s 元账单已于 %(due_date)s 到期，尚未缴纳，请尽快缴纳。"),
        channels=(Channel.INBOX, Channel.SMS),
        sms=SmsTemplate(name="bill_overdue", params=("house", "amount", "due_date")),
        link="/pages/bills/bills?house=%(house_id)s",
    )
)
FINAL_ARREARS_NOTICE = register(
    Event(
        name="bill.final_notice",
        label=_("欠费最终催缴"),
        title=_("欠费最终催缴通知"),
        body=_("%(house)s 尚欠物业费用 %(amount)s 元，请尽快缴纳。"),
        channels=(Channel.INBOX, Channel.SMS),
        essential=True,
        sms=SmsTemplate(name="final_notice", params=("house", "amount")),
        link="/pages/bills/bills?house=%(house_id)s",
    )
)
SECURITY_ALERT = register(
    Event(
        name="security.alert",
        label=_("安全警报"),
        title=_("安全警报：%(kind)s"),
        body=_("%(place)s 发生%(kind)s，请注意安全并听从物业安排。"),
        channels=(Channel.INBOX, Channel.SMS),
        essential=True,
        urgent=True,
        sms=SmsTemplate(name="security_alert", params=("place", "kind")),
    )
)
