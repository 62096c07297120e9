"""Reads of the WeChat subscribe-message channel: the company's templates per event, which of them
the owner app asks an owner to subscribe to at a moment, and an owner's subscriptions left."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from notifications.models import WechatSubscription, WechatTemplate

# The natural moments the owner app asks for subscriptions, and the events worth one then (the most
# useful first: WeChat shows at most three templates in one request). Events not registered yet, or
# with no template in this company, are left out.
MOMENTS: dict[str, tuple[str, ...]] = {
    "payment": ("payment.paid", "bill.issued", "bill.due_soon", "payment.refunded", "invoice.issued"),
    "binding": ("binding.approved", "bill.issued", "bill.overdue", "bill.due_soon"),
    "repair": ("repair.updated", "repair.finished", "repair.assigned"),
}
PER_REQUEST = 3


def templates() -> QuerySet[WechatTemplate]:
    return WechatTemplate.objects.order_by("event")


def template_for(event: str) -> WechatTemplate | None:
    return WechatTemplate.objects.filter(event=event).first()


def templates_for_moment(moment: str) -> list[str]:
    """The template ids to ask for at `moment`, in MOMENTS' order, at most three, each once."""
    order = MOMENTS.get(moment, ())
    by_event = dict(WechatTemplate.objects.filter(event__in=order).values_list("event", "template_id"))
    chosen: list[str] = []
    for event in order:
        template_id = by_event.get(event)
        if template_id and template_id not in chosen:
            chosen.append(template_id)
    return chosen[:PER_REQUEST]


def subscriptions_of(user: Any) -> QuerySet[WechatSubscription]:
    return WechatSubscription.objects.filter(user=user, credits__gt=0).order_by("template_id")
