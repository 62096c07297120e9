"""The company as a WeChat Pay sub-merchant: its sub_mchid (here, in its schema) and its mini-program
(AppID and secret: the company's WeChat credentials, companies.Company, the secret encrypted at rest)."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from accounts import services as account_services
from companies import services as company_services
from core.actions import action
from core.errors import DomainError
from payments.models import MerchantAccount

NOTIFY_PATH = "api/v1/payments/wechat/notify/"


def account() -> MerchantAccount:
    return MerchantAccount.objects.filter(singleton=True).first() or MerchantAccount(sub_mchid="")


def notify_url(company: Any) -> str:
    """Where WeChat Pay tells this company of its payments: the company's own host, so the tenant is
    the host as for every other request, and a notification replayed on another company's host
    meets that company's sub_mchid and orders — and is refused."""
    return company_services.company_url(company.slug) + NOTIFY_PATH


def wechat_merchant(company: Any) -> dict[str, str]:
    """What the WeChat Pay gateway needs of this company, or a 409 saying the settings are missing."""
    sub_mchid = account().sub_mchid
    if not sub_mchid or not company.wechat_appid or settings.WECHATPAY_BACKEND == "disabled":
        raise DomainError(
            _("本公司尚未开通微信支付，请在营业厅缴费。"), code="wechatpay_not_configured", status_code=409
        )
    return {"sub_mchid": sub_mchid, "sub_appid": company.wechat_appid, "notify_url": notify_url(company)}


@action
def update_wechat_merchant(
    *, company: Any, actor: Any, sub_mchid: str, sub_appid: str, secret: str | None = None
) -> MerchantAccount:
    """Set the sub-merchant number and the mini-program (a blank secret keeps the stored one)."""
    sub_mchid = (sub_mchid or "").strip()
    if not re.fullmatch(r"\d{8,12}", sub_mchid):
        raise DomainError(_("特约商户号格式不正确。"), fields={"sub_mchid": [_("特约商户号为 8–12 位数字。")]})
    secret = (secret or "").strip() or company.wechat_secret or ""
    if not secret:
        raise DomainError(_("请填写小程序 AppSecret。"), fields={"secret": [_("请填写小程序 AppSecret。")]})
    try:
        company_services.set_wechat_credentials(
            company=company, appid=(sub_appid or "").strip(), secret=secret, actor=actor
        )
    except DomainError as exc:
        renamed = {"appid": "sub_appid"}
        exc.fields = {renamed.get(name, name): messages for name, messages in exc.fields.items()}
        raise
    merchant = account()
    before = {"sub_mchid": merchant.sub_mchid}
    merchant.sub_mchid = sub_mchid
    merchant.save()
    account_services.record_audit(
        actor=actor,
        action="payments.merchant",
        object_type="merchantaccount",
        object_id=merchant.pk,
        before=before,
        after={"sub_mchid": sub_mchid, "sub_appid": company.wechat_appid},
    )
    return merchant
