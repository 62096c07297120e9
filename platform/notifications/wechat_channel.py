"""One WeChat subscribe message of a delivery (channels.WechatSender.send): the company's template
for the event, one of the owner's subscriptions spent on it, the context as the template's keywords,
and WeChat's answer as what the delivery does next.

  sent                       the subscription stays spent
  43101 (none left)          Fallback, ours set to none as well
  40037, 40003, 47003 …      Fallback (failed): WeChat will never take this message; staff fix the
                             template, and the owner hears by SMS or the inbox meanwhile
  -1, 45009, 40001 … , down  Transient: retried with backoff; the subscription is not spent
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from core.db import current_schema
from notifications import channels, wechat, wechat_fields, wechat_selectors
from notifications.events import Event
from notifications.models import Delivery


class _NoneLeft(Exception):
    pass


def _credentials() -> tuple[str, str]:
    from companies.selectors import company_by_schema

    company = company_by_schema(current_schema())
    if company is None or not company.wechat_appid or not company.wechat_secret:
        return "", ""
    return company.wechat_appid, company.wechat_secret


def send_subscribe_message(*, event: Event, context: Mapping[str, Any], openid: str) -> str:
    from notifications.services import wechat as wechat_services

    template = wechat_selectors.template_for(event.name)
    if template is None:
        raise channels.Fallback(_("本公司没有这类通知的微信订阅消息模板。"))
    appid, secret = _credentials()
    if not appid:
        raise channels.Fallback(_("本公司尚未设置小程序 AppID 和密钥。"), failed=True)
    delivery = Delivery.objects.get(pk=context["_delivery"])
    if delivery.recipient_id is None:  # WeChat reaches owners of the app, never a bare address
        raise channels.Permanent(_("收件人已无可用的联系方式。"))
    data = wechat_fields.render(template.fields, event, context)
    page = event.link_for(context).lstrip("/")
    try:
        with transaction.atomic():  # a savepoint: a send WeChat refused spends nothing
            if not wechat_services.spend(delivery=delivery, template_id=template.template_id):
                raise _NoneLeft
            return wechat.send_subscribe_message(
                appid=appid, secret=secret, openid=openid, template_id=template.template_id, data=data, page=page
            )
    except _NoneLeft:
        raise channels.Fallback(_("业主没有剩余的订阅次数。")) from None
    except wechat.WechatSendError as exc:
        if exc.errcode == wechat.NO_SUBSCRIPTION:
            wechat_services.forget(user_id=delivery.recipient_id, template_id=template.template_id)
            raise channels.Fallback(_("微信：业主未订阅或已用完订阅次数（43101）。")) from exc
        if exc.errcode in wechat.PERMANENT:
            raise channels.Fallback(_("微信拒绝了这条消息：%(error)s") % {"error": exc}, failed=True) from exc
        raise channels.Transient(f"WeChat {exc}") from exc
