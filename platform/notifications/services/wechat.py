"""Writes of the WeChat subscribe-message channel: the company's templates (admins), the one-time
subscriptions owners give in the owner app, spending one per message, and the fallback to another
channel when a message cannot go by WeChat.

A subscription is spent by a conditional UPDATE (credits > 0) inside the sending worker's
transaction: two workers racing for an owner's last one serialise on the row, and the second finds
none left. The spend is recorded against the delivery (unique), so a delivery spends at most one
however often its send is redelivered; a send WeChat refused rolls the spend back with it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from core.actions import action, emit
from core.errors import DomainError
from notifications import channels, company_settings, events, wechat_fields, wechat_selectors
from notifications.models import Channel, Delivery, WechatCreditUse, WechatSubscription, WechatTemplate

MAX_KEYWORDS = 10
MAX_CREDITS = 1000  # more than any owner accepts by hand; a runaway client stops here


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(message, fields={field: [message]})


def _snapshot(template: WechatTemplate) -> dict[str, Any]:
    return {"event": template.event, "template_id": template.template_id, "fields": dict(template.fields)}


def _check_fields(fields: dict[str, str]) -> dict[str, str]:
    if not fields:
        raise _invalid("fields", _("请至少填写一个模板关键词。"))
    if len(fields) > MAX_KEYWORDS:
        raise _invalid("fields", _("模板关键词最多 %(count)d 个。") % {"count": MAX_KEYWORDS})
    clean = {}
    for keyword, source in fields.items():
        if wechat_fields.keyword_type(keyword) is None:
            raise _invalid(
                "fields", _("“%(keyword)s”不是微信模板的关键词（如 thing1、amount2、time3）。") % {"keyword": keyword}
            )
        source = str(source).strip()
        if not source or len(source) > 60:
            raise _invalid("fields", _("关键词 %(keyword)s 需填写取值字段。") % {"keyword": keyword})
        clean[keyword] = source
    return clean


@action
def save_template(*, actor: Any, event: str, template_id: str, fields: dict[str, str]) -> WechatTemplate:
    """Set the company's template for an event (one per event; saving again replaces it)."""
    try:
        events.get(event)
    except events.UnknownEvent:
        raise _invalid("event", _("未知的通知类型：%(name)s") % {"name": event}) from None
    template_id = template_id.strip()
    if not template_id or len(template_id) > 64 or not template_id.replace("-", "").replace("_", "").isalnum():
        raise _invalid("template_id", _("模板 ID 格式不正确。"))
    clean = _check_fields(fields)
    template = WechatTemplate.objects.select_for_update().filter(event=event).first()
    before = _snapshot(template) if template is not None else None
    if template is None:
        template = WechatTemplate(event=event)
    template.template_id, template.fields, template.updated_at = template_id, clean, timezone.now()
    template.save()
    account_services.record_audit(
        actor=actor,
        action="notification.wechat_template",
        object_type="notification_wechat_template",
        object_id=template.pk,
        before=before,
        after=_snapshot(template),
    )
    return template


@action
def delete_template(*, actor: Any, template_id: int) -> None:
    template = WechatTemplate.objects.select_for_update().filter(pk=template_id).first()
    if template is None:
        raise DomainError(_("模板不存在。"), code="not_found", status_code=404)
    before = _snapshot(template)
    template.delete()
    account_services.record_audit(
        actor=actor,
        action="notification.wechat_template_delete",
        object_type="notification_wechat_template",
        object_id=template_id,
        before=before,
    )


@action
def add_subscriptions(*, user: Any, template_ids: list[str]) -> list[WechatSubscription]:
    """The owner accepted these templates in wx.requestSubscribeMessage: one message each. Only the
    company's own templates count (another company's id, or a made-up one, is refused)."""
    ids = list(dict.fromkeys(str(t).strip() for t in template_ids))
    if not ids:
        raise _invalid("template_ids", _("请至少提供一个模板 ID。"))
    if len(ids) > wechat_selectors.PER_REQUEST:
        raise _invalid("template_ids", _("一次最多订阅 %(count)d 个模板。") % {"count": wechat_selectors.PER_REQUEST})
    known = set(WechatTemplate.objects.filter(template_id__in=ids).values_list("template_id", flat=True))
    unknown = [t for t in ids if t not in known]
    if unknown:
        raise _invalid("template_ids", _("不是本公司的订阅消息模板：%(ids)s") % {"ids": "、".join(unknown)})
    now = timezone.now()
    rows = []
    for template_id in ids:
        row, _created = WechatSubscription.objects.select_for_update().get_or_create(
            user=user, template_id=template_id, defaults={"updated_at": now}
        )
        row.credits, row.updated_at = min(row.credits + 1, MAX_CREDITS), now
        row.save(update_fields=["credits", "updated_at"])
        rows.append(row)
    account_services.record_audit(
        actor=user,
        action="notification.wechat_subscribe",
        object_type="user",
        object_id=user.pk,
        after={"template_ids": ids},
    )
    return rows


def spend(*, delivery: Delivery, template_id: str) -> bool:
    """One of the recipient's subscriptions to `template_id` for this delivery (inside the sender's
    transaction); False when none is left. A delivery that already spent one keeps it."""
    if delivery.recipient_id is None:
        return False
    if WechatCreditUse.objects.filter(delivery=delivery).exists():
        return True
    taken = WechatSubscription.objects.filter(
        user_id=delivery.recipient_id, template_id=template_id, credits__gt=0
    ).update(credits=F("credits") - 1, updated_at=timezone.now())
    if not taken:
        return False
    WechatCreditUse.objects.create(delivery=delivery, template_id=template_id)
    return True


def forget(*, user_id: int, template_id: str) -> None:
    """WeChat says the owner has none left (43101): ours agree, so the next message falls back at once."""
    WechatSubscription.objects.filter(user_id=user_id, template_id=template_id).update(
        credits=0, updated_at=timezone.now()
    )


def fall_back(delivery: Delivery) -> str:
    """Another channel carries what WeChat could not: SMS when the company sends the event by SMS and
    the person has a phone (a delivery of its own, sent by the workers), else the inbox alone. Says which."""
    from notifications.services.deliveries import TOPIC_SEND, send_key

    spec = events.get(delivery.notification.event)
    sms = channels.sender(Channel.SMS)
    phone = sms.address(delivery.recipient)
    if Channel.SMS not in company_settings.channels_for(spec) or not phone or not sms.can_carry(spec):
        return _("改为仅站内消息。")
    now = timezone.now()
    row, created = Delivery.objects.get_or_create(
        notification_id=delivery.notification_id,
        channel=Channel.SMS,
        recipient_id=delivery.recipient_id,
        defaults={"address": sms.masked(phone), "urgent": delivery.urgent, "created_at": now, "updated_at": now},
    )
    if created:
        emit(TOPIC_SEND, {"delivery_id": row.pk}, key=send_key(row))
    return _("改由短信发送。")
